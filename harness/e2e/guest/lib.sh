# SPDX-License-Identifier: GPL-2.0-or-later
#
# shellcheck shell=dash
# Helpers for L1 scenarios (busybox sh). Source it: . /e2e/lib.sh
#
# A scenario passes by exiting 0. It fails by calling `fail REASON`, which
# prints "reason: REASON" (the line /init reports) and exits 1.
#
# The inner QEMU is driven over the qtest protocol on its stdin/stdout:
#   qtest_start ARGS...   start /usr/bin/qemu-system-x86_64 -qtest stdio ARGS
#   qtest_cmd LINE        send one command, put its answer line in $REPLY
#   qtest_stop            close the protocol, stop QEMU
# QEMU's stderr is in $QTEST_DIR/stderr.

QEMU=/usr/bin/qemu-system-x86_64
QTEST_TIMEOUT=${QTEST_TIMEOUT:-30}   # seconds to wait for one answer
QTEST_DIR=
QTEST_PID=

# A write to the protocol pipe of a QEMU that has exited must fail, not
# kill the scenario with SIGPIPE; qtest_cmd then reports how QEMU ended.
trap '' PIPE

say() { echo "$*"; }
fail() {
  echo "reason: $*"
  qtest_stop
  exit 1
}

# The last non-empty line of a file, for error messages.
last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -1; }

qtest_start() {
  QTEST_DIR=$(mktemp -d /tmp/qtest.XXXXXX)
  mkfifo "$QTEST_DIR/in"
  : >"$QTEST_DIR/out"
  say "inner QEMU: $QEMU -qtest stdio $*"
  # -qtest-log /dev/null: otherwise the protocol traffic floods stderr.
  "$QEMU" -qtest stdio -qtest-log /dev/null -L /usr/share/qemu "$@" \
    <"$QTEST_DIR/in" >"$QTEST_DIR/out" 2>"$QTEST_DIR/stderr" &
  QTEST_PID=$!
  # /init stops what a timed-out scenario leaves behind.
  echo "$QTEST_PID" >>/tmp/inner-qemu.pids
  # Opening the write end meets QEMU's (its shell's) open of the read end.
  exec 3>"$QTEST_DIR/in"
}

# qtest_cmd LINE: one request, one answer (in $REPLY). QEMU reads the
# protocol only once the machine is created, so the first answer also
# tells that QEMU started.
qtest_cmd() {
  local n i
  [ -n "$QTEST_PID" ] || fail "qtest_cmd '$1': the inner QEMU is not running"
  n=$(wc -l <"$QTEST_DIR/out")
  echo "$1" >&3 2>/dev/null
  i=0
  while [ "$(wc -l <"$QTEST_DIR/out")" -le "$n" ]; do
    if ! kill -0 "$QTEST_PID" 2>/dev/null; then
      wait "$QTEST_PID"
      local rc=$?
      QTEST_PID=
      fail "inner QEMU exited (status $rc) before answering '$1': $(last_line "$QTEST_DIR/stderr")"
    fi
    i=$((i + 1))
    [ $i -le $((QTEST_TIMEOUT * 10)) ] ||
      fail "no qtest answer to '$1' within ${QTEST_TIMEOUT}s"
    sleep 0.1
  done
  REPLY=$(sed -n "$((n + 1))p" "$QTEST_DIR/out")
}

qtest_stop() {
  [ -n "$QTEST_DIR" ] || return 0
  exec 3>&- 2>/dev/null
  if [ -n "$QTEST_PID" ]; then
    kill "$QTEST_PID" 2>/dev/null
    wait "$QTEST_PID" 2>/dev/null
    QTEST_PID=
  fi
  if [ -s "$QTEST_DIR/stderr" ]; then
    sed 's/^/inner QEMU stderr: /' "$QTEST_DIR/stderr"
    : >"$QTEST_DIR/stderr"
  fi
}

# PCI configuration read through the legacy 0xcf8/0xcfc ports of the
# inner machine: pci_cfg_readl BUS DEV FN OFFSET -> value in $REPLY ("0x...")
pci_cfg_readl() {
  local addr
  addr=$(printf '0x%08x' $(( 0x80000000 | ($1 << 16) | ($2 << 11) | ($3 << 8) | $4 )))
  qtest_cmd "outl 0xcf8 $addr"
  [ "$REPLY" = OK ] || fail "qtest 'outl 0xcf8 $addr' answered '$REPLY'"
  qtest_cmd "inl 0xcfc"
  case $REPLY in
    "OK 0x"*) REPLY=${REPLY#OK } ;;
    *) fail "qtest 'inl 0xcfc' answered '$REPLY'" ;;
  esac
}

# Run the series' libqtest program intel-iommu-vfio-test against edu
# ($EDU_BDF, bound to vfio-pci) with the extra arguments given (e.g.
# "-p /x86_64/q35/vfio/edu/dma-no-viommu"); fail unless every case ran
# and passed.
run_vfio_qtest() {
  local out rc
  [ -n "${EDU_BDF:-}" ] || fail "no edu device (1234:11e8) in L1"
  [ -x /usr/bin/intel-iommu-vfio-test ] ||
    fail "intel-iommu-vfio-test is not in the initramfs (not built next to QEMU)"
  # L0's pasid-dma supports Execute and Privileged Mode (run.sh), L1's
  # kernel enables both: the capability the guest sees must say so; its
  # AER capability at 0x100, which VFIO exposes, must stay where it is.
  out=$(cd /tmp &&
        if [ -n "${PDMA_BDF:-}" ]; then export VTD_E2E_PDMA_HOST=$PDMA_BDF; fi &&
        VTD_E2E_VFIO_HOST=$EDU_BDF VTD_E2E_PDMA_PASID_CAP=0x0806 \
        VTD_E2E_PDMA_AER_CAP=0x100 \
        QTEST_QEMU_BINARY=$QEMU \
        /usr/bin/intel-iommu-vfio-test --tap "$@" 2>&1)
  rc=$?
  echo "$out" | grep -E '^(ok|not ok)|ERROR|qemu-system' |
    while read -r l; do say "$l"; done
  [ $rc -eq 0 ] || fail "intel-iommu-vfio-test exited with $rc"
  echo "$out" | grep -q '^ok .*# SKIP' && fail "intel-iommu-vfio-test skipped"
  echo "$out" | grep -q '^ok ' || fail "intel-iommu-vfio-test ran no case"
}

# expect_refusal IOMMU_OPTS TRACE [BDF]: start the inner QEMU with
# -device intel-iommu,IOMMU_OPTS and the device at BDF (default edu,
# $EDU_BDF) through vfio-pci on iommufd, tracing TRACE, and fail unless
# QEMU refuses to start (exits non-zero by itself within 60 s; -S:
# nothing runs if it wrongly accepts). Its stderr is in $REFUSAL_ERR,
# its last line (the reason) in $REFUSAL.
expect_refusal() {
  local rc host=${3:-${EDU_BDF:-}}
  [ -n "$host" ] || fail "no device to refuse (edu 1234:11e8 not in L1?)"
  REFUSAL_ERR=/tmp/refusal.$$.err
  say "inner QEMU: intel-iommu,$1 + vfio-pci $host (must be refused)"
  timeout 60 "$QEMU" -machine q35 -accel qtest -qtest null -S -nodefaults \
    -display none -m 128 -L /usr/share/qemu \
    -device "intel-iommu,$1" \
    -object iommufd,id=fd0 \
    -device "vfio-pci,host=$host,iommufd=fd0,rombar=0,addr=04.0" \
    -trace "$2" >/dev/null 2>"$REFUSAL_ERR"
  rc=$?
  sed 's/^/inner QEMU stderr: /' "$REFUSAL_ERR"
  case $rc in
    0)   fail "inner QEMU exited 0: it accepted the device" ;;
    124|143) fail "inner QEMU was still running after 60 s: it accepted the device" ;;
  esac
  REFUSAL=$(last_line "$REFUSAL_ERR")
  [ -n "$REFUSAL" ] || fail "inner QEMU exited $rc without saying why"
  say "refused (exit $rc): $REFUSAL"
}
