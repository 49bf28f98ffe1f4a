# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario viommu-pasid-invalidate (runs in L1, busybox sh, from /init).
# Needs L0's VT-d to nest and to offer PASIDs (the header line above),
# and L0's pasid-dma device, bound to vfio-pci in L1 ($PDMA_BDF).
#
# A first-stage PTE of PASID 5 changed: L0 still translates through what
# it cached until the guest's page-selective PASID-based IOTLB
# invalidation, forwarded by QEMU to L1's iommufd, reaches it; then the
# next DMA follows the new PTE.
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
run_vfio_qtest -p /x86_64/q35/vfio/pasid-dma/invalidate
say "PASID-IOTLB invalidation forwarded: DMA follows the changed PTE"
