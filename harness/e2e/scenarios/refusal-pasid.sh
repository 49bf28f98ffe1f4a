# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on
# Scenario refusal-pasid (runs in L1, busybox sh, from /init). Needs
# L0's VT-d to nest but not to offer PASIDs (the header line above).
#
# Our QEMU with x-flts=on,x-pasid-mode=on in front of the vfio-pci
# pasid-dma: the device has a PASID capability, but L1's IOMMU (L0's
# VT-d without ECAP.PASID) cannot give it PASIDs, so the guest cannot be
# offered any: QEMU must refuse the device at realize and name the
# missing host IOMMU capability, ECAP.PASID. On an L0 that offers PASIDs
# the same command line is accepted (viommu-nested-pasid).
set -u
. /e2e/lib.sh

[ -n "${PDMA_BDF:-}" ] || fail "no pasid-dma device (1234:11e9) in L1"
expect_refusal x-scalable-mode=on,x-flts=on,x-pasid-mode=on,caching-mode=on \
  'iommufd_cdev_*' "$PDMA_BDF"
echo "$REFUSAL" | grep -qF "ECAP.PASID" ||
  fail "the refusal does not name the missing host capability (ECAP.PASID): '$REFUSAL'"
echo "$REFUSAL" | grep -qF "ECAP.NEST" &&
  fail "refused for nesting, which L0 offers: '$REFUSAL'"
say "refused for the PASIDs L1's IOMMU cannot give, naming ECAP.PASID"
