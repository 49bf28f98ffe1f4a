# SPDX-License-Identifier: GPL-2.0-or-later
# Shared settings for vtd-pasid scripts. Source it, do not run it.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VTD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vtd-pasid}
QEMU_DEB_VERSION=1:10.2.2+ds-1
QEMU_UPSTREAM_VERSION=10.2.2
BASE_DL=$CACHE/download          # the three source-package files
BASE_SRC=$CACHE/qemu-$QEMU_UPSTREAM_VERSION   # pristine unpacked base
WORK=${VTD_WORK:-$CACHE/work}    # git work trees
TREE=$WORK/qemu                  # patched work tree (base + series)
BUILD=$TREE/build                # its build directory
BASE_TREE=$WORK/qemu-base        # unpatched build tree (base only)
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
mkdir -p "$CACHE" "$WORK"

log() { printf '%s: %s\n' "${LOG_TAG:-vtd-pasid}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${LOG_TAG:-vtd-pasid}" "$*" >&2; exit 1; }

# Hash of the series as committed in patches/.
series_hash() {
  cat "$TOP/patches/series" "$TOP"/patches/*.patch 2>/dev/null | sha256sum | cut -d' ' -f1
}
