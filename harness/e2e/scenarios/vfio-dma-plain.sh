# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Scenario vfio-dma-plain (runs in L1, busybox sh, from /init): only the
# no-vIOMMU case of vfio-dma, for L0 modes whose host address width (47
# bits with x-flts=on) is below what our vIOMMU advertises by default.
set -u
. /e2e/lib.sh

run_vfio_qtest -p /x86_64/q35/vfio/edu/dma-no-viommu
say "edu DMA through vfio-pci + iommufd (no vIOMMU): data checked"
