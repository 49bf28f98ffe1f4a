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

expect_refusal x-scalable-mode=on,x-flts=on,caching-mode=on \
  iommufd_cdev_nest_parent_refused
# Before the vIOMMU sees the device, VFIO asked L1's kernel for a
# nest-parent domain (the vIOMMU wants one) and the kernel refused it.
grep -q "iommufd_cdev_nest_parent_refused.*no nest-parent domain" "$REFUSAL_ERR" ||
  fail "VFIO did not ask L1's iommufd for a nest-parent domain (or got one)"
echo "$REFUSAL" | grep -q "vfio" ||
  fail "the refusal does not name the vfio-pci device: '$REFUSAL'"
# L0's VT-d has no nested translation: the refusal must name it.
echo "$REFUSAL" | grep -qF "ECAP.NEST" ||
  fail "the refusal does not name the missing host capability (ECAP.NEST): '$REFUSAL'"
