#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the series' intel-iommu DMA and host-binding qtests with QEMU under
# valgrind memcheck
# (the check tree made by scripts/check-series.sh). Any invalid access,
# use of uninitialised memory or definitely-lost block in QEMU fails it.
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
B=$WORK/check/build
name="memcheck"

if ! command -v valgrind >/dev/null; then
  echo "SKIP $name: valgrind is not installed"; exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# libqtest wants a binary named *-system-<arch>: a wrapper of that name.
mkdir -p "$tmp/bin"
cat > "$tmp/bin/qemu-system-x86_64" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=0 --leak-check=full \\
  --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
  --log-file=$tmp/vg.%p.log $B/qemu-system-x86_64 "\$@"
WRAP
chmod +x "$tmp/bin/qemu-system-x86_64"

# The DMA qtest, and the host-binding qtest (its test double exercises
# every binding path, including host failures, reset and migration).
for q in intel-iommu-dma-test intel-iommu-bind-test; do
  name="memcheck/$q"
  rm -f "$tmp"/vg.*.log
  if [ ! -x "$B/tests/qtest/$q" ]; then
    echo "FAIL $name: $B/tests/qtest/$q not built"; continue
  fi
  if ! out=$(cd "$B" && QTEST_QEMU_BINARY=$tmp/bin/qemu-system-x86_64 \
             timeout 1200 "./tests/qtest/$q" --tap 2>&1); then
    echo "FAIL $name: the qtest failed under valgrind"
    echo "$out" | grep -E '^not ok|ERROR' | head -5 | sed 's/^/    /'
    continue
  fi
  n=$(echo "$out" | grep -c '^ok')
  bad=$(cat "$tmp"/vg.*.log 2>/dev/null | grep -c -E 'Invalid (read|write)|uninitialised|definitely lost')
  if [ "$bad" != 0 ]; then
    echo "FAIL $name: $bad memcheck reports"
    cat "$tmp"/vg.*.log | grep -A12 -E 'Invalid|uninitialised|definitely' | head -40 | sed 's/^/    /'
  else
    echo "PASS $name: $n cases, no invalid access, no definite leak"
  fi
done

# The host-binding logic with its test double: every injected failure
# must leave no definitely-lost block in QEMU's own code either.
name="memcheck/test-vtd-bind"
if [ ! -x "$B/tests/unit/test-vtd-bind" ]; then
  echo "FAIL $name: $B/tests/unit/test-vtd-bind not built"; exit 0
fi
if out=$(timeout 600 valgrind -q --error-exitcode=99 --leak-check=full \
           --show-leak-kinds=definite --errors-for-leak-kinds=definite \
           "$B/tests/unit/test-vtd-bind" --tap 2>&1); then
  echo "PASS $name: $(echo "$out" | grep -c '^ok') cases, no invalid access, no definite leak"
else
  echo "FAIL $name: valgrind or the test reported errors"
  echo "$out" | grep -v '^ok' | head -30 | sed 's/^/    /'
fi
