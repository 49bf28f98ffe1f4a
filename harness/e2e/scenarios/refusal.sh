# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario refusal (runs in L1, busybox sh, from /init).
#
# Our QEMU with -device intel-iommu,x-scalable-mode=on,x-flts=on (first-
# stage translation for the guest) and the vfio-pci edu, on an L0 whose
# VT-d offers no nested translation: the host cannot carry the guest's
# first-stage tables, so QEMU must refuse the device at realize, name
# the missing host capability (ECAP.NEST), and exit before the machine
# runs (so no DMA can happen). caching-mode is on so that the refusal is
# about first-stage translation, not about caching mode.
set -u
. /e2e/lib.sh

[ -n "${EDU_BDF:-}" ] || fail "no edu device (1234:11e8) in L1"
err=/tmp/refusal.err
say "inner QEMU: x-scalable-mode=on,x-flts=on + vfio-pci $EDU_BDF (must be refused)"
# -S: if QEMU wrongly accepts the device, nothing runs; timeout ends it.
timeout 60 "$QEMU" -machine q35 -accel qtest -qtest null -S -nodefaults \
  -display none -m 128 -L /usr/share/qemu \
  -device intel-iommu,x-scalable-mode=on,x-flts=on,caching-mode=on \
  -object iommufd,id=fd0 \
  -device "vfio-pci,host=$EDU_BDF,iommufd=fd0,rombar=0,addr=04.0" \
  -trace iommufd_cdev_nest_parent_refused \
  >/dev/null 2>"$err"
rc=$?
sed 's/^/inner QEMU stderr: /' "$err"
case $rc in
  0)   fail "inner QEMU exited 0: it accepted a device it cannot translate for" ;;
  124|143) fail "inner QEMU was still running after 60 s: it accepted the device" ;;
esac
# Before the vIOMMU sees the device, VFIO asked L1's kernel for a
# nest-parent domain (the vIOMMU wants one) and the kernel refused it.
grep -q "iommufd_cdev_nest_parent_refused.*no nest-parent domain" "$err" ||
  fail "VFIO did not ask L1's iommufd for a nest-parent domain (or got one)"
msg=$(last_line "$err")
[ -n "$msg" ] || fail "inner QEMU exited $rc without saying why"
echo "$msg" | grep -q "vfio" ||
  fail "the refusal does not name the vfio-pci device: '$msg'"
# L0's VT-d has no nested translation: the refusal must name it.
echo "$msg" | grep -qF "ECAP.NEST" ||
  fail "the refusal does not name the missing host capability (ECAP.NEST): '$msg'"
say "refused (exit $rc): $msg"
