# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario viommu-shadow-legacy (runs in L1, busybox sh, from /init).
#
# Our QEMU with -device intel-iommu,caching-mode=on (legacy mode) in front
# of the vfio-pci edu. The test (intel-iommu-vfio-test, the level-1 DMA
# helpers) builds legacy root/context/second-stage tables mapping IOVAs
# to chosen guest pages and invalidates; QEMU shadows them into L1's
# iommufd IOAS. edu's DMA lands exactly there; after unmapping and a
# page-selective IOTLB invalidation, DMA to that IOVA does not land.
set -u
. /e2e/lib.sh

run_vfio_qtest -p /x86_64/q35/vfio/edu/viommu-shadow-legacy
say "legacy-mode vIOMMU: shadowed DMA landed where the tables said; unmapped IOVA did not"
