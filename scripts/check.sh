#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make check`: dependencies, pinned base, series check (apply, checkpatch,
# per-patch build + qtests), the qtests of the whole series, and the
# repository's own tests. Ends with one line "N passed, N failed[, N skipped]"
# and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=check

results=$(mktemp)
trap 'rm -f "$results"' EXIT
stage() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
record() { tee -a "$results"; }

stage "dependencies"
if "$TOP/scripts/deps.sh"; then echo "PASS deps" | record
else echo "FAIL deps: scripts/deps.sh failed" | record; fi

stage "pinned base"
if "$TOP/scripts/base.sh" >/dev/null; then echo "PASS base: qemu $QEMU_DEB_VERSION verified" | record
else echo "FAIL base: scripts/base.sh failed" | record; fi

if ! grep -q '^FAIL' "$results"; then
  stage "series: apply, checkpatch, per-patch build and qtests"
  "$TOP/scripts/check-series.sh" | record

  stage "guest boot: Linux on the patched vIOMMU (make demo)"
  q=$WORK/check/build/qemu-system-x86_64
  if [ -x "$q" ] && timeout 900 "$TOP/harness/demo/run.sh" "$q" > "$WORK/check-demo.log" 2>&1; then
    echo "PASS demo: $(tail -1 "$WORK/check-demo.log")" | record
  else
    tail -30 "$WORK/check-demo.log"
    echo "FAIL demo: see $WORK/check-demo.log" | record
  fi

  # e2e_run NAME L0_OPTS [SCENARIO...]: one L0 boot of the real-kernel
  # chain; its PASS/FAIL lines are recorded as NAME/<scenario>.
  e2e_run() {
    local name=$1 opts=$2 log=$WORK/check-$1.log
    shift 2
    if [ -x "$q" ] && E2E_QEMU=$q E2E_L0_IOMMU_OPTS=$opts timeout 2400 \
         "$TOP/harness/e2e/run.sh" "$@" > "$log" 2>&1; then
      grep -E '^(PASS|FAIL|SKIP) ' "$log" | sed "s/^\(PASS\|FAIL\|SKIP\) /\1 $name\//" | record
    else
      tail -30 "$log"
      grep -E '^(PASS|FAIL) ' "$log" | sed "s/^\(PASS\|FAIL\) /\1 $name\//" | record
      echo "FAIL $name: see $log" | record
    fi
  }

  stage "real-kernel chain: L0 (series' QEMU) -> L1 Linux with iommufd + vfio-pci (make e2e)"
  e2e_run e2e ""
  stage "real-kernel chain with L0 in first-stage mode (x-flts=on): vfio-bind, vfio-dma"
  e2e_run e2e-l0-flts ",x-flts=on" vfio-bind vfio-dma
  stage "real-kernel chain with L0 nesting (x-flts=on,x-nested=on): vfio-bind, vfio-dma, viommu-nested, refusal-pasid"
  e2e_run e2e-l0-nested ",x-flts=on,x-nested=on" vfio-bind vfio-dma viommu-nested refusal-pasid
  stage "real-kernel chain with L0 nesting and PASIDs (x-pasid-mode=on): SVA passthrough with PASIDs"
  e2e_run e2e-l0-pasid ",x-flts=on,x-nested=on,x-pasid-mode=on" viommu-nested \
    viommu-nested-pasid viommu-pasid-unbind viommu-pasid-change \
    viommu-pasid-invalidate viommu-pasid-reset viommu-pasid-context \
    refusal-pasid-width

  stage "make demo-nested: the real-kernel chain with PASIDs, told plainly"
  if [ -x "$q" ] && E2E_QEMU=$q timeout 1200 "$TOP/harness/demo/nested.sh" \
       > "$WORK/check-demo-nested.log" 2>&1; then
    echo "PASS demo-nested: $(tail -1 "$WORK/check-demo-nested.log")" | record
  else
    tail -30 "$WORK/check-demo-nested.log"
    echo "FAIL demo-nested: see $WORK/check-demo-nested.log" | record
  fi

  stage "repository tests"
  for t in "$TOP"/tests/*.sh; do
    [ -e "$t" ] || continue
    bash "$t" | record
  done
fi

p=$(grep -c '^PASS' "$results")
f=$(grep -c '^FAIL' "$results")
s=$(grep -c '^SKIP' "$results")
echo
if [ "$f" != 0 ]; then
  echo "failed:"; grep '^FAIL' "$results" | sed 's/^/  /'
fi
if [ "$s" != 0 ]; then
  echo "skipped:"; grep '^SKIP' "$results" | sed 's/^/  /'
  echo "$p passed, $f failed, $s skipped"
else
  echo "$p passed, $f failed"
fi
[ "$f" = 0 ]
