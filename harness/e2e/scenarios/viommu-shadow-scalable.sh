# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario viommu-shadow-scalable (runs in L1, busybox sh, from /init).
#
# Our QEMU with -device intel-iommu,x-scalable-mode=on,caching-mode=on in
# front of the vfio-pci edu: a second-stage (PGTT=010b) PASID entry, kept
# by the PASID cache, drives the shadow mappings in L1's iommufd IOAS.
# DMA lands where the tables say; an unmapped IOVA (PASID-cache + PASID-
# IOTLB invalidations) and a torn-down PASID entry stop it.
set -u
. /e2e/lib.sh

run_vfio_qtest -p /x86_64/q35/vfio/edu/viommu-shadow-scalable
say "scalable-mode vIOMMU (PGTT=010b): shadowed DMA checked, PASID-entry teardown stops it"
