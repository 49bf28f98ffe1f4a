# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario refusal-pasid-width (runs in L1, busybox sh, from /init).
# Needs L0's VT-d to nest and to offer PASIDs (the header line above).
#
# Our QEMU with x-flts=on,x-pasid-mode=on in front of the vfio-pci edu:
# the guest would be offered PASIDs, which the vIOMMU binds on the host
# by PASID attach. L1's IOMMU has PASID support (ECAP.PASID from L0),
# but edu has no PASID capability, so L1's kernel reports a PASID width
# of 0 for it (IOMMU_GET_HW_INFO): QEMU must refuse the device at
# realize and say so, instead of offering PASIDs it cannot deliver.
# With x-pasid-mode=off the same device is accepted (viommu-nested).
set -u
. /e2e/lib.sh

expect_refusal x-scalable-mode=on,x-flts=on,x-pasid-mode=on,caching-mode=on \
  iommufd_cdev_pasid_domain_refused
# Not refused for a missing host IOMMU feature: L0 offers nesting and PASIDs
echo "$REFUSAL" | grep -qE "ECAP\.(NEST|PASID|PSS)" &&
  fail "refused for a host IOMMU capability L0 offers: '$REFUSAL'"
echo "$REFUSAL" | grep -qF "lets the device use 0-bit PASIDs" ||
  fail "the refusal does not say the device has no PASIDs on the host: '$REFUSAL'"
