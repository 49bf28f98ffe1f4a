#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tests of the repository's own workflow scripts. Uses the check tree that
# scripts/check-series.sh made. One PASS/FAIL/SKIP line per test.
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
CHECK=$WORK/check

ok() { echo "PASS workflow/$1"; }
ko() { echo "FAIL workflow/$1: $2"; }

# 1. Exporting an unchanged tree reproduces patches/ byte for byte.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$TOP/scripts/export.sh" --to "$tmp/out" "$CHECK" 2>/dev/null &&
   diff -r "$tmp/out" "$TOP/patches" >"$tmp/diff" 2>&1; then
  ok "export-unchanged-is-noop"
else
  ko "export-unchanged-is-noop" "$(head -5 "$tmp/diff" | tr '\n' ' ')"
fi

# 2. Re-making a tree gives the same commits (stable ids, incremental builds).
before=$(git -C "$CHECK" rev-parse HEAD)
"$TOP/scripts/tree.sh" "$CHECK" >/dev/null 2>&1
after=$(git -C "$CHECK" rev-parse HEAD)
if [ "$before" = "$after" ]; then ok "tree-is-reproducible"
else ko "tree-is-reproducible" "HEAD $before became $after"; fi

# 3. tree.sh refuses to throw away uncommitted edits.
echo "/* local edit */" >> "$CHECK/README.rst"
if "$TOP/scripts/tree.sh" "$CHECK" >/dev/null 2>"$tmp/err"; then
  ko "tree-keeps-local-edits" "tree.sh reset a dirty tree"
elif grep -q 'uncommitted changes' "$tmp/err" &&
     grep -q 'local edit' "$CHECK/README.rst"; then
  ok "tree-keeps-local-edits"
else
  ko "tree-keeps-local-edits" "$(cat "$tmp/err")"
fi
git -C "$CHECK" checkout -q -- README.rst

# 4. A second deps.sh run does nothing (no apt) and succeeds.
if out=$(PATH="$tmp/noapt:$PATH" && mkdir -p "$tmp/noapt" &&
         printf '#!/bin/sh\necho apt called >&2; exit 1\n' > "$tmp/noapt/apt-get" &&
         chmod +x "$tmp/noapt/apt-get" &&
         PATH="$tmp/noapt:$PATH" "$TOP/scripts/deps.sh" 2>&1) && [ -z "$out" ]; then
  ok "deps-second-run-is-noop"
else
  ko "deps-second-run-is-noop" "$out"
fi

# 5. A wrong checksum stops base.sh with the version and expected sum.
mkdir -p "$tmp/cache"
sed 's/^be05/0000/' "$TOP/base/SHA256SUMS" > "$tmp/SUMS"
if VTD_CACHE=$tmp/cache VTD_BASE_SUMS=$tmp/SUMS timeout 300 \
     "$TOP/scripts/base.sh" >/dev/null 2>"$tmp/err"; then
  ko "base-refuses-bad-checksum" "base.sh accepted a wrong checksum"
elif grep -q '1:10.2.2+ds-1' "$tmp/err" && grep -q '0000' "$tmp/err"; then
  ok "base-refuses-bad-checksum"
else
  ko "base-refuses-bad-checksum" "$(tail -2 "$tmp/err" | tr '\n' ' ')"
fi

# 6. make mbox: the sub-series' mboxes, applied in order with git am
#    --empty=drop (the cover letter is an empty patch) on a
#    fresh base tree, give the series' tree; each patch signed off by the
#    exporting user.
if mboxes=$(timeout 600 "$TOP/scripts/mbox.sh" "$tmp/mbox" 2>"$tmp/mbox.err"); then
  git clone -q "$CHECK" "$tmp/am" && git -C "$tmp/am" checkout -q "base-$QEMU_UPSTREAM_VERSION" &&
    git -C "$tmp/am" config user.name "mbox test" && git -C "$tmp/am" config user.email mbox@test
  am_ok=1
  for m in $mboxes; do
    git -C "$tmp/am" am -q --empty=drop "$m" >"$tmp/am.log" 2>&1 || { am_ok=0; break; }
  done
  n=$(git -C "$tmp/am" rev-list --count "base-$QEMU_UPSTREAM_VERSION..HEAD" 2>/dev/null)
  me=$(git -C "$TOP" config user.name)
  unsigned=$(git -C "$tmp/am" log --format=%B "base-$QEMU_UPSTREAM_VERSION..HEAD" |
             grep -c "^Signed-off-by: $me <" || true)
  if [ $am_ok = 0 ]; then
    ko "mbox-applies-with-git-am" "git am $(basename "$m"): $(tail -2 "$tmp/am.log" | tr '\n' ' ')"
  elif [ "$(git -C "$tmp/am" rev-parse 'HEAD^{tree}')" != "$(git -C "$CHECK" rev-parse 'HEAD^{tree}')" ]; then
    ko "mbox-applies-with-git-am" "the applied mboxes give another tree than the series"
  elif [ "$n" != "$(grep -c . "$TOP/patches/series")" ] || [ "$unsigned" -lt "$n" ]; then
    ko "mbox-applies-with-git-am" "$n commits, $unsigned signed off by $me"
  else
    ok "mbox-applies-with-git-am"
  fi
else
  ko "mbox-applies-with-git-am" "scripts/mbox.sh failed: $(tail -2 "$tmp/mbox.err" | tr '\n' ' ')"
fi

