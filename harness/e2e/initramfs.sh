#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# harness/e2e/initramfs.sh QEMU_BINARY OUTPUT.cpio
#
# Make the L1 initramfs of the real-kernel chain (uncompressed newc cpio;
# the kernel then has nothing to decompress under TCG):
#   /bin/busybox + applet links       the host's busybox-static
#   /init                             guest/init
#   /e2e/lib.sh, /e2e/scenarios/*.sh  scenario helpers and scenarios
#   /usr/bin/qemu-system-x86_64       QEMU_BINARY without debug info
#   /lib..., /lib64/ld-linux-...      every library `ldd` lists + the loader
#   /usr/share/qemu/                  the firmware the inner QEMU loads
#                                     (from QEMU_BINARY's build tree)
# Takes a few seconds; the stripped QEMU is cached by content hash.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../scripts/lib.sh"
LOG_TAG=e2e-initramfs

[ $# -eq 2 ] || { echo "usage: $0 QEMU_BINARY OUTPUT.cpio" >&2; exit 2; }
QEMU=$(realpath "$1")
OUT=$2
[ -x "$QEMU" ] || die "not an executable: $QEMU"
for t in busybox cpio ldd strip sha256sum; do
  command -v "$t" >/dev/null || die "missing host tool '$t' (run scripts/deps.sh)"
done
busybox --list | grep -qx sh || die "busybox has no sh applet"
[[ $(ldd "$(command -v busybox)" 2>&1 || true) == *'not a dynamic executable'* ]] ||
  die "$(command -v busybox) is not static (install busybox-static)"

# Firmware: a QEMU run from its build tree finds it here (BRIEF section 2).
FW_DIR=$(dirname "$QEMU")/qemu-bundle/usr/local/share/qemu
FW_FILES=(bios-256k.bin kvmvapic.bin linuxboot_dma.bin)

E2E=$CACHE/e2e
STRIP_CACHE=$E2E/qemu-stripped
mkdir -p "$STRIP_CACHE"

root=$(mktemp -d "$E2E/initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,usr/bin,usr/share/qemu,e2e/scenarios,proc,sys,dev,tmp,root}

# busybox and its applets
cp "$(command -v busybox)" "$root/bin/busybox"
for a in $(busybox --list); do
  [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done

# the harness' guest side
install -m 755 "$HERE/guest/init" "$root/init"
install -m 644 "$HERE/guest/lib.sh" "$root/e2e/lib.sh"
install -m 644 "$HERE"/scenarios/*.sh "$root/e2e/scenarios/"

# QEMU without debug info (83 MB -> about 32 MB), cached by content.
sum=$(sha256sum "$QEMU" | cut -d' ' -f1)
stripped=$STRIP_CACHE/$sum
if [ ! -f "$stripped" ]; then
  rm -f "$STRIP_CACHE"/*
  strip --strip-debug -o "$stripped.tmp" "$QEMU"
  mv "$stripped.tmp" "$stripped"
fi
install -m 755 "$stripped" "$root/usr/bin/qemu-system-x86_64"

# Its shared libraries and the dynamic loader, at the paths ldd resolves.
# The series' libqtest programs that run in L1 (built next to QEMU).
QTESTS=()
for q in intel-iommu-vfio-test; do
  b=$(dirname "$QEMU")/tests/qtest/$q
  if [ -x "$b" ]; then
    strip --strip-debug -o "$root/usr/bin/$q" "$b"
    QTESTS+=("$b")
  fi
done

libs=$(ldd "$QEMU" "${QTESTS[@]}" |
       awk '/:$/ { next } $2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
       sort -u)
[ -n "$libs" ] || die "ldd lists no libraries for $QEMU"
for l in $libs; do
  mkdir -p "$root$(dirname "$l")"
  cp -L "$l" "$root$l"
done
grep -q '^/lib64/ld-linux-x86-64.so.2$' <<<"$libs" ||
  die "ldd did not list the x86-64 loader for $QEMU"

# Firmware
for f in "${FW_FILES[@]}"; do
  [ -e "$FW_DIR/$f" ] || die "no $f in $FW_DIR (firmware of $QEMU's build tree)"
  cp -L "$FW_DIR/$f" "$root/usr/share/qemu/$f"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
