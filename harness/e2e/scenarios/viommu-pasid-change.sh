# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario viommu-pasid-change (runs in L1, busybox sh, from /init).
# Needs L0's VT-d to nest and to offer PASIDs (the header line above),
# and L0's pasid-dma device, bound to vfio-pci in L1 ($PDMA_BDF).
#
# PASID 5 pointed at another first-stage table: QEMU allocates a new
# nested HWPT, attaches it to PASID 5 in place of the old one and only
# then frees the old one (make-before-break); DMA follows the new table.
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
run_vfio_qtest -p /x86_64/q35/vfio/pasid-dma/change
say "PASID 5 rebound make-before-break: DMA follows the new table"
