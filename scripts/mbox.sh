#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make mbox: the series as mailing-list sub-series, one mbox each, ready
# for git send-email. The sub-series and their cover letters are in
# cover/ (cover/subseries, cover/<name>.txt).
#
#   scripts/mbox.sh [OUTDIR]     (default: $CACHE/mbox)
#
# Applies patches/ in its own tree ($WORK/mbox), then runs git
# format-patch per sub-series with a cover letter and --signoff from the
# exporting user's own git identity (git config user.name / user.email
# as seen from this repository; the patch files' own trailers are kept),
# checks every patch with the base's scripts/checkpatch.pl, and writes
# OUTDIR/<N>-<name>.mbox (cover letter first) plus OUTDIR/<N>-<name>/
# with the single files. Prints the mbox paths.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=mbox

out=${1:-$CACHE/mbox}
name=$(git -C "$TOP" config user.name || true)
email=$(git -C "$TOP" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] ||
  die "no git identity to sign off with: set git config user.name and user.email"

tree=$("$TOP/scripts/tree.sh" --force "$WORK/mbox" | tail -1)
mapfile -t commits < <(git -C "$tree" rev-list --reverse "base-$QEMU_UPSTREAM_VERSION..HEAD")
subj() { git -C "$tree" log -1 --format=%s "$1"; }

# The first commit of each sub-series, by subject
names=() firsts=()
while read -r n s; do
  case $n in ''|'#'*) continue ;; esac
  idx=
  for i in "${!commits[@]}"; do
    [ "$(subj "${commits[$i]}")" = "$s" ] && { idx=$i; break; }
  done
  [ -n "$idx" ] || die "cover/subseries: no patch with subject '$s'"
  [ -f "$TOP/cover/$n.txt" ] || die "no cover letter cover/$n.txt"
  names+=("$n") firsts+=("$idx")
done < "$TOP/cover/subseries"
[ "${firsts[0]:-}" = 0 ] || die "cover/subseries must start with the first patch"

rm -rf "$out"
mkdir -p "$out"
bad=0
for k in "${!names[@]}"; do
  n=${names[$k]} from=${firsts[$k]}
  if [ $((k + 1)) -lt ${#names[@]} ]; then
    to=$(( ${firsts[$((k + 1))]} - 1 ))
  else
    to=$(( ${#commits[@]} - 1 ))
  fi
  [ "$to" -ge "$from" ] || die "cover/subseries: sub-series $n is empty"
  dir=$out/$((k + 1))-$n
  cover=$TOP/cover/$n.txt
  GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
    git -C "$tree" format-patch -q --cover-letter --signoff --thread \
      --no-signature --encode-email-headers -o "$dir" \
      "${commits[$from]}~1..${commits[$to]}"
  # The cover letter: subject and body from cover/<name>.txt
  c=$(ls "$dir"/0000-*.patch)
  python3 - "$c" "$cover" <<'PY'
import sys
c, cover = sys.argv[1], sys.argv[2]
lines = open(cover).read().rstrip("\n").split("\n")
subject, body = lines[0], "\n".join(lines[1:]).strip("\n")
s = open(c).read()
s = s.replace("*** SUBJECT HERE ***", subject, 1)
s = s.replace("*** BLURB HERE ***", body, 1)
open(c, "w").write(s)
PY
  for p in "$dir"/*.patch; do
    case $p in */0000-*) continue ;; esac
    if ! o=$(cd "$tree" && ./scripts/checkpatch.pl "$p" 2>&1) ||
       ! echo "$o" | grep -q '^total: 0 errors'; then
      log "checkpatch: $(basename "$p"): $(echo "$o" | grep -m1 '^ERROR' || echo "$o" | tail -1)"
      bad=1
    fi
  done
  cat "$dir"/*.patch > "$out/$((k + 1))-$n.mbox"
  log "$((k + 1))-$n: $((to - from + 1)) patches + cover letter, signed off by $name <$email>"
done
[ $bad = 0 ] || die "checkpatch found errors (see above)"
ls -1 "$out"/*.mbox
