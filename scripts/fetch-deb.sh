#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch exactly one version of a Debian binary package with apt-get
# download (never installed), verified against a committed SHA-256.
#
#   scripts/fetch-deb.sh PACKAGE VERSION FILE DIR SUMS [TIMEOUT]
#
# FILE is the .deb's name, DIR where it is kept, SUMS a sha256sum-style
# file with a line for FILE. A DIR/FILE already there with the right sum
# (downloaded before, or placed by hand) is used as it is. Stops naming
# the version and the expected checksum if that version cannot be had;
# no other version is ever taken.
set -euo pipefail
LOG_TAG=fetch-deb
log() { printf '%s: %s\n' "$LOG_TAG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

[ $# -ge 5 ] || die "usage: $0 PACKAGE VERSION FILE DIR SUMS [TIMEOUT]"
pkg=$1 ver=$2 file=$3 dir=$4 sums=$5 limit=${6:-900}

want=$(awk -v f="$file" '$2 == f { print $1 }' "$sums")
[ -n "$want" ] || die "no checksum for $file in $sums"
mkdir -p "$dir"

if [ -f "$dir/$file" ]; then
  got=$(sha256sum "$dir/$file" | cut -d' ' -f1)
  [ "$got" != "$want" ] || exit 0
  log "cached $file has sha256 $got, expected $want; downloading again"
  rm -f "$dir/$file"
fi

log "downloading $pkg=$ver (timeout ${limit}s)"
tmp=$(mktemp -d "$dir/download.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# As root, apt's _apt sandbox user could not write into a private cache.
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
# "=version" makes apt-get download take exactly that version or nothing.
if ! (cd "$tmp" && timeout "$limit" apt-get download -q \
        -o Acquire::Retries=3 "${sandbox[@]}" "$pkg=$ver" >&2); then
  die "cannot download $pkg version $ver (expected sha256 $want).
  The apt lists may be stale (try 'apt-get update'; the extra suites come
  from scripts/deps.sh), or the version left the archive. No other version
  is used. If you have that exact .deb, place it at $dir/$file"
fi
[ -f "$tmp/$file" ] || { ls -l "$tmp" >&2; die "apt-get download did not produce $file"; }
got=$(sha256sum "$tmp/$file" | cut -d' ' -f1)
[ "$got" = "$want" ] || die "checksum mismatch for $pkg $ver: got $got, expected $want"
mv "$tmp/$file" "$dir/$file"
log "verified $file (sha256 $want)"
