# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario viommu-pasid-unbind (runs in L1, busybox sh, from /init).
# Needs L0's VT-d to nest and to offer PASIDs (the header line above),
# and L0's pasid-dma device, bound to vfio-pci in L1 ($PDMA_BDF).
#
# PASID 5's entry cleared, then the PASID-cache and PASID-IOTLB
# invalidations: QEMU detaches PASID 5 alone (inner trace), its DMA is
# blocked by L0's VT-d, RID_PASID's DMA still lands.
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
run_vfio_qtest -p /x86_64/q35/vfio/pasid-dma/unbind
say "PASID 5 detached alone: its DMA blocked, RID_PASID still lands"
