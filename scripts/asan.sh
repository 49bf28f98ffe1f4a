#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make asan`: the series' intel-iommu qtests and the host-binding unit
# test against an AddressSanitizer + UndefinedBehaviorSanitizer build of
# the whole series (patches/, applied in its own tree $WORK/asan).
#
# Any ASan report (invalid access, leak at exit) or UBSan report (UB is
# made fatal with -fno-sanitize-recover) fails the test that triggered
# it. Prints one "PASS|FAIL <name>: <detail>" line per test and the
# build and run times. Not part of `make check` (the sanitizer build
# adds a cold QEMU build to the run; times are in README.md).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
LOG_TAG=asan

ASAN_TREE=$WORK/asan
TESTS=(qtest/intel-iommu-test qtest/intel-iommu-dma-test qtest/intel-iommu-vfio-test
       qtest/intel-iommu-bind-test unit/test-vtd-bind)

start=$(date +%s)
if ! "$TOP/scripts/tree.sh" --force "$ASAN_TREE" >/dev/null 2>"$WORK/asan-apply.log"; then
  echo "FAIL asan/apply: $(tail -1 "$WORK/asan-apply.log")"; exit 1
fi
log "building the series with --enable-asan --enable-ubsan in $ASAN_TREE/build"
targets=()
for t in "${TESTS[@]}"; do targets+=("tests/$t"); done
if ! out=$("$TOP/scripts/build.sh" --tree "$ASAN_TREE" \
             --configure "--enable-asan --enable-ubsan --disable-werror" \
             "${targets[@]}" 2>&1); then
  echo "$out" | tail -20
  echo "FAIL asan/build"; exit 1
fi
built=$(date +%s)
echo "PASS asan/build: $((built - start)) s"
B=$ASAN_TREE/build

# UBSan: every report is an error; print stacks. ASan: leaks are checked
# at exit (LeakSanitizer); glib's and the process' one-time allocations
# that live until exit are not leaks and are not reported as such.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_odr_violation=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# QEMU's stderr goes to the test's stderr: a sanitizer report there is
# a failure even when the test itself passes (QEMU may exit non-zero
# only at shutdown, after the test has its answers).
rc=0
for t in "${TESTS[@]}"; do
  n=${t#*/}
  if [ ! -x "$B/tests/$t" ]; then echo "FAIL asan/$n: not built"; rc=1; continue; fi
  if out=$(cd "$B" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
             timeout 1800 "./tests/$t" --tap 2>&1); then ok=1; else ok=0; fi
  reports=$(echo "$out" | grep -c -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:')
  if [ $ok = 1 ] && [ "$reports" = 0 ]; then
    echo "PASS asan/$n: $(echo "$out" | grep -c '^ok ') cases, no sanitizer report"
  else
    echo "FAIL asan/$n: $reports sanitizer reports, test exit $([ $ok = 1 ] && echo ok || echo failed)"
    echo "$out" | grep -E -A25 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|^not ok' |
      head -60 | sed 's/^/    /'
    rc=1
  fi
done
echo "asan: build $((built - start)) s, tests $(( $(date +%s) - built )) s"
exit $rc
