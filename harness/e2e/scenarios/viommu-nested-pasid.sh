# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario viommu-nested-pasid (runs in L1, busybox sh, from /init).
# Needs L0's VT-d to nest and to offer PASIDs (the header line above),
# and L0's pasid-dma device, bound to vfio-pci in L1 ($PDMA_BDF).
#
# Our QEMU with x-flts=on,x-pasid-mode=on in front of the vfio-pci
# pasid-dma: vfio-pci gives the guest a PASID capability made from what
# L1's iommufd reports (8-bit PASIDs); the guest enables it and gives
# RID_PASID and PASID 5 their own first-stage tables. QEMU binds both
# through L1's iommufd as nested HWPTs, PASID 5 by PASID attach; L1's
# kernel writes PGTT=011b entries for both into L0's PASID table, and
# DMA tagged with each PASID lands where that PASID's tables say.
# The guest's Enable bit decides whether PASID 5 is bound
# (pasid-enable); without x-pasid-mode no capability is made for the
# guest (no-pasid-cap).
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
run_vfio_qtest -p /x86_64/q35/vfio/pasid-dma/viommu-nested-pasid \
  -p /x86_64/q35/vfio/pasid-dma/pasid-enable \
  -p /x86_64/q35/vfio/pasid-dma/no-pasid-cap
say "RID_PASID and PASID 5 bound as nested HWPTs, PASID-tagged DMA checked"
