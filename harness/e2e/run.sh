#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# harness/e2e/run.sh [--verbose] [--selftest] [SCENARIO...]
#
# The real-kernel chain (BRIEF section 10):
#   L0 = the patched QEMU (scripts/qemu.sh), TCG, q35, scalable-mode
#        intel-iommu, an edu device behind it
#   L1 = Linux built from Debian's linux-source-7.3 (l1-kernel.sh) with
#        iommufd + vfio-pci, booted with intel_iommu=on,sm_on from an
#        initramfs (initramfs.sh) whose /init binds edu to vfio-pci and
#        runs the scenarios (scenarios/<name>.sh) one after the other
#   inner = the same QEMU inside L1, -accel qtest, using edu through
#        L1's /dev/iommu and /dev/vfio/devices/vfioN
# Prints one line per scenario, "PASS <name>" or "FAIL <name>: <reason>",
# then "N passed, N failed"; exits non-zero if any scenario failed or did
# not run. Without SCENARIO arguments, every scenarios/*.sh made for L0's
# options runs (a "# e2e-l0-iommu-opts: OPTS" line names other options).
#
#   --verbose    stream L1's console, each line prefixed with "  l1| "
#   --selftest   negative control of the harness: L1 boots with
#                intel_iommu=off, so vfio-pci cannot bind and vfio-bind
#                and vfio-dma must both FAIL; the self-test passes only
#                if they did
#
# Every stage has a limit (seconds; environment overrides):
#   E2E_KERNEL_TIMEOUT    L1 kernel build (l1-kernel.sh)        3600
#   E2E_BOOT_TIMEOUT      L0 start until L1's /init runs          120
#   E2E_SCENARIO_TIMEOUT  one scenario, enforced inside L1        120
#                         (the host gives up 30 s after that)
#   E2E_STEP_TIMEOUT      any other step inside L1, power-off      30
# Other environment:
#   E2E_QEMU=path         use this QEMU instead of building scripts/qemu.sh
#   E2E_ACCEL=tcg|kvm     accelerator of L0; unset: KVM if a probe boot of
#                         L1 under KVM reaches /init, else TCG (see below)
#   E2E_PROBE_TIMEOUT     limit of that probe boot (seconds, default 20)
#   E2E_L0_IOMMU_OPTS     appended to L0's intel-iommu options, e.g. ",x-flts=on",
#                         or ",x-flts=on,x-nested=on" (L0 nests: viommu-nested)
#
# Logs of the latest run live in $CACHE/e2e/run (selftest: .../selftest):
# l1-console.log, l0-stderr.log, l0-trace.log; their paths are printed on
# failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../scripts/lib.sh"
LOG_TAG=e2e
say() { printf 'e2e: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- options

VERBOSE='' SELFTEST='' SCENARIOS=()
while [ $# -gt 0 ]; do
  case $1 in
    --verbose|-v) VERBOSE=1 ;;
    --selftest)   SELFTEST=1 ;;
    -h|--help)    sed -n '4,40s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*)           die "unknown option $1 (see $0 --help)" ;;
    *)            SCENARIOS+=("$1") ;;
  esac
  shift
done

# Extra options of L0's intel-iommu, e.g. ",x-flts=on" (first stage).
L0_IOMMU_OPTS=${E2E_L0_IOMMU_OPTS:-}

# The default run takes the scenarios made for L0's mode: a scenario that
# needs other L0 options says so in a "# e2e-l0-iommu-opts: OPTS" line.
ALL_SCENARIOS=() KNOWN_SCENARIOS=()
for f in "$HERE"/scenarios/*.sh; do
  n=$(basename "$f" .sh)
  KNOWN_SCENARIOS+=("$n")
  want=$(sed -n 's/^# e2e-l0-iommu-opts: *//p' "$f")
  [ "$want" = "$L0_IOMMU_OPTS" ] && ALL_SCENARIOS+=("$n")
done
if [ -n "$SELFTEST" ]; then
  [ ${#SCENARIOS[@]} -eq 0 ] || die "--selftest takes no scenario names"
  SCENARIOS=(vfio-bind vfio-dma)
elif [ ${#SCENARIOS[@]} -eq 0 ]; then
  SCENARIOS=("${ALL_SCENARIOS[@]}")
fi
[ ${#SCENARIOS[@]} -gt 0 ] ||
  die "no scenario is made for L0 options '$L0_IOMMU_OPTS'; name some (have: ${KNOWN_SCENARIOS[*]})"
for s in "${SCENARIOS[@]}"; do
  [ -f "$HERE/scenarios/$s.sh" ] ||
    die "no scenario '$s' (have: ${KNOWN_SCENARIOS[*]})"
done

KERNEL_TIMEOUT=${E2E_KERNEL_TIMEOUT:-3600}
BOOT_TIMEOUT=${E2E_BOOT_TIMEOUT:-120}
SCENARIO_TIMEOUT=${E2E_SCENARIO_TIMEOUT:-120}
STEP_TIMEOUT=${E2E_STEP_TIMEOUT:-30}
export E2E_KERNEL_TIMEOUT=$KERNEL_TIMEOUT

# KVM: /dev/kvm on some machines is a nested, paravirtual KVM on which
# real guests die early with "KVM internal error ... emulation failure"
# (BRIEF section 9), and -accel kvm:tcg does not fall back then. So
# unless E2E_ACCEL says, a short probe boot of L1 under KVM (no
# scenarios) decides: KVM if it reaches /init, else TCG.
ACCEL=${E2E_ACCEL:-}
PROBE_TIMEOUT=${E2E_PROBE_TIMEOUT:-20}
case $ACCEL in ''|tcg|kvm) ;; *) die "E2E_ACCEL must be tcg or kvm, not '$ACCEL'" ;; esac

E2E=$CACHE/e2e
RUN=$E2E/run
[ -z "$SELFTEST" ] || RUN=$E2E/selftest
mkdir -p "$RUN"

# One chain at a time per cache: runs share the kernel build and logs.
exec 9>"$E2E/.run.lock"
if ! flock -n 9; then
  say "another e2e run holds $E2E/.run.lock; waiting (up to 30 min)"
  flock -w 1800 9 || die "lock $E2E/.run.lock still held"
fi

START=$SECONDS
stage_time() { printf '%d s' $((SECONDS - $1)); }

# ------------------------------------------------- 1. L1 kernel and QEMU

t=$SECONDS
BZIMAGE=$("$HERE/l1-kernel.sh" | tail -1) || die "L1 kernel build failed (see above)"
[ -f "$BZIMAGE" ] || die "l1-kernel.sh printed no bzImage path"
say "L1 kernel: $BZIMAGE ($(stage_time "$t"))"

t=$SECONDS
if [ -n "${E2E_QEMU:-}" ]; then
  QEMU=$E2E_QEMU
else
  QEMU=$("$TOP/scripts/qemu.sh" tests/qtest/intel-iommu-vfio-test | tail -1) ||
    die "building the patched QEMU failed (see above)"
fi
[ -x "$QEMU" ] || die "not an executable QEMU: '$QEMU'"
say "QEMU: $QEMU ($(stage_time "$t"))"

# ------------------------------------------------------- 2. initramfs

t=$SECONDS
INITRD=$RUN/initramfs.cpio
timeout 300 "$HERE/initramfs.sh" "$QEMU" "$INITRD" ||
  die "building the L1 initramfs failed or took over 300 s"
say "L1 initramfs: $INITRD ($(du -m "$INITRD" | cut -f1) MB, $(stage_time "$t"))"

# ------------------------------------------------------------ 3. boot L0

CONSOLE=$RUN/l1-console.log
QERR=$RUN/l0-stderr.log
TRACE=$RUN/l0-trace.log
EVENTS=$RUN/l0-trace-events
rm -f "$CONSOLE" "$QERR" "$TRACE"

# L0's trace, narrowly (no vtd_ir_*, thousands of events): root table,
# invalidations, PASID cache, address-space switches, faults.
cat >"$EVENTS" <<'EOF'
vtd_reg_dmar_root
vtd_dmar_enable
vtd_inv_desc
vtd_inv_desc_cc_*
vtd_inv_desc_pasid_cache_*
vtd_inv_desc_iotlb_pasid*
vtd_pasid_*
vtd_switch_address_space
vtd_re_not_present
vtd_ce_not_present
vtd_dmar_fault
vtd_fault_disabled
EOF

L1_IOMMU=intel_iommu=on,sm_on
[ -z "$SELFTEST" ] || L1_IOMMU=intel_iommu=off
scen_csv=$(IFS=,; echo "${SCENARIOS[*]}")
APPEND="console=ttyS0 panic=-1 $L1_IOMMU e2e.scenarios=$scen_csv e2e.timeout=$SCENARIO_TIMEOUT"

# Output after which L0 can only sit there until a timeout.
HOPELESS='KVM internal error|emulation failure|No bootable device|Failed to open file|could not load'

# ------------------------------------------------- 3a. KVM probe boot

# probe_kvm: sets ACCEL and ACCEL_WHY. The probe boots L1 with the same
# kernel and initramfs and no scenarios; it passes once /init reports.
probe_kvm() {
  local pc=$RUN/probe-console.log pe=$RUN/probe-stderr.log pid hope t0=$SECONDS
  ACCEL=tcg
  if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    ACCEL_WHY="no usable /dev/kvm"; return
  fi
  if ! "$QEMU" -accel help 2>/dev/null | grep -qx kvm; then
    ACCEL_WHY="this QEMU has no KVM support"; return
  fi
  say "probing KVM: booting L1 under KVM without scenarios (limit ${PROBE_TIMEOUT}s)"
  timeout -k 5 "$((PROBE_TIMEOUT + 5))" "$QEMU" -accel kvm \
    -machine q35,kernel-irqchip=split -smp 1 -m 1G \
    -device "intel-iommu,intremap=on,x-scalable-mode=on$L0_IOMMU_OPTS" \
    -nodefaults -nographic -serial stdio -no-reboot \
    -kernel "$BZIMAGE" -initrd "$INITRD" \
    -append "console=ttyS0 panic=-1 $L1_IOMMU e2e.scenarios= e2e.timeout=5" \
    </dev/null >"$pc" 2>"$pe" &
  pid=$!
  ACCEL_WHY="KVM probe did not reach L1's /init within ${PROBE_TIMEOUT}s (log $pc)"
  while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$PROBE_TIMEOUT" ]; do
    if grep -a -q 'E2E-L1: INIT' "$pc"; then
      ACCEL=kvm ACCEL_WHY="KVM probe boot reached L1's /init in $(stage_time "$t0")"
      break
    fi
    if hope=$(cat "$pe" "$pc" | grep -a -m1 -E "$HOPELESS"); then
      ACCEL_WHY="KVM probe failed: ${hope//$'\r'/} (log $pe)"
      break
    fi
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$ACCEL" = tcg ] && grep -a -q 'E2E-L1: INIT' "$pc"; then
    ACCEL=kvm ACCEL_WHY="KVM probe boot reached L1's /init"
  fi
}
# The verdict holds for this host boot, this QEMU and this kernel: it is
# kept in $E2E/kvm-probe so that later runs do not pay the probe again.
probe_key() {
  printf '%s %s %s\n' "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)" \
    "$(stat -c '%n %s %Y' "$QEMU" "$BZIMAGE" | tr '\n' ' ')" "$L0_IOMMU_OPTS"
}
if [ -z "$ACCEL" ] && [ -f "$E2E/kvm-probe" ] &&
   [ "$(head -1 "$E2E/kvm-probe")" = "$(probe_key)" ]; then
  ACCEL=$(sed -n 2p "$E2E/kvm-probe")
  ACCEL_WHY="$(sed -n 3p "$E2E/kvm-probe") [probe result of this host boot, cached in $E2E/kvm-probe]"
fi
if [ -z "$ACCEL" ]; then
  probe_kvm
  printf '%s\n%s\n%s\n' "$(probe_key)" "$ACCEL" "$ACCEL_WHY" >"$E2E/kvm-probe"
elif [ -z "${ACCEL_WHY:-}" ]; then
  ACCEL_WHY="set by E2E_ACCEL"
fi
say "L0 accelerator: $ACCEL ($ACCEL_WHY)"

# -nodefaults: no default CD-ROM (SeaBIOS would wait ~30 s for it), so
# the serial port is asked for explicitly. -no-reboot + panic=-1: a
# panicking L1 ends L0. The edu and pasid-dma devices come after the
# IOMMU so that they sit behind it (pasid-dma: an integrated endpoint
# with an 8-bit PASID capability that supports Execute and Privileged
# Mode after an AER capability, for the scenarios with PASIDs).
# shellcheck disable=SC2054  # commas belong to QEMU option values
L0_ARGS=(
  -accel "$ACCEL"
  -machine q35,kernel-irqchip=split -smp 1 -m 1G
  -device "intel-iommu,intremap=on,x-scalable-mode=on$L0_IOMMU_OPTS"
  -device edu,addr=03.0
  -device pasid-dma,addr=04.0,pasid-exec=on,pasid-priv=on,aer=on
  -nodefaults -nographic -serial stdio -no-reboot
  -kernel "$BZIMAGE" -initrd "$INITRD"
  -append "$APPEND"
  -trace "events=$EVENTS" -D "$TRACE"
)

# Backstop for the whole L0 run; the stage watchdogs below fire first.
L0_LIMIT=$((BOOT_TIMEOUT + ${#SCENARIOS[@]} * (SCENARIO_TIMEOUT + 30) + 2 * STEP_TIMEOUT + 60))

L0_PID='' TAIL_PID=''
cleanup() {
  [ -z "$L0_PID" ] || kill "$L0_PID" 2>/dev/null || true
  [ -z "$TAIL_PID" ] || kill "$TAIL_PID" 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

say "booting L0 ($ACCEL, intel-iommu x-scalable-mode=on$L0_IOMMU_OPTS) -> L1 ($L1_IOMMU), scenarios: ${SCENARIOS[*]}"
t_l0=$SECONDS
timeout -k 5 "$L0_LIMIT" "$QEMU" "${L0_ARGS[@]}" </dev/null >"$CONSOLE" 2>"$QERR" &
L0_PID=$!
if [ -n "$VERBOSE" ]; then
  tail -n +1 -F --pid="$L0_PID" "$CONSOLE" 2>/dev/null |
    sed -u -e 's/\r$//' -e 's/^/  l1| /' >&2 &
  TAIL_PID=$!
fi

# Follow the marker lines of guest/init. Only complete lines count.
markers() {
  local n
  n=$(wc -l <"$CONSOLE")
  head -n "$n" "$CONSOLE" | tr -d '\r' | grep -a -o 'E2E-L1: .*' || true
}

stage=boot          # boot -> init -> scenario -> between -> end
stage_start=$SECONDS current='' seen=0 stopped=''
declare -A RESULT=()
while kill -0 "$L0_PID" 2>/dev/null; do
  sleep 0.5
  mapfile -t lines < <(markers)
  for ((i = seen; i < ${#lines[@]}; i++)); do
    m=${lines[i]#E2E-L1: }
    case $m in
      INIT*)  stage=init; stage_start=$SECONDS
              say "L1 reached /init ($(stage_time "$t_l0") after L0 start)" ;;
      EDU*)   say "L1: edu ${m#EDU }" ;;
      PDMA*)  say "L1: pasid-dma ${m#PDMA }" ;;
      NOTE*)  say "L1: ${m#NOTE }" ;;
      BEGIN*) stage=scenario current=${m#BEGIN }; stage_start=$SECONDS ;;
      PASS*|FAIL*)
              name=${m#* }; name=${name%%:*}
              RESULT[$name]=$m
              say "scenario $name finished after $(stage_time "$stage_start")"
              echo "$m"
              if [[ $m == FAIL* ]] && [ -z "$VERBOSE" ]; then
                tr -d '\r' <"$CONSOLE" | grep -a -o "E2E-OUT $name: .*" |
                  grep -v "^E2E-OUT $name: reason: " |
                  sed "s/^E2E-OUT $name: /    | /" || true
              fi
              stage=between current=; stage_start=$SECONDS ;;
      END*)   stage=end; stage_start=$SECONDS ;;
    esac
  done
  seen=${#lines[@]}

  # Stage watchdogs.
  waited=$((SECONDS - stage_start))
  why=
  case $stage in
    boot)     [ $waited -lt "$BOOT_TIMEOUT" ] ||
                why="L1 did not reach /init within ${BOOT_TIMEOUT}s of L0's start" ;;
    scenario) [ $waited -lt $((SCENARIO_TIMEOUT + 30)) ] ||
                why="scenario $current still running after $((SCENARIO_TIMEOUT + 30))s (L1's own ${SCENARIO_TIMEOUT}s limit did not end it)" ;;
    init|between) [ $waited -lt "$STEP_TIMEOUT" ] ||
                why="L1 stuck for ${STEP_TIMEOUT}s after '${lines[-1]:-}'" ;;
    end)      [ $waited -lt "$STEP_TIMEOUT" ] ||
                why="L1 did not power off within ${STEP_TIMEOUT}s of finishing" ;;
  esac
  # (L1's console minus the harness' own lines, which carry inner output)
  if [ -z "$why" ] && hope=$( { cat "$QERR"; grep -a -v 'E2E-' "$CONSOLE"; } |
                              grep -a -m1 -E "$HOPELESS"); then
    why="L0/L1 cannot get further: ${hope//$'\r'/}"
  fi
  if [ -n "$why" ]; then
    stopped=$why
    say "stopping L0: $why"
    kill "$L0_PID" 2>/dev/null || true     # our timeout(1); it stops QEMU
    break
  fi
done
rc=0
wait "$L0_PID" || rc=$?
L0_PID=
if [ -n "$TAIL_PID" ]; then wait "$TAIL_PID" 2>/dev/null || true; TAIL_PID=; fi
say "L0 exited with status $rc after $(stage_time "$t_l0")"

# A last look at the console (results written just before power-off).
mapfile -t lines < <(markers)
for ((i = seen; i < ${#lines[@]}; i++)); do
  m=${lines[i]#E2E-L1: }
  case $m in
    PASS*|FAIL*) name=${m#* }; name=${name%%:*}; RESULT[$name]=$m; echo "$m" ;;
    END*) stage=end ;;
  esac
done
if [ -z "$stopped" ] && [ "$stage" != end ]; then
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    stopped="L0 hit its overall limit of ${L0_LIMIT}s"
  else
    stopped="L0 exited (status $rc) before L1 finished (stage $stage)"
    [ -s "$QERR" ] && sed 's/^/e2e:   l0 stderr: /' "$QERR" | tail -5 >&2
  fi
fi

# ------------------------------------------------------------ 4. verdict

passed=0 failed=0
for s in "${SCENARIOS[@]}"; do
  r=${RESULT[$s]:-}
  if [ -z "$r" ]; then
    r="FAIL $s: no result (${stopped:-L1 never ran it})"
    echo "$r"
    RESULT[$s]=$r
  fi
  case $r in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
  # L0's side of a scenario: scenarios/<name>.l0-check reads L0's trace
  # and says what it saw; its verdict is a line of its own, <name>/l0.
  chk=$HERE/scenarios/$s.l0-check
  [ -f "$chk" ] && [ -z "$SELFTEST" ] || continue
  if why=$(timeout "$STEP_TIMEOUT" bash "$chk" "$TRACE" 2>&1); then
    echo "PASS $s/l0: $why"; passed=$((passed + 1))
  else
    echo "FAIL $s/l0: $why"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"

print_logs() {
  say "logs kept:"
  say "  L1 console: $CONSOLE"
  say "  L0 stderr:  $QERR"
  say "  L0 trace:   $TRACE"
}

if [ -n "$SELFTEST" ]; then
  # Only the scenarios' own verdicts count: a chain that broke before
  # they ran proves nothing about the harness.
  for s in "${SCENARIOS[@]}"; do
    case ${RESULT[$s]} in
      "FAIL $s: no result"*)
        print_logs
        die "selftest: the chain broke before $s ran; cannot tell" ;;
      FAIL*) ;;
      *)
        print_logs
        die "selftest: $s PASSED with intel_iommu=off in L1: the harness does not see a missing IOMMU" ;;
    esac
  done
  say "selftest: PASS: with intel_iommu=off in L1, ${SCENARIOS[*]} failed as they must ($(stage_time "$START") total)"
  exit 0
fi

if [ "$failed" -ne 0 ]; then
  print_logs
  exit 1
fi
say "all passed ($(stage_time "$START") total)"
