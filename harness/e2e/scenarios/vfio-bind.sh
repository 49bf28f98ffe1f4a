# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario vfio-bind (runs in L1, busybox sh, from /init).
#
# Checks the chain up to the point where our QEMU inside L1 holds the
# device through the real kernel uAPI:
#   - L1's iommufd exists (/dev/iommu);
#   - edu is bound to vfio-pci and has a VFIO device cdev
#     (/dev/vfio/devices/vfioN), which needs L1's IOMMU: with
#     intel_iommu=off vfio-pci's probe fails (-22) and this fails;
#   - the inner QEMU (-accel qtest) realizes `-object iommufd` +
#     `-device vfio-pci,iommufd=...`, keeps /dev/iommu and the cdev open,
#     and reads edu's vendor/device id (0x11e81234) through a PCI
#     configuration cycle on its own bus, i.e. through VFIO's config region.
set -u
. /e2e/lib.sh

[ -n "${EDU_BDF:-}" ] || fail "no edu device (1234:11e8) in L1"
dev=/sys/bus/pci/devices/$EDU_BDF

[ -c /dev/iommu ] || fail "no /dev/iommu in L1 (IOMMUFD)"

drv=none
[ -e "$dev/driver" ] && drv=$(basename "$(readlink "$dev/driver")")
if [ "$drv" != vfio-pci ]; then
  # The driver core logs why the probe failed; drivers_probe itself does not say.
  why=$(dmesg | grep -F "$EDU_BDF" | grep -i 'probe' | tail -1 | sed 's/^\[[ 0-9.]*\] //')
  fail "edu $EDU_BDF is bound to '$drv', not vfio-pci${why:+ (kernel: $why)}"
fi

cdev=
for c in "$dev"/vfio-dev/vfio*; do
  [ -e "$c" ] && cdev=/dev/vfio/devices/${c##*/}
done
[ -n "$cdev" ] || fail "edu $EDU_BDF has no vfio-dev entry in sysfs (VFIO_DEVICE_CDEV)"
[ -c "$cdev" ] || fail "no $cdev in L1"
say "edu $EDU_BDF: driver vfio-pci, cdev $cdev, /dev/iommu present"

# The vfio-pci device sits at 00:04.0 of the inner machine.
qtest_start -machine q35 -accel qtest -nodefaults -display none -m 128 \
  -object iommufd,id=fd0 \
  -device "vfio-pci,host=$EDU_BDF,iommufd=fd0,rombar=0,addr=04.0"

pci_cfg_readl 0 4 0 0
id=$REPLY
say "inner QEMU: config read of 00:04.0 offset 0 = $id"

# The inner QEMU must use iommufd and the cdev, not the legacy container.
fds=$(ls -l "/proc/$QTEST_PID/fd" 2>/dev/null)
echo "$fds" | grep -q ' /dev/iommu$' || fail "inner QEMU has no /dev/iommu open"
echo "$fds" | grep -q " $cdev\$" || fail "inner QEMU has no $cdev open"

[ $((id)) -eq $((0x11e81234)) ] ||
  fail "vendor/device id through VFIO is $id, expected 0x11e81234"
qtest_stop
say "vendor/device id 0x11e81234 read through VFIO; inner QEMU held /dev/iommu and $cdev"
