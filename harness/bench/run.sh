#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: instructions per operation of the unpatched QEMU 10.2.2 and
# of the patched one, counted by valgrind callgrind on the same guest
# workload (harness/bench/vtd_bench.py). A benchmark, not a test: it
# fails only when something could not be run. Figures also go to
# $CACHE/bench/last.txt.
#
#   harness/bench/run.sh [vtd_bench.py options, e.g. --psi 50 --dma 100]
#
# The binaries are built (incrementally) by the repository scripts, as
# make qemu and make qemu-base do. BENCH_QEMU / BENCH_QEMU_BASE name
# already built binaries instead (no build step).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
LOG_TAG=bench

start=$(date +%s)
command -v valgrind >/dev/null || die "valgrind is not installed (scripts/deps.sh installs it)"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is missing"

if [ -n "${BENCH_QEMU:-}" ]; then
  patched=$BENCH_QEMU
  log "patched QEMU (BENCH_QEMU): $patched"
else
  log "patched QEMU: scripts/qemu.sh"
  patched=$(timeout 4500 "$TOP/scripts/qemu.sh" | tail -1) ||
    die "could not build the patched QEMU (scripts/qemu.sh)"
fi
if [ -n "${BENCH_QEMU_BASE:-}" ]; then
  base=$BENCH_QEMU_BASE
  log "unpatched QEMU (BENCH_QEMU_BASE): $base"
else
  log "unpatched QEMU $QEMU_UPSTREAM_VERSION: scripts/tree.sh --base-only, scripts/build.sh"
  tree=$(timeout 1200 "$TOP/scripts/tree.sh" --base-only | tail -1) ||
    die "could not make the base tree (scripts/tree.sh --base-only)"
  base=$(timeout 4500 "$TOP/scripts/build.sh" --tree "$tree" | tail -1) ||
    die "could not build the unpatched QEMU (scripts/build.sh --tree $tree)"
fi
for b in "$patched" "$base"; do
  [ -x "$b" ] || die "not an executable: $b"
done

log "4 QEMU runs under callgrind (about 30 s)"
timeout 1800 /usr/bin/python3 "$TOP/harness/bench/vtd_bench.py" \
  --base "$base" --patched "$patched" --out "$CACHE/bench/last.txt" "$@" ||
  die "the benchmark could not be run (exit status $?)"
log "done in $(( $(date +%s) - start )) s"
