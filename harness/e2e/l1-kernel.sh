#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# harness/e2e/l1-kernel.sh
#
# Build the L1 kernel of the real-kernel chain (BRIEF section 10) and print
# the path of its bzImage as the last line of stdout (progress goes to
# stderr).
#
#   1. fetch Debian's linux-source-7.3 at the pinned version below with
#      `apt-get download` (never installed; the trixie-backports source
#      and its -1 pin come from scripts/deps.sh), verify its SHA-256
#      against SHA256SUMS next to this script;
#   2. unpack the source tarball once into $CACHE/e2e/ (reused later);
#   3. out-of-tree build directory: `make tinyconfig`, merge the fragment
#      l1.config, `make olddefconfig`, then check that every option the
#      fragment sets to y is =y in .config (fail naming those that are not);
#   4. `make bzImage` with ccache, niced, with a timeout and progress.
#
# A later run with the same version, fragment and script finds the stamp
# next to the bzImage and returns in well under a second.
#
# Environment:
#   E2E_KERNEL_TIMEOUT=secs     limit for the kernel build (default 3600)
#   E2E_DOWNLOAD_TIMEOUT=secs   limit for the download (default 900)
#   E2E_JOBS=n                  make -j (default 2)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../scripts/lib.sh"
LOG_TAG=l1-kernel

# ---------------------------------------------------------------- settings

KPKG=linux-source-7.3
KVER=7.3.4-1~bpo13+1                      # pinned; never "the newest"
KDEB=${KPKG}_${KVER}_all.deb
KTAR=usr/src/$KPKG.tar.xz                 # the tarball inside the .deb
FRAGMENT=$HERE/l1.config

BUILD_TIMEOUT=${E2E_KERNEL_TIMEOUT:-3600}
DOWNLOAD_TIMEOUT=${E2E_DOWNLOAD_TIMEOUT:-900}
JOBS=${E2E_JOBS:-2}

E2E=$CACHE/e2e
DL=$E2E/download                          # the verified .deb
SRC=$E2E/src-${KVER//[~+]/_}              # pristine unpacked source tree
OBJ=$E2E/build-l1                         # out-of-tree build directory
LOGS=$E2E/logs
BZIMAGE=$OBJ/arch/x86/boot/bzImage
STAMP=$OBJ/.vtd-pasid-stamp
mkdir -p "$DL" "$LOGS"

for t in apt-get dpkg-deb tar xz make gcc ccache bc flex bison timeout \
         sha256sum flock nice; do
  command -v "$t" >/dev/null || die "missing host tool '$t' (run scripts/deps.sh)"
done
[ -f "$FRAGMENT" ] || die "missing config fragment $FRAGMENT"

# What the bzImage is made of: version, fragment and this script.
want_stamp=$( { echo "$KVER"; cat "$FRAGMENT" "$0"; } | sha256sum | cut -d' ' -f1)

# One build at a time per cache (run.sh calls this script too).
exec 8>"$E2E/.kernel.lock"
if ! flock -n 8; then
  log "another L1 kernel build holds $E2E/.kernel.lock; waiting (up to 1 h)"
  flock -w 3600 8 || die "lock $E2E/.kernel.lock still held"
fi

# Fast path: built before from the same inputs.
if [ -f "$BZIMAGE" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want_stamp" ]; then
  echo "$BZIMAGE"
  exit 0
fi

# ------------------------------------------------------ 1. fetch the source

fetch() {
  "$TOP/scripts/fetch-deb.sh" "$KPKG" "$KVER" "$KDEB" "$DL" "$HERE/SHA256SUMS" \
    "$DOWNLOAD_TIMEOUT" || die "the L1 kernel source is not available (see above)"
}

# ------------------------------------------------------------ 2. unpack once

unpack() {
  [ -f "$SRC/.vtd-pasid-unpacked" ] && return 0
  log "unpacking $KTAR from $KDEB into $SRC (about 1.8 GB, once)"
  rm -rf "$SRC" "$SRC.tmp"
  mkdir -p "$SRC.tmp"
  # Stream the tarball out of the .deb's data archive and unpack it without
  # keeping a copy; the tarball's top directory is stripped.
  # shellcheck disable=SC2016  # $1.. expand in the inner bash
  timeout 600 bash -o pipefail -c '
    dpkg-deb --fsys-tarfile "$1" | tar -xOf - "./$2" |
      tar -xJf - -C "$3" --strip-components=1' _ "$DL/$KDEB" "$KTAR" "$SRC.tmp" ||
    { rm -rf "$SRC.tmp"; die "unpacking $KTAR from $DL/$KDEB failed"; }
  if [ ! -f "$SRC.tmp/Makefile" ] || [ ! -f "$SRC.tmp/scripts/kconfig/merge_config.sh" ]; then
    rm -rf "$SRC.tmp"
    die "$KTAR does not look like a kernel source tree"
  fi
  touch "$SRC.tmp/.vtd-pasid-unpacked"
  mv "$SRC.tmp" "$SRC"
}

[ -f "$SRC/.vtd-pasid-unpacked" ] || fetch
unpack

# ---------------------------------------------------------- 3. configure

# Fixed build identity: the kernel's version string (init/version.o) and
# everything else then stays the same from one build to the next, so
# ccache hits on a rebuild from scratch.
export KBUILD_BUILD_TIMESTAMP="vtd-pasid e2e" KBUILD_BUILD_USER=vtd-pasid \
       KBUILD_BUILD_HOST=e2e
export CCACHE_DIR CCACHE_BASEDIR=$E2E CCACHE_NOHASHDIR=1
mkdir -p "$CCACHE_DIR"
MAKE=(nice -n 10 make -C "$SRC" O="$OBJ" ARCH=x86_64 CC="ccache gcc")
CONFIG_LOG=$LOGS/kernel-config.log

configure() {
  mkdir -p "$OBJ"
  rm -f "$STAMP"
  log "configuring: tinyconfig + $(basename "$FRAGMENT") + olddefconfig"
  {
    "${MAKE[@]}" tinyconfig &&
    (cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
        "$OBJ/.config" "$FRAGMENT") &&
    "${MAKE[@]}" olddefconfig
  } >"$CONFIG_LOG" 2>&1 || {
    tail -20 "$CONFIG_LOG" >&2
    die "kernel configuration failed (log: $CONFIG_LOG)"
  }
  # Every option the fragment sets to y must have survived olddefconfig
  # (an unmet dependency silently drops it).
  local opt missing=()
  while read -r opt; do
    grep -qx "$opt=y" "$OBJ/.config" || missing+=("$opt")
  done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=y[[:space:]]*$/\1/p' "$FRAGMENT")
  if [ ${#missing[@]} -gt 0 ]; then
    for opt in "${missing[@]}"; do
      log "  $opt: wanted y, .config has: $(grep -E "^$opt=|^# $opt is not set" \
          "$OBJ/.config" || echo '(absent)')"
    done
    die "options of $(basename "$FRAGMENT") not =y after olddefconfig: ${missing[*]}
  (config log: $CONFIG_LOG, .config: $OBJ/.config)"
  fi
}
configure

# -------------------------------------------------------------- 4. build

BUILD_LOG=$LOGS/kernel-build.log
log "make bzImage -j$JOBS (ccache; cold about 6-7 min on 2 cores, limit ${BUILD_TIMEOUT}s)"
log "  log: $BUILD_LOG"
t0=$SECONDS
timeout -k 10 "$BUILD_TIMEOUT" "${MAKE[@]}" -j"$JOBS" bzImage >"$BUILD_LOG" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
trap 'kill "$pid" 2>/dev/null || true; exit 130' INT TERM
# Progress: every 30 s the number of objects compiled so far.
while kill -0 "$pid" 2>/dev/null; do
  for _ in $(seq 30); do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
  kill -0 "$pid" 2>/dev/null || break
  log "  $((SECONDS - t0)) s, $(grep -c '^  CC ' "$BUILD_LOG" || true) files compiled"
done
rc=0
wait "$pid" || rc=$?
trap - EXIT INT TERM
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  die "kernel build did not finish within ${BUILD_TIMEOUT}s (log kept: $BUILD_LOG)"
elif [ "$rc" -ne 0 ]; then
  grep -E 'error|Error' "$BUILD_LOG" | head -30 >&2 || true
  die "kernel build failed, make exit $rc (log kept: $BUILD_LOG)"
fi
[ -f "$BZIMAGE" ] || die "make succeeded but $BZIMAGE is missing (log: $BUILD_LOG)"
log "built in $((SECONDS - t0)) s: $(du -h "$BZIMAGE" | cut -f1) bzImage"
echo "$want_stamp" >"$STAMP"
echo "$BZIMAGE"
