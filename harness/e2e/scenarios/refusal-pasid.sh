# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on,x-pasid-mode=on
# Scenario refusal-pasid (runs in L1, busybox sh, from /init). Needs L0's
# VT-d to nest and to offer PASIDs (the header line above).
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

[ -n "${EDU_BDF:-}" ] || fail "no edu device (1234:11e8) in L1"
err=/tmp/refusal-pasid.err
say "inner QEMU: x-flts=on,x-pasid-mode=on + vfio-pci $EDU_BDF (must be refused)"
timeout 60 "$QEMU" -machine q35 -accel qtest -qtest null -S -nodefaults \
  -display none -m 128 -L /usr/share/qemu \
  -device intel-iommu,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,caching-mode=on \
  -object iommufd,id=fd0 \
  -device "vfio-pci,host=$EDU_BDF,iommufd=fd0,rombar=0,addr=04.0" \
  -trace iommufd_cdev_pasid_domain_refused \
  >/dev/null 2>"$err"
rc=$?
sed 's/^/inner QEMU stderr: /' "$err"
case $rc in
  0)   fail "inner QEMU exited 0: it offered PASIDs it cannot deliver" ;;
  124|143) fail "inner QEMU was still running after 60 s: it accepted the device" ;;
esac
msg=$(last_line "$err")
[ -n "$msg" ] || fail "inner QEMU exited $rc without saying why"
# Not refused for a missing host IOMMU feature: L0 offers nesting and PASIDs
echo "$msg" | grep -qE "ECAP\.(NEST|PASID|PSS)" &&
  fail "refused for a host IOMMU capability L0 offers: '$msg'"
echo "$msg" | grep -qF "lets the device use 0-bit PASIDs" ||
  fail "the refusal does not say the device has no PASIDs on the host: '$msg'"
say "refused (exit $rc): $msg"
