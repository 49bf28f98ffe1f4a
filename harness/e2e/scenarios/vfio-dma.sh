# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario vfio-dma (runs in L1, busybox sh, from /init).
#
# The series' libqtest program intel-iommu-vfio-test, built with the same
# DMA helpers as the level-1 qtests, starts our QEMU with edu through
# -object iommufd -device vfio-pci: edu copies guest RAM -> device ->
# guest RAM without a vIOMMU, then behind our scalable-mode vIOMMU with
# shadowed second-stage mappings. The DMA goes through L1's iommufd
# mappings and L0's emulated VT-d; data checked.
set -u
. /e2e/lib.sh

run_vfio_qtest
say "edu DMA through vfio-pci + iommufd: data checked"
