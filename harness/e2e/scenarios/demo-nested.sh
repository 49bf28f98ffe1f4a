# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario demo-nested (runs in L1, busybox sh, from /init), for
# make demo-nested (harness/demo/nested.sh): the viommu-nested-pasid case
# of intel-iommu-vfio-test, with its messages (where each DMA went) and
# the inner QEMU's host calls (its vtd_bind_* and vfio_pci_pasid_cap
# trace) printed for the host to tell the story.
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
[ -x /usr/bin/intel-iommu-vfio-test ] ||
  fail "intel-iommu-vfio-test is not in the initramfs"
trace=/tmp/demo-inner-trace.log
out=$(cd /tmp && VTD_E2E_PDMA_HOST=$PDMA_BDF VTD_E2E_PDMA_TRACE=$trace \
      VTD_E2E_PDMA_PASID_CAP=0x0806 VTD_E2E_PDMA_AER_CAP=0x100 \
      QTEST_QEMU_BINARY=$QEMU /usr/bin/intel-iommu-vfio-test --tap \
      -p /x86_64/q35/vfio/pasid-dma/viommu-nested-pasid 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|not ok)|^# (DMA|starting QEMU)|ERROR' |
  while read -r l; do say "$l"; done
sed 's/^/TRACE /' "$trace" 2>/dev/null
[ $rc -eq 0 ] || fail "intel-iommu-vfio-test exited with $rc"
echo "$out" | grep -q '^ok ' || fail "the case did not pass"
