# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# e2e-l0-iommu-opts: ,x-flts=on,x-nested=on
# Scenario viommu-nested (runs in L1, busybox sh, from /init). Needs L0's
# VT-d to nest (the header line above; run.sh picks it in that mode).
#
# Our QEMU with x-flts=on in front of the vfio-pci edu: the guest's
# first-stage tables are bound through L1's real iommufd as a nested
# HWPT on a nest-parent domain; L1's kernel programs L0's emulated VT-d
# with a nested (PGTT=011b) PASID entry, and L0 walks both stages. edu's
# DMA lands where the guest's first stage says; after an unmap and the
# PASID-IOTLB invalidation (forwarded to L1's kernel), it does not.
set -u
. /e2e/lib.sh

run_vfio_qtest -p /x86_64/q35/vfio/edu/viommu-nested
say "first-stage tables bound as a nested HWPT through L1's iommufd: DMA checked"
