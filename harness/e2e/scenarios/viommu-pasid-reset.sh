# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario viommu-pasid-reset (runs in L1, busybox sh, from /init).
# Needs L0's VT-d to nest and to offer PASIDs (the header line above),
# and L0's pasid-dma device, bound to vfio-pci in L1 ($PDMA_BDF).
#
# system_reset of our QEMU with both PASIDs bound: PASID 5 detached,
# RID_PASID back on the nest parent, both nested HWPTs freed; the guest
# sets its tables up again and DMA lands again.
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
run_vfio_qtest -p /x86_64/q35/vfio/pasid-dma/reset
say "reset detached every PASID and freed every HWPT; rebinding works"
