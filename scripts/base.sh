#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch Debian's qemu 1:10.2.2+ds-1 source package with apt, verify it
# against base/SHA256SUMS and unpack the upstream tarball (no Debian
# patches) into $CACHE/qemu-10.2.2. Prints that path. Re-runs are free.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=base

SUMS=${VTD_BASE_SUMS:-$TOP/base/SHA256SUMS}
DEB_PATCH=skip-unpack-edk2-blobs.patch
ORIG=qemu_${QEMU_UPSTREAM_VERSION}+ds.orig.tar.xz

if [ -f "$BASE_SRC/.vtd-pasid-unpacked" ]; then
  echo "$BASE_SRC"; exit 0
fi

mkdir -p "$BASE_DL"
cd "$BASE_DL"
if ! sha256sum --quiet -c "$SUMS" >/dev/null 2>&1; then
  log "downloading source package qemu=$QEMU_DEB_VERSION with apt-get source"
  rm -f qemu_*
  if ! timeout 900 apt-get source -q --download-only "qemu=$QEMU_DEB_VERSION" >&2; then
    die "cannot download qemu $QEMU_DEB_VERSION (expected SHA-256 of $ORIG: $(grep "$ORIG" "$SUMS" | cut -d' ' -f1)); is the deb-src source set up (scripts/deps.sh)? Not falling back to another version."
  fi
  if ! sha256sum -c "$SUMS" >&2; then
    die "checksum mismatch for qemu $QEMU_DEB_VERSION; expected:
$(cat "$SUMS")"
  fi
fi

log "unpacking $ORIG into $BASE_SRC"
rm -rf "$BASE_SRC.tmp"
mkdir -p "$BASE_SRC.tmp"
tar -C "$BASE_SRC.tmp" --strip-components=1 -xf "$BASE_DL/$ORIG"
[ -f "$BASE_SRC.tmp/VERSION" ] && [ "$(cat "$BASE_SRC.tmp/VERSION")" = "$QEMU_UPSTREAM_VERSION" ] ||
  die "unpacked tree does not say VERSION $QEMU_UPSTREAM_VERSION"
# The one Debian patch in the base: the +ds tarball has no
# pc-bios/edk2-*.fd.bz2, and with bzip2 installed meson would try to
# unpack them and fail. Debian's own fix, taken from the verified
# debian.tar.xz; every other Debian patch is distribution policy.
tar -C "$BASE_SRC.tmp" -xOf "$BASE_DL/qemu_${QEMU_DEB_VERSION#1:}.debian.tar.xz" \
    debian/patches/$DEB_PATCH | patch -s -p1 -d "$BASE_SRC.tmp" ||
  die "cannot apply debian/patches/$DEB_PATCH"
touch "$BASE_SRC.tmp/.vtd-pasid-unpacked"
rm -rf "$BASE_SRC"
mv "$BASE_SRC.tmp" "$BASE_SRC"
echo "$BASE_SRC"
