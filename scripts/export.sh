#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Export the work tree's commits on top of the base back to patches/.
#
#   scripts/export.sh [--to DIR] [TREE]
#
# Output is stable: no numbering in subjects, zero commit ids, no git
# version signature, so exporting an unchanged tree changes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=export

out=$TOP/patches dir=$TREE
while [ $# -gt 0 ]; do
  case $1 in
    --to) out=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) dir=$1; shift ;;
  esac
done
[ -d "$dir/.git" ] || die "no work tree at $dir (run scripts/tree.sh)"
BASE_TAG=base-$QEMU_UPSTREAM_VERSION
[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
  die "$dir has uncommitted changes; commit them first"

mkdir -p "$out"
tmp=$(mktemp -d)
git -C "$dir" format-patch -q --no-numbered --zero-commit --no-signature \
  --no-attach --no-thread --encode-email-headers -o "$tmp" "$BASE_TAG..HEAD"
rm -f "$out"/*.patch
( cd "$tmp" && ls -1 | sort ) > "$out/series"
[ -n "$(ls -A "$tmp")" ] && mv "$tmp"/*.patch "$out/"
rmdir "$tmp"
log "exported $(wc -l < "$out/series") patches to $out"
