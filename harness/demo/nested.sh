#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo-nested: the real-kernel chain with PASIDs, told plainly.
#
# Runs harness/e2e/run.sh with L0 nesting and offering PASIDs and the
# demo-nested scenario, then reads L1's console, the inner QEMU's trace
# (printed there by the scenario) and L0's trace, and says what L0, L1
# and the inner QEMU are, which PASIDs were bound to which host HWPTs,
# what L0's VT-d holds for them, where each DMA went, and how many host
# calls the inner QEMU made. Exits 0 only if all of that happened.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../scripts/lib.sh"
LOG_TAG=demo-nested

OPTS=",x-flts=on,x-nested=on,x-pasid-mode=on"
RUN=$CACHE/e2e/run
log "running the chain (L0 intel-iommu x-scalable-mode=on$OPTS); the first run builds the L1 kernel"
if ! E2E_L0_IOMMU_OPTS=$OPTS timeout 2400 "$HERE/../e2e/run.sh" demo-nested \
     > "$CACHE/demo-nested.log" 2>&1; then
  tail -30 "$CACHE/demo-nested.log"
  die "the chain failed (log: $CACHE/demo-nested.log)"
fi
con=$RUN/l1-console.log trace=$RUN/l0-trace.log
out() { tr -d '\r' < "$con" | sed -n "s/^.*E2E-OUT demo-nested: //p"; }
itrace() { out | sed -n 's/^TRACE //p'; }
ok=1
need() { [ -n "$2" ] || { echo "  MISSING: $1"; ok=0; }; }

qemu=$(sed -n 's/^e2e: QEMU: \([^ ]*\).*/\1/p' "$CACHE/demo-nested.log")
accel=$(sed -n 's/^e2e: L0 accelerator: \([a-z]*\).*/\1/p' "$CACHE/demo-nested.log")
kver=$(tr -d '\r' < "$con" | grep -a -m1 -o 'Linux version [^ ]*')
pdma=$(tr -d '\r' < "$con" | grep -a -o 'E2E-L1: PDMA .*' | head -1)
inner=$(out | sed -n 's/^# starting QEMU: exec //p' | head -1 |
        sed 's/ -qtest [^ ]* -qtest-log [^ ]* -chardev [^ ]* -mon [^ ]*//')

echo
echo "== The chain"
echo "L0    $qemu ($accel)"
echo "      -machine q35 -device intel-iommu,intremap=on,x-scalable-mode=on$OPTS"
echo "      -device edu,addr=03.0 -device pasid-dma,addr=04.0,pasid-exec=on,pasid-priv=on,aer=on"
echo "      emulated VT-d: scalable mode, first and second stage, nesting, 8-bit PASIDs;"
echo "      pasid-dma: a PCIe DMA engine with a PASID capability"
echo "L1    ${kver:-?} (Debian linux-source-7.3, iommufd + vfio-pci), under L0"
echo "      ${pdma#E2E-L1: PDMA }"
echo "inner our QEMU inside L1, driven over qtest by intel-iommu-vfio-test:"
echo "      ${inner:-?}"
need "L1's kernel version" "$kver"
need "the pasid-dma device in L1" "$pdma"
need "the inner QEMU's command line" "$inner"

echo
echo "== The inner guest's PASID capability (synthesized by vfio-pci)"
cap=$(itrace | grep -m1 'vfio_pci_pasid_cap' | sed 's/.*vfio_pci_pasid_cap //')
echo "  ${cap:-none}"
need "a synthesized PASID capability" "$cap"

echo
echo "== Bindings: guest PASID -> host (L1 iommufd) HWPT"
declare -A pgtbl=()
while read -r l; do
  # vtd_bind_alloc DEV: nested hwpt N on parent P (pgtbl 0x.. aw .. flags ..)
  id=$(echo "$l" | sed -n 's/.*nested hwpt \([0-9]*\) on parent \([0-9]*\) (pgtbl \(0x[0-9a-f]*\).*/\1 \2 \3/p')
  [ -n "$id" ] && set -- $id && pgtbl[$1]="on nest parent $2, guest first-stage table $3"
done < <(itrace | grep 'vtd_bind_alloc')
bound=0
while read -r l; do
  p=$(echo "$l" | sed -n 's/.*pasid \(0x[0-9a-f]*\): hwpt \([0-9]*\) attached (\([a-z0-9-]*\), was \([a-z0-9-]*\)).*/\1 \2 \3 \4/p')
  [ -n "$p" ] || continue
  set -- $p
  name="PASID $(( $1 ))"; [ "$(( $1 ))" = 0 ] && name="RID_PASID (0)"
  echo "  $name -> HWPT $2 ($3, ${pgtbl[$2]:-the nest parent}; was $4)"
  [ "$3" = nested ] && bound=$((bound + 1))
done < <(itrace | grep 'vtd_bind_attach')
[ "$bound" -ge 2 ] || { echo "  MISSING: two nested bindings"; ok=0; }

echo
echo "== In L0's emulated VT-d (L1's kernel programmed it for pasid-dma)"
# pasid-dma's requester id in L0: L1 sees L0's root bus as bus 0
bdf=$(echo "$pdma" | sed -n 's/^E2E-L1: PDMA [0-9a-f]*:\([0-9a-f]*\):\([0-9a-f]*\)\.\([0-7]\).*/\1 \2 \3/p')
sid=none
[ -n "$bdf" ] && set -- $bdf && sid=$(printf '0x%x' $(( (0x$1 << 8) | (0x$2 << 3) | $3 )))
# The scenario's own L0-side check reads the entry
if l0=$(bash "$HERE/../e2e/scenarios/viommu-nested-pasid.l0-check" "$trace" "$sid"); then
  echo "  $l0"
else
  echo "  MISSING: $l0"
  ok=0
fi

echo
echo "== DMA (pasid-dma, programmed by the inner guest through vfio-pci)"
dma=$(out | sed -n 's/^# DMA/DMA/p')
echo "${dma:-  none}" | sed 's/^/  /'
echo "$dma" | grep -q "with PASID 5: .*landed" || { echo "  MISSING: DMA with PASID 5"; ok=0; }
echo "$dma" | grep -q "without PASID: .*landed" || { echo "  MISSING: DMA without PASID"; ok=0; }

echo
echo "== Host calls made by the inner QEMU (one vtd_bind_* event each)"
for e in alloc attach detach free invalidate fail; do
  printf '  %-10s %d\n' "$e" "$(itrace | grep -c "vtd_bind_$e ")"
done

echo
if [ "$ok" = 1 ]; then
  echo "demo-nested: PASS: RID_PASID and PASID 5 bound as nested HWPTs through L1's iommufd, L0 walked them, DMA landed per PASID"
  exit 0
fi
echo "demo-nested: FAIL: see above (logs: $CACHE/demo-nested.log, $RUN)"
exit 1
