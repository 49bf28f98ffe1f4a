# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario vfio-dma (runs in L1, busybox sh, from /init).
#
# The series' libqtest program intel-iommu-vfio-test, built with the same
# DMA helpers as the level-1 qtests, starts our QEMU with edu through
# -object iommufd -device vfio-pci and no vIOMMU: edu copies guest RAM ->
# device -> guest RAM through L1's iommufd mappings and L0's emulated
# VT-d; data checked. make check runs it with L0 in second-stage and in
# first-stage (x-flts=on) mode.
set -u
. /e2e/lib.sh

run_vfio_qtest -p /x86_64/q35/vfio/edu/dma-no-viommu
say "edu DMA through vfio-pci + iommufd (no vIOMMU): data checked"
