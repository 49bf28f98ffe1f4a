#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Check the series in patches/: it applies to the pinned base, every patch
# passes the base's scripts/checkpatch.pl, and every patch builds on its
# own and passes the intel-iommu qtests that exist at that point.
#
# Works in its own tree ($WORK/check), never in the hacking tree. Prints
# one "PASS|FAIL|SKIP <name>: <detail>" line per check on stdout.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=check-series

CHECK=$WORK/check
# <dir under tests/>/<meson test name>; each runs from the patch that adds it
QTESTS=(qtest/intel-iommu-test qtest/intel-iommu-dma-test qtest/intel-iommu-vfio-test
        qtest/intel-iommu-bind-test unit/test-vtd-bind)

result() { printf '%s %s\n' "$1" "$2"; }

# What a commit message must not name: this repository's own paths,
# targets and scripts (they mean nothing on qemu-devel).
LOCAL_REFS='harness/|scripts/(check|check-series|tree|export|mbox|build|deps|base)\.sh|make (e2e|check|demo|bench|asan|mbox|export|tree)\b|\.ci/|vtd-pasid (harness|repository)|e2e runner'

if ! "$TOP/scripts/tree.sh" --force "$CHECK" >/dev/null 2>"$WORK/check-apply.log"; then
  result FAIL "series/apply: $(tail -1 "$WORK/check-apply.log")"
  exit 1
fi
result PASS "series/apply: $(grep -c . "$TOP/patches/series") patches apply to the base"

commits=$(git -C "$CHECK" rev-list --reverse "base-$QEMU_UPSTREAM_VERSION..HEAD")
mapfile -t names < <(grep -v '^#' "$TOP/patches/series" | grep .)

rc=0
i=0
for c in $commits; do
  p=${names[$i]}
  i=$((i + 1))
  # checkpatch, on the exported patch file
  out=$(cd "$CHECK" && ./scripts/checkpatch.pl "$TOP/patches/$p" 2>&1)
  if echo "$out" | grep -q '^total: 0 errors'; then
    w=$(echo "$out" | sed -n 's/^total: 0 errors, \([0-9]*\) warnings.*/\1/p')
    result PASS "checkpatch/$p: 0 errors, ${w:-0} warnings"
    [ "${w:-0}" = 0 ] || echo "$out" | grep -A3 '^WARNING' | sed 's/^/    /'
  else
    result FAIL "checkpatch/$p"
    if echo "$out" | grep -q '^ERROR'; then
      echo "$out" | grep -A4 '^ERROR' | sed 's/^/    /'
    else
      echo "$out" | tail -5 | sed 's/^/    /'
    fi
    rc=1
  fi

  # The commit message, as qemu-devel will read it: QEMU and the spec
  # only (nothing of this repository), and a Signed-off-by
  msg=$(sed -n '/^Subject:/,/^---$/p' "$TOP/patches/$p")
  if local_ref=$(echo "$msg" | grep -m1 -nE "$LOCAL_REFS"); then
    result FAIL "message/$p: names this repository ($local_ref)"
    rc=1
  elif ! echo "$msg" | grep -q '^Signed-off-by: .* <.*@.*>$'; then
    result FAIL "message/$p: no Signed-off-by"
    rc=1
  else
    result PASS "message/$p"
  fi
  # No experimental (x-) QOM type in the product: test doubles live in
  # tests/ or exist only under the qtest accelerator with another name
  if xtype=$(awk '/^\+\+\+ b\// { f = substr($2, 3) }
                 f !~ /^tests\// && /^\+/ &&
                 (/#define TYPE_[A-Z0-9_]+[ \t]+"x-/ || /\.name[ \t]*=[ \t]*"x-/) {
                   print f ": " substr($0, 2); exit 1 }' "$TOP/patches/$p"); then
    :
  else
    result FAIL "qom-type/$p: adds an x- QOM type outside tests/ ($xtype)"
    rc=1
  fi

  git -C "$CHECK" checkout -q "$c"
  targets=()
  for q in "${QTESTS[@]}"; do
    grep -q "'${q#*/}'" "$CHECK/tests/${q%%/*}/meson.build" && targets+=("tests/$q")
  done
  if ! out=$("$TOP/scripts/build.sh" --tree "$CHECK" "${targets[@]}" 2>&1); then
    result FAIL "build/$p: $(echo "$out" | tail -3 | tr '\n' ' ')"
    rc=1
    continue
  fi
  result PASS "build/$p"
  for q in "${targets[@]}"; do
    n=$(basename "$q")
    if log=$(cd "$CHECK/build" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
             timeout 300 "./$q" --tap 2>&1); then
      result PASS "qtest-at/$p/$n: $(echo "$log" | grep -c '^ok') cases"
    else
      result FAIL "qtest-at/$p/$n"
      echo "$log" | grep -v '^ok' | tail -20 | sed 's/^/    /'
      rc=1
    fi
  done
done
git -C "$CHECK" checkout -q main
[ "$i" = "${#names[@]}" ] || { result FAIL "series/commits: $i commits for ${#names[@]} patches"; rc=1; }

# The final state once more, one line per test case.
for q in "${QTESTS[@]}"; do
  [ -x "$CHECK/build/tests/$q" ] || continue
  ( cd "$CHECK/build" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
      timeout 300 "./tests/$q" --tap 2>&1 ) |
    awk -v q="$q" '
      /^ok .*# SKIP/ { sub(/^ok [0-9]+ /, ""); print "SKIP " q ":" $0; next }
      /^ok /        { sub(/^ok [0-9]+ /, ""); print "PASS " q ":" $0; next }
      /^not ok /    { sub(/^not ok [0-9]+ /, ""); print "FAIL " q ":" $0; bad=1; next }
      /^Bail out|^# .*(ERROR|assertion)/ { print "    " $0 }
      END { exit bad }' || rc=1
done
exit $rc
