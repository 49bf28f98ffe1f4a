#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the patched QEMU from the hacking tree and print its path.
# Extra arguments are more ninja targets (e.g. tests/qtest/foo-test).
# The tree is made from patches/ if it does not exist, and re-made when
# patches/ changed since it was made and the tree holds no work of its
# own (no edits, no new commits); otherwise the tree is built as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=qemu

if [ ! -d "$TREE/.git" ]; then
  "$TOP/scripts/tree.sh" >/dev/null
elif [ "$(cat "$TREE/.git/vtd-pasid-series" 2>/dev/null)" != "$(series_hash)" ]; then
  if [ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] &&
     [ "$(git -C "$TREE" rev-parse HEAD)" = "$(cat "$TREE/.git/vtd-pasid-head" 2>/dev/null)" ]; then
    log "patches/ changed: re-making $TREE"
    "$TOP/scripts/tree.sh" >/dev/null
  else
    log "patches/ changed since $TREE was made, but the tree has work of its own;"
    log "building it as it is (export it, or re-make it with scripts/tree.sh --force)"
  fi
fi
"$TOP/scripts/build.sh" --tree "$TREE" "$@"
