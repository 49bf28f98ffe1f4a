#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Instruction-count benchmark: unpatched QEMU 10.2.2 vs the series.

Runs the same guest workload against each qemu-system-x86_64 under
valgrind callgrind and prints instructions per operation:

  1. PASID-selective PASID-cache invalidation (granularity 01b, DID 1,
     PASID 0) with 16 devices whose PASID tables hold 1 present entry
     each (16 (device, PASID) entries) and 256 each (4096 entries);
  2. a DMA translation that hits the IOTLB (edu, requests without PASID,
     first-stage translation through RID_PASID 0).

The guest is played over QEMU's qtest protocol (a unix socket; no libqtest
needed): it builds a scalable-mode root table, context entries, PASID
directories and tables and a 4-level first-stage page table in guest RAM,
programs the 256-bit invalidation queue and drives edu's DMA engine, like
tests/qtest/vtd-dma-utils.c of the series does.

Measurement: each binary runs the workload twice under callgrind, which
starts with collection off:
  - collecting inside vtd_mem_write() (every MMIO write to the VT-d
    registers; an IQT write = the register write plus processing the
    descriptors it hands over), dumping after each call: dump N is the
    driver's N-th register write, which it labelled;
  - collecting inside vtd_iommu_translate(), dumping after each call and
    after each edu_dma_timer() (the edu DMA), which groups the
    translations by DMA: the driver knows its DMAs in order.
These functions exist (not inlined) in both binaries. One collected
function per run, its options first: given --toggle-collect and
--dump-after for both vtd_* functions, valgrind 3.19's callgrind
collected in only one of them, whichever order (seen here).

This is a benchmark, not a test: figures are printed, never judged. It
fails only when something could not be run (QEMU did not start, a reply
was not OK, the DMA did not land, the dumps do not match the workload).

  vtd_bench.py --base QEMU_BASE --patched QEMU_PATCHED [--out FILE]
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# ---- layout -------------------------------------------------------------

VTD = 0xfed90000                # Q35_HOST_BRIDGE_IOMMU_ADDR
CAP, ECAP = 0x08, 0x10
GCMD, GSTS = 0x18, 0x1c
RTADDR = 0x20
FSTS = 0x34
IQH, IQT, IQA = 0x80, 0x88, 0x90

GCMD_TE, GCMD_SRTP, GCMD_QIE = 1 << 31, 1 << 30, 1 << 26
GSTS_TES, GSTS_RTPS, GSTS_QIES = 1 << 31, 1 << 30, 1 << 26
GSTS_PERSISTENT = (1 << 31) | (1 << 26) | (1 << 25) | (1 << 23)
RTADDR_SMT = 1 << 10
IQA_DW_256 = 1 << 11
IQ_SIZE = 128                   # QS=0 with 256-bit descriptors

ECAP_PSS_SHIFT = 35
ECAP_PASID = 1 << 40
ECAP_SMTS = 1 << 43
ECAP_FLTS = 1 << 47

INV_CC, INV_IOTLB, INV_WAIT, INV_PC = 0x1, 0x2, 0x5, 0x7
CC_GLOBAL = 1 << 4
IOTLB_GLOBAL = 1 << 4
WAIT_SW = 1 << 5
PC_PSI, PC_GLOBAL = 1, 3

ALLOC_START, ALLOC_END = 0x01000000, 0x08000000
PAGE = 0x1000
ADDR_MASK = 0x000ffffffffff000
FS_RWU = 0x7                    # P | R/W | U/S

EDU_DEVS = list(range(0x04, 0x14))      # slots 04.0 .. 13.0: 16 devices
EDU_ID = 0x11e81234                     # device << 16 | vendor
EDU_BAR0 = 0xe0000000
EDU_SRC, EDU_DST, EDU_CNT, EDU_CMD = 0x80, 0x88, 0x90, 0x98
EDU_RUN, EDU_TO_RAM = 0x1, 0x2
EDU_BUF = 0x40000

DID = 1
PSI_PASID = 0                   # RID_PASID: present in both configurations
NR_PASIDS = 256                 # PSS=7 with x-pasid-mode: PASIDs 0..255
PE_PER_TABLE = PAGE // 64
IOVA_SRC = 0x00800000           # below edu's 28-bit DMA mask
IOVA_DST = 0x00801000
DMA_LEN = 4096

MEASURED_FNS = ("vtd_mem_write", "vtd_iommu_translate")
DMA_FN = "edu_dma_timer"


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---- qtest --------------------------------------------------------------

class QTest:
    """QEMU's qtest protocol: one command line, one reply line."""

    def __init__(self, conn, timeout):
        self.conn = conn
        self.conn.settimeout(timeout)
        self.buf = b""

    def _line(self):
        while b"\n" not in self.buf:
            try:
                data = self.conn.recv(65536)
            except socket.timeout:
                raise BenchError("no reply from QEMU within %d s"
                                 % self.conn.gettimeout())
            if not data:
                raise BenchError("QEMU closed the qtest connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, line):
        self.conn.sendall(line.encode() + b"\n")
        while True:
            reply = self._line()
            if reply.startswith("IRQ"):
                continue                # asynchronous, not a reply
            if reply == "OK" or reply.startswith("OK "):
                return reply[3:]
            raise BenchError("qtest '%s' -> '%s'" % (line[:60], reply))

    def readl(self, addr):
        return int(self.cmd("readl 0x%x" % addr), 16)

    def readq(self, addr):
        return int(self.cmd("readq 0x%x" % addr), 16)

    def writel(self, addr, val):
        self.cmd("writel 0x%x 0x%x" % (addr, val))

    def writeq(self, addr, val):
        self.cmd("writeq 0x%x 0x%x" % (addr, val))

    def write(self, addr, data):
        self.cmd("write 0x%x 0x%x 0x%s" % (addr, len(data), data.hex()))

    def read(self, addr, size):
        return bytes.fromhex(self.cmd("read 0x%x 0x%x" % (addr, size))[2:])

    def outl(self, port, val):
        self.cmd("outl 0x%x 0x%x" % (port, val))

    def inl(self, port):
        return int(self.cmd("inl 0x%x" % port), 16)

    def clock_step(self, ns):
        self.cmd("clock_step %d" % ns)


def qwords(*vals):
    return b"".join(v.to_bytes(8, "little") for v in vals)


# ---- the guest's IOMMU driver -------------------------------------------

class Guest:
    """Plays the guest driver; records every VT-d register write."""

    def __init__(self, qt):
        self.qt = qt
        self.next_page = ALLOC_START
        self.iq_tail = 0
        self.status_seq = 0
        self.writes = []        # label of every VT-d register write
        self.dmas = []          # label of every edu DMA

    # guest RAM (zero at start: pages need no clearing)
    def alloc_page(self):
        page = self.next_page
        if page + PAGE > ALLOC_END:
            raise BenchError("guest allocator exhausted")
        self.next_page += PAGE
        return page

    # registers: every write is one vtd_mem_write() call, hence one dump
    def writel(self, off, val, label):
        self.writes.append(label)
        self.qt.writel(VTD + off, val)

    def writeq(self, off, val, label):
        self.writes.append(label)
        self.qt.writeq(VTD + off, val)

    def readl(self, off):
        return self.qt.readl(VTD + off)

    def readq(self, off):
        return self.qt.readq(VTD + off)

    def gcmd(self, cmd, sts):
        val = (self.readl(GSTS) & GSTS_PERSISTENT) | cmd
        self.writel(GCMD, val, "setup")
        if not self.readl(GSTS) & sts:
            raise BenchError("GCMD 0x%x: status bit 0x%x not set" % (cmd, sts))

    # invalidation queue
    def queue(self, qw0, qw1=0):
        self.qt.write(self.iq + self.iq_tail * 32, qwords(qw0, qw1, 0, 0))
        self.iq_tail = (self.iq_tail + 1) % IQ_SIZE

    def queue_wait(self):
        self.status_seq += 1
        self.qt.writel(self.status, 0)
        self.queue(INV_WAIT | WAIT_SW | (self.status_seq << 32), self.status)

    def kick(self, label):
        self.writeq(IQT, self.iq_tail << 5, label)
        if self.readl(FSTS):
            raise BenchError("FSTS 0x%x after '%s'" % (self.readl(FSTS), label))
        if (self.readq(IQH) >> 5) != self.iq_tail:
            raise BenchError("queue not drained after '%s'" % label)

    def run(self, descs, label):
        """Queue @descs and a wait descriptor, kick, check the wait ran."""
        for d in descs:
            self.queue(d)
        self.queue_wait()
        self.kick(label)
        if self.qt.readl(self.status) != self.status_seq:
            raise BenchError("wait descriptor of '%s' did not complete" % label)

    def setup_scalable(self):
        self.root = self.alloc_page()
        self.writeq(RTADDR, self.root | RTADDR_SMT, "setup")
        self.gcmd(GCMD_SRTP, GSTS_RTPS)
        self.iq = self.alloc_page()
        self.status = self.alloc_page()
        self.writeq(IQT, 0, "setup")
        self.writeq(IQA, self.iq | IQA_DW_256, "setup")
        self.gcmd(GCMD_QIE, GSTS_QIES)
        self.run([INV_CC | CC_GLOBAL, INV_PC | (PC_GLOBAL << 4),
                  INV_IOTLB | IOTLB_GLOBAL], "setup")
        self.gcmd(GCMD_TE, GSTS_TES)

    # first-stage page table (4-level, 4 KiB pages)
    def fs_map(self, root, iova, gpa):
        table = root
        for level in (4, 3, 2):
            idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff
            pte = self.qt.readq(table + idx * 8)
            if not pte & 1:
                pte = self.alloc_page() | FS_RWU
                self.qt.writeq(table + idx * 8, pte)
            table = pte & ADDR_MASK
        self.qt.writeq(table + ((iova >> 12) & 0x1ff) * 8,
                       (gpa & ADDR_MASK) | FS_RWU)


def pasid_entry_fs(did, fs_root):
    """64-byte PASID entry: P, AW=48 bits, PGTT=001b, DID, 4-level FS."""
    return qwords(1 | (2 << 2) | (1 << 6), did, fs_root & ADDR_MASK,
                  0, 0, 0, 0, 0)


def pci_cfg(qt, devfn, reg, val=None):
    qt.outl(0xcf8, 0x80000000 | (devfn << 8) | (reg & 0xfc))
    if val is None:
        return qt.inl(0xcfc)
    qt.outl(0xcfc, val)
    return None


# ---- one run ------------------------------------------------------------

def workload(qt, k, m):
    """The guest side; returns its labels and facts to print."""
    g = Guest(qt)
    facts = {}

    for slot in EDU_DEVS:
        ident = pci_cfg(qt, slot << 3, 0)
        if ident != EDU_ID:
            raise BenchError("no edu at 00:%02x.0 (id 0x%08x)" % (slot, ident))
    facts["ecap"] = ecap = g.readq(ECAP)
    facts["cap"] = g.readq(CAP)
    if not (ecap & ECAP_SMTS and ecap & ECAP_FLTS):
        raise BenchError("ECAP 0x%x: no scalable mode / first stage" % ecap)

    g.setup_scalable()

    # One first-stage table for everyone: IOVA_SRC, IOVA_DST -> buffers
    fs_root = g.alloc_page()
    src, dst = g.alloc_page(), g.alloc_page()
    g.fs_map(fs_root, IOVA_SRC, src)
    g.fs_map(fs_root, IOVA_DST, dst)
    pe = pasid_entry_fs(DID, fs_root)

    # 16 devices: context entry -> own PASID directory -> PASID 0 only
    # Scalable-mode root entry of bus 0: context tables for devfn 0-127
    # (low qword) and 128-255 (high qword; slots 0x10-0x13 are there)
    ctx = [g.alloc_page(), g.alloc_page()]
    qt.write(g.root, qwords(ctx[0] | 1, ctx[1] | 1))
    dirs = {}
    for slot in EDU_DEVS:
        devfn = slot << 3
        pdir = dirs[slot] = g.alloc_page()
        table = g.alloc_page()
        qt.write(table, pe)                     # PASID 0
        qt.writeq(pdir, table | 1)
        # 256-bit context entry: P, PDTS=0, PASID dir; RID_PASID 0
        ce = ctx[devfn >> 7] + (devfn & 0x7f) * 32
        qt.write(ce + 8, qwords(0, 0, 0))
        qt.writeq(ce, pdir | 1)
    g.run([INV_CC | CC_GLOBAL], "setup")
    g.run([INV_PC | (PC_GLOBAL << 4)], "global-16")

    psi = INV_PC | (PC_PSI << 4) | (DID << 16) | (PSI_PASID << 32)
    for _ in range(k):
        g.queue(psi)
        g.kick("psi-16")
    g.run([], "wait")

    # Grow to 256 present PASID entries per device (4 leaf tables each)
    for slot in EDU_DEVS:
        pdir = dirs[slot]
        table0 = qt.readq(pdir) & ADDR_MASK
        qt.write(table0, pe * PE_PER_TABLE)     # entry 0 rewritten as is
        for i in range(1, NR_PASIDS // PE_PER_TABLE):
            table = g.alloc_page()
            qt.write(table, pe * PE_PER_TABLE)
            qt.writeq(pdir + i * 8, table | 1)
    g.run([INV_PC | (PC_GLOBAL << 4)], "global-4096")

    for _ in range(k):
        g.queue(psi)
        g.kick("psi-4096")
    g.run([], "wait")

    # edu at 04.0: BAR0, memory space + bus master
    devfn = EDU_DEVS[0] << 3
    pci_cfg(qt, devfn, 0x10, EDU_BAR0)
    pci_cfg(qt, devfn, 0x04, 0x6)
    pattern = bytes((i * 7 + 3) & 0xff for i in range(DMA_LEN))
    qt.write(src, pattern)

    def dma(s, d, cmd, label):
        g.dmas.append(label)
        qt.writeq(EDU_BAR0 + EDU_SRC, s)
        qt.writeq(EDU_BAR0 + EDU_DST, d)
        qt.writeq(EDU_BAR0 + EDU_CNT, DMA_LEN)
        qt.writeq(EDU_BAR0 + EDU_CMD, cmd | EDU_RUN)
        for _ in range(50):
            qt.clock_step(100 * 1000 * 1000)    # the engine's 100 ms timer
            if not qt.readq(EDU_BAR0 + EDU_CMD) & EDU_RUN:
                return
        raise BenchError("edu DMA did not complete")

    dma(IOVA_SRC, EDU_BUF, 0, "dma-warmup")
    for _ in range(m):
        dma(IOVA_SRC, EDU_BUF, 0, "dma-hit")
    dma(EDU_BUF, IOVA_DST, EDU_TO_RAM, "dma-check")
    if qt.read(dst, DMA_LEN) != pattern:
        raise BenchError("edu DMA through the vIOMMU did not land "
                         "(IOVA 0x%x -> buffer -> IOVA 0x%x)"
                         % (IOVA_SRC, IOVA_DST))
    if g.readl(FSTS):
        raise BenchError("fault recorded: FSTS 0x%x" % g.readl(FSTS))
    return {"vtd_mem_write": g.writes, "vtd_iommu_translate": g.dmas}, facts


def qemu_args(sock_path):
    args = ["-qtest", "unix:" + sock_path, "-qtest-log", "/dev/null",
            "-accel", "qtest", "-machine", "q35", "-nographic",
            "-display", "none", "-nodefaults", "-m", "512M",
            "-device", "intel-iommu,x-scalable-mode=on,x-flts=on,"
                       "x-pasid-mode=on"]
    for slot in EDU_DEVS:
        args += ["-device", "edu,addr=%02x.0" % slot]
    return args


def read_dumps(outdir):
    """[(trigger function, Ir)] of every callgrind dump, in dump order."""
    dumps = []
    for name in os.listdir(outdir):
        mo = re.fullmatch(r"cg\.out\.(\d+)", name)
        if mo:
            dumps.append((int(mo.group(1)), name))
    res = []
    for _, name in sorted(dumps):
        trigger = ir = None
        with open(os.path.join(outdir, name)) as f:
            for line in f:
                if line.startswith("desc: Trigger:"):
                    trigger = line.split(":", 2)[2].strip()
                elif line.startswith("summary:"):
                    ir = int(line.split()[1])
                elif line.startswith("totals:") and ir is None:
                    ir = int(line.split()[1])
                elif line.startswith("fn="):
                    break
        fn = None
        for cand in MEASURED_FNS + (DMA_FN,):
            if trigger and re.search(r"\b%s\b" % cand, trigger):
                fn = cand
        res.append((fn, trigger, ir or 0, name))
    return res


def attribute(labels, dumps, collected):
    """Map the dumps of a run that collected in @collected: {label: [Ir]}.

    vtd_mem_write: dump N is register write N. vtd_iommu_translate: the
    translation dumps before an edu_dma_timer dump belong to that DMA.
    """
    costs = {}
    n = 0
    pending = []
    for fn, trigger, ir, name in dumps:
        if fn is None:
            if ir:
                raise BenchError("unexpected dump %s (%s), %d Ir"
                                 % (name, trigger, ir))
            continue
        if n >= len(labels):
            raise BenchError("%s: more dumps than the workload's %d "
                             "operations" % (name, len(labels)))
        if collected == "vtd_mem_write":
            costs.setdefault(labels[n], []).append(ir)
            n += 1
        elif fn == collected:
            pending.append(ir)
        else:                               # edu_dma_timer: one DMA done
            if ir:
                raise BenchError("%s: %d Ir outside %s" % (name, ir, collected))
            if not pending:
                raise BenchError("%s: a DMA without translation" % name)
            costs.setdefault(labels[n], []).append(pending)
            pending = []
            n += 1
    if n != len(labels) or pending:
        raise BenchError("%d operations in the workload but %d in the dumps "
                         "of %s" % (len(labels), n, collected))
    return costs


def run_one(name, qemu, collected, valgrind, k, m, tmp, timeout, keep,
            dry=False):
    """One QEMU run under callgrind collecting inside @collected only."""
    name = "%s-%s" % (name, collected)
    outdir = os.path.join(tmp, name)
    os.mkdir(outdir)
    sock_path = os.path.join(tmp, name + ".sock")
    log_path = os.path.join(tmp, name + ".log")
    cmd = [valgrind, "--tool=callgrind", "--collect-atstart=no",
           "--callgrind-out-file=" + os.path.join(outdir, "cg.out"),
           "--toggle-collect=" + collected, "--dump-after=" + collected]
    if collected == "vtd_iommu_translate":
        cmd += ["--dump-after=" + DMA_FN]       # after the collected one
    if dry:
        cmd = []
    cmd += [qemu] + qemu_args(sock_path)

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    srv.settimeout(5)
    log("%s: starting %s%s" % (name, qemu, "" if dry else " under callgrind"))
    start = time.monotonic()
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT)
    conn = None
    try:
        while conn is None:
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                if proc.poll() is not None:
                    raise BenchError("QEMU exited (status %d) before "
                                     "connecting" % proc.returncode)
                if time.monotonic() - start > timeout:
                    raise BenchError("QEMU did not connect within %d s"
                                     % timeout)
        log("%s: QEMU up after %.0f s; guest workload (K=%d PSIs, M=%d DMAs)"
            % (name, time.monotonic() - start, k, m))
        qt = QTest(conn, timeout)
        labels, facts = workload(qt, k, m)
        log("%s: workload done after %.0f s; stopping QEMU"
            % (name, time.monotonic() - start))
        proc.terminate()                    # QEMU exits cleanly on TERM
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError("QEMU did not exit within %d s of SIGTERM"
                             % timeout)
        if status:
            log("%s: QEMU exited with status %d" % (name, status))
    except BenchError as e:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise BenchError("%s: %s\n--- valgrind/QEMU output (tail):\n%s"
                         % (name, e, tail))
    finally:
        if conn:
            conn.close()
        srv.close()
        if proc.poll() is None:             # failed, timed out, interrupted
            proc.kill()
            proc.wait()
    with open(log_path) as f:
        said = [l.rstrip() for l in f
                if l.startswith(os.path.basename(qemu) + ":")]
    for l in said[:10]:
        log("%s: QEMU said: %s" % (name, l))
    if dry:
        log("%s: workload ran without valgrind (--dry)" % name)
        return None, facts
    dumps = read_dumps(outdir)
    costs = attribute(labels[collected], dumps, collected)
    if keep:
        dest = os.path.join(keep, name)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(outdir, dest)
        log("%s: dumps kept in %s" % (name, dest))
    log("%s: %d dumps, %.0f s" % (name, len(dumps), time.monotonic() - start))
    return costs, facts


# ---- report -------------------------------------------------------------

def ecap_text(ecap):
    pss = (ecap >> ECAP_PSS_SHIFT) & 0x1f
    return ("0x%016x (SMTS=%d FLTS=%d PASID=%d PSS=%d -> %d-bit PASIDs)"
            % (ecap, bool(ecap & ECAP_SMTS), bool(ecap & ECAP_FLTS),
               bool(ecap & ECAP_PASID), pss, pss + 1))


def report(res, names, k, m, wall):
    med = {}
    for n in names:
        c = res[n][0]
        for label in ("psi-16", "psi-4096", "global-16", "global-4096",
                      "wait", "dma-hit", "dma-warmup"):
            if label not in c:
                raise BenchError("%s: no measurement for '%s'" % (n, label))
        med[n] = {
            "psi16": statistics.median(c["psi-16"]),
            "psi4096": statistics.median(c["psi-4096"]),
            "g16": c["global-16"][0],
            "g4096": c["global-4096"][0],
            "wait": statistics.median(c["wait"]),
            "hit": statistics.median(x for d in c["dma-hit"] for x in d),
            "calls": sum(len(d) for d in c["dma-hit"]) / m,
            "warm": c["dma-warmup"][0][0],
            "spread": [(min(v), max(v)) for v in (
                c["psi-16"], c["psi-4096"],
                [x for d in c["dma-hit"] for x in d])],
        }
    b, p = (med[n] for n in names)
    lines = []

    def row(label, vb, vp, ratio=True, fmt="{:,.0f}"):
        r = ("%.2fx" % (vp / vb)) if ratio and vb else ""
        lines.append("  %-36s %14s %14s  %s"
                     % (label, fmt.format(vb), fmt.format(vp), r))

    lines.append("  %-36s %14s %14s  %s"
                 % ("instructions (callgrind Ir)", "10.2.2", "patched",
                    "ratio"))
    row("PSI, 16 cached entries", b["psi16"], p["psi16"])
    row("PSI, 4096 cached entries", b["psi4096"], p["psi4096"])
    row("PSI 4096/16 ratio", b["psi4096"] / b["psi16"],
        p["psi4096"] / p["psi16"], ratio=False, fmt="{:.2f}x")
    row("IOTLB-hit translate (per call)", b["hit"], p["hit"])
    lines.append("  for reference:")
    row("global PASID-cache inv + wait, 16", b["g16"], p["g16"])
    row("global PASID-cache inv + wait, 4096", b["g4096"], p["g4096"])
    row("wait descriptor alone", b["wait"], p["wait"])
    row("first translate (IOTLB miss)", b["warm"], p["warm"])
    row("translate calls per 4 KiB DMA", b["calls"], p["calls"],
        ratio=False, fmt="{:.1f}")
    notes = [
        "PSI: median of %d PASID-selective PASID-cache invalidations "
        "(DID %d, PASID %d), one per IQT write;" % (k, DID, PSI_PASID),
        "  each figure is the whole vtd_mem_write() of the doorbell "
        "(descriptor + register write).",
        "IOTLB hit: median over the vtd_iommu_translate() calls of %d "
        "identical 4 KiB edu DMAs after a warm-up DMA." % m,
        "16 edu devices (00:04.0-00:13.0), all with PASID tables under "
        "DID %d; 'cached entries' = present (device, PASID) pairs." % DID,
    ]
    for n in names:
        notes.append("%s min-max: PSI/16 %s, PSI/4096 %s, IOTLB hit %s"
                     % (n, *("%d-%d" % mm for mm in med[n]["spread"])))
    for n in names:
        notes.append("%s ECAP %s" % (n, ecap_text(res[n][1]["ecap"])))
    notes.append("measured %s on %s (%d CPUs), bench wall time %.0f s"
                 % (datetime.date.today().isoformat(), os.uname().nodename,
                    os.cpu_count() or 0, wall))
    return "\n".join(lines + [""] + notes) + "\n"


def on_sigterm(signum, frame):
    # e.g. timeout(1): unwind, so QEMU is killed and the temp dir removed
    raise BenchError("terminated by signal %d" % signum)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="unpatched QEMU binary")
    ap.add_argument("--patched", required=True, help="patched QEMU binary")
    ap.add_argument("--out", help="also write the figures here")
    ap.add_argument("--psi", type=int, default=20,
                    help="PASID-selective invalidations per config")
    ap.add_argument("--dma", type=int, default=50, help="measured DMAs")
    ap.add_argument("--timeout", type=int, default=1200,
                    help="seconds allowed for each QEMU step")
    ap.add_argument("--keep", help="copy the callgrind dumps here")
    ap.add_argument("--valgrind", default=shutil.which("valgrind"))
    ap.add_argument("--dry", action="store_true",
                    help="run the workload without valgrind, no figures")
    a = ap.parse_args()

    if not a.valgrind:
        log("error: valgrind not found")
        return 1
    names = ("10.2.2", "patched")
    bins = {"10.2.2": a.base, "patched": a.patched}
    for n in names:
        if not os.access(bins[n], os.X_OK):
            log("error: %s QEMU %s is not executable" % (n, bins[n]))
            return 1
        out = subprocess.run(["nm", bins[n]], capture_output=True, text=True,
                             timeout=120).stdout
        for fn in MEASURED_FNS + (DMA_FN,):
            if not re.search(r" [tT] %s$" % fn, out, re.M):
                log("error: %s has no symbol %s (inlined?)" % (bins[n], fn))
                return 1

    start = time.monotonic()
    res = {}
    with tempfile.TemporaryDirectory(prefix="vtd-bench.") as tmp:
        try:
            for n in names:
                costs = {}
                for fn in MEASURED_FNS:
                    c, facts = run_one(n, bins[n], fn, a.valgrind, a.psi,
                                       a.dma, tmp, a.timeout, a.keep, a.dry)
                    if a.dry:
                        break
                    costs.update(c)
                res[n] = (costs, facts)
            if a.dry:
                for n in names:
                    log("%s ECAP %s" % (n, ecap_text(res[n][1]["ecap"])))
                return 0
            text = report(res, names, a.psi, a.dma, time.monotonic() - start)
        except BenchError as e:
            log("error: %s" % e)
            return 1
    text = ("vtd-pasid benchmark: 10.2.2 = %s\n"
            "                     patched = %s\n\n" % (a.base, a.patched)
            + text)
    sys.stdout.write(text)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            f.write(text)
        log("figures written to %s" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
