#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make (or refresh) the git work tree: the pinned base as one commit,
# then one commit per patch of patches/series (git am). Prints its path.
#
#   scripts/tree.sh [--force] [--base-only] [DIR]
#
# An existing tree is reset in place (files that do not change keep their
# timestamps, so builds stay incremental). It refuses to throw away
# uncommitted edits or commits that were not exported, unless --force.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=tree

force=0 base_only=0 dir=
for a in "$@"; do
  case $a in
    --force) force=1 ;;
    --base-only) base_only=1 ;;
    -*) die "unknown option $a" ;;
    *) dir=$a ;;
  esac
done
[ -n "$dir" ] || { [ $base_only = 1 ] && dir=$BASE_TREE || dir=$TREE; }

src=$("$TOP/scripts/base.sh")

# Deterministic identity and dates: the base commit has the same hash on
# every machine, and re-applying an unchanged series gives the same commits.
export GIT_AUTHOR_NAME="vtd-pasid" GIT_AUTHOR_EMAIL="vtd-pasid@localhost"
export GIT_COMMITTER_NAME="vtd-pasid" GIT_COMMITTER_EMAIL="vtd-pasid@localhost"
BASE_TAG=base-$QEMU_UPSTREAM_VERSION

if [ ! -d "$dir/.git" ]; then
  log "creating $dir from $src"
  mkdir -p "$dir"
  cp -a "$src/." "$dir/"
  rm -f "$dir/.vtd-pasid-unpacked"
  git -C "$dir" init -q -b main
  git -C "$dir" config user.name "$GIT_AUTHOR_NAME"
  git -C "$dir" config user.email "$GIT_AUTHOR_EMAIL"
  git -C "$dir" config core.autocrlf false
  git -C "$dir" add -A -f .
  GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
    git -C "$dir" commit -q -m "QEMU $QEMU_UPSTREAM_VERSION (Debian qemu $QEMU_DEB_VERSION orig + skip-unpack-edk2-blobs.patch)"
  git -C "$dir" tag "$BASE_TAG"
else
  if [ $force = 0 ]; then
    [ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
      die "$dir has uncommitted changes; commit and export them (scripts/export.sh) or pass --force"
    if [ $base_only = 0 ] && [ -f "$TOP/patches/series" ] &&
       [ "$(git -C "$dir" rev-list --count "$BASE_TAG..HEAD")" != "0" ]; then
      # Refuse to drop commits that are not in patches/ yet.
      tmpd=$(mktemp -d)
      "$TOP/scripts/export.sh" --to "$tmpd" "$dir" >/dev/null
      if ! diff -r -q -x series "$tmpd" "$TOP/patches" -x '*.orig' >/dev/null 2>&1 ||
         ! cmp -s "$tmpd/series" "$TOP/patches/series"; then
        rm -rf "$tmpd"
        die "$dir has commits that differ from patches/; run scripts/export.sh first or pass --force"
      fi
      rm -rf "$tmpd"
    fi
  fi
  git -C "$dir" am --abort >/dev/null 2>&1 || true
  git -C "$dir" checkout -q -B main "$BASE_TAG"
  git -C "$dir" reset -q --hard "$BASE_TAG"
fi

if [ $base_only = 0 ]; then
  n=0
  while read -r p; do
    case $p in ''|'#'*) continue ;; esac
    [ -f "$TOP/patches/$p" ] || die "patches/series names $p, which does not exist"
    if ! git -C "$dir" am -q --committer-date-is-author-date "$TOP/patches/$p" >&2; then
      git -C "$dir" am --abort >/dev/null 2>&1 || true
      die "patch $p does not apply"
    fi
    n=$((n + 1))
  done < "$TOP/patches/series"
  log "$dir: base + $n patches"
  series_hash > "$dir/.git/vtd-pasid-series"
  git -C "$dir" rev-parse HEAD > "$dir/.git/vtd-pasid-head"
fi
echo "$dir"
