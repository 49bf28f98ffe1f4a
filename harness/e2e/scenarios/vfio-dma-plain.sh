# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario vfio-dma-plain (runs in L1, busybox sh, from /init): only the
# case without a vIOMMU, for L0 modes whose host address width (47 bits
# with x-flts=on) is below what our vIOMMU advertises by default.
#
# The series' libqtest program intel-iommu-vfio-test, built with the same
# DMA helpers as the level-1 qtests, starts our QEMU with edu through
# -object iommufd -device vfio-pci and has edu copy guest RAM -> device
# -> guest RAM; the data is checked. The DMA goes through L1's iommufd
# mappings and L0's emulated VT-d.
set -u
. /e2e/lib.sh

[ -n "${EDU_BDF:-}" ] || fail "no edu device (1234:11e8) in L1"
[ -x /usr/bin/intel-iommu-vfio-test ] ||
  fail "intel-iommu-vfio-test is not in the initramfs (not built next to QEMU)"

out=$(cd /tmp && VTD_E2E_VFIO_HOST=$EDU_BDF \
      QTEST_QEMU_BINARY=/usr/bin/qemu-system-x86_64 \
      /usr/bin/intel-iommu-vfio-test --tap -p /x86_64/q35/vfio/edu/dma-no-viommu 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|not ok)|ERROR|qemu-system' | while read -r l; do say "$l"; done
[ $rc -eq 0 ] || fail "intel-iommu-vfio-test exited with $rc"
echo "$out" | grep -q '^ok .*# SKIP' && fail "intel-iommu-vfio-test skipped"
echo "$out" | grep -q '^ok ' || fail "intel-iommu-vfio-test ran no case"
say "edu DMA through vfio-pci + iommufd: data checked"
