#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Configure (once) and build a QEMU work tree incrementally, then make the
# build tree find its firmware. Prints the absolute path of
# qemu-system-x86_64 as its last line.
#
#   scripts/build.sh [--tree DIR] [--build-dir NAME] [--configure "ARGS"]
#                    [ninja targets...]
#
# --build-dir names the build directory inside the tree (default: build);
# --configure adds configure arguments (used only when configuring).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=build

dir=$TREE
bname=build extra=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) dir=$2; shift 2 ;;
    --build-dir) bname=$2; shift 2 ;;
    --configure) extra=$2; shift 2 ;;
    *) break ;;
  esac
done
[ -d "$dir/.git" ] || die "no work tree at $dir"
b=$dir/$bname
targets=("qemu-system-x86_64" "$@")

# ccache: hash paths relative to $WORK so the patched, base and check
# trees share cache entries for every file the series does not touch.
export CCACHE_BASEDIR=$WORK CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros
mkdir -p "$CCACHE_DIR"
ccache -M 5G >/dev/null 2>&1 || true

if [ ! -f "$b/build.ninja" ]; then
  log "configuring $dir (x86_64-softmmu)"
  mkdir -p "$b"
  ( cd "$b" && timeout 600 ../configure \
      --target-list=x86_64-softmmu \
      --cc=/usr/lib/ccache/gcc --cxx=/usr/lib/ccache/g++ \
      --python=/usr/bin/python3 \
      --disable-install-blobs --disable-docs --disable-user \
      --disable-tools --disable-guest-agent \
      --enable-trace-backends=log $extra >configure.log 2>&1 ) || {
    tail -30 "$b/configure.log" >&2
    rm -f "$b/build.ninja"
    die "configure failed (full log: $b/configure.log)"
  }
fi

log "ninja ${targets[*]} in $b"
start=$(date +%s)
timeout 3600 ninja -C "$b" "${targets[@]}" > "$b/ninja.log" 2>&1 || {
  grep -E 'error|FAILED' "$b/ninja.log" | head -40 >&2
  die "build failed (full log: $b/ninja.log)"
}
# The x86 option ROMs (linuxboot_dma.bin for -kernel, ...) are built by
# make, not ninja.
if [ -f "$b/pc-bios/optionrom/Makefile" ]; then
  timeout 300 make -s -C "$b/pc-bios/optionrom" >> "$b/ninja.log" 2>&1 ||
    die "option ROM build failed (log: $b/ninja.log)"
fi
log "built in $(( $(date +%s) - start )) s"

# Firmware: a QEMU run from its build tree searches these directories.
for fw in "$b/qemu-bundle/usr/local/share/qemu" \
          "$b/qemu-bundle/usr/local/share/qemu-firmware"; do
  mkdir -p "$fw"
done
fw=$b/qemu-bundle/usr/local/share/qemu
for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom \
         "$b"/pc-bios/optionrom/*.bin; do
  [ -e "$f" ] || continue
  n=$(basename "$f")
  [ -e "$fw/$n" ] || ln -sf "$f" "$fw/$n"
done
[ -e "$fw/bios-256k.bin" ] || die "bios-256k.bin not found (is seabios installed?)"
[ -e "$fw/linuxboot_dma.bin" ] || die "linuxboot_dma.bin was not built (lib32gcc-12-dev missing?)"
echo "$b/qemu-system-x86_64"
