#!/usr/bin/env python3
"""
scripts/bench.py - `make bench` and `make bench-quick` (docs/performance.md).

Builds ISOs through tests/e2e/harness.py, boots them in QEMU (TCG), reads the
serial output through a pipe (each line timestamped as it arrives), prints a
table and writes build/bench/results.json with the yakvm commit and the QEMU
version. Nothing here is a test: targets are reported as met or not, never
asserted.

Measurements (the bench guest is tests/guests/bench.c):
  exits     exit path lengths in instructions, under -icount shift=7,sleep=off
            (TSC/128 = instructions, deterministic);
  linux     wall time from QEMU's start to the Linux guest's marker, booted by
            yakvm and booted bare by QEMU (-kernel), alternating A B A B;
            the exits of the yakvm boot by reason (yakvm's stats lines);
  mem       a 64 MiB walk (sequential, random) under yakvm (2 MiB and, with
            npt=4k, 4 KiB NPT pages) and booted bare by QEMU; plain TCG,
            TSC = host time;
  scale     CPUID exits per second with 1, 2, 4 one-vCPU VMs on 1, 2, 4
            physical CPUs (cpus=N pins each);
  disk      virtio-blk on a module disk with busybox dd against bare QEMU's
            virtio-blk-pci (scripts/bench_disk.py);
  nvme      a Linux guest's sequential and random direct I/O through yakvm's
            virtio-blk on QEMU's NVMe, and bare on virtio-blk-pci
            (scripts/bench_nvme.py);
  net       VM-to-VM TCP throughput and ping over yakvm's switch, and a wget
            through the uplink against bare QEMU's virtio-net-pci, with
            device exits per MiB (scripts/bench_net.py);
  footprint size of yakvm.elf, host memory per VM and per vCPU (measured by
            yakvm and printed on the VM's start line), and the instructions
            from GRUB's handoff (yakvm logs its entry TSC) to the guest.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import Scenario, build_iso, qemu_command  # noqa: E402
from bench_nvme import bench_nvme, nvme_rows  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_disk  # noqa: E402
import bench_net  # noqa: E402

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
LINUX_CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1"
ICOUNT_EXACT = ["-icount", "shift=7,sleep=off"]   # TSC/128 = instructions
# The Linux boots run as the 1-vCPU Linux test does (scenarios_linux.py):
# QEMU's clock follows the instruction count, so Linux calibrates its TSC.
LINUX_ACCEL = ["-icount", "shift=0,sleep=off"]
LINUX_MEM = "256M"
MARKER = re.compile(r"yakvm-linux: MARKER userspace reached")

TARGETS = {  # name -> (limit, unit)
    "cpuid": (150, "instr"),
    "in-uart-lsr": (300, "instr"),
    "mmio-read-lapic": (1000, "instr"),
    "linux": (1.3, "x bare"),
}


# ---- running QEMU -------------------------------------------------------------

def run_timed(cmd, log_path, timeout, marker=None):
    """Runs cmd (QEMU with -serial stdio), reading its output through a pipe.
    Returns {status, seconds, marker_s (or None), lines: [(t, line)]}."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    killed = []

    def kill():
        killed.append(True)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    timer = threading.Timer(timeout, kill)
    timer.start()
    lines, marker_s = [], None
    with open(log_path, "w") as log:
        for raw in p.stdout:
            t = time.monotonic() - t0
            line = raw.decode(errors="replace").rstrip("\r\n").replace("\r", "")
            lines.append((t, line))
            log.write("%9.3f %s\n" % (t, line))
            if marker is not None and marker_s is None and marker.search(line):
                marker_s = t
    p.wait()
    timer.cancel()
    return {"status": "timeout" if killed else "exited", "seconds": time.monotonic() - t0,
            "marker_s": marker_s, "lines": lines}


def stdio_serial(cmd):
    """harness.qemu_command writes the serial port to a file: use stdio."""
    out = list(cmd)
    i = out.index("-serial")
    out[i + 1] = "stdio"
    return out


def yakvm_run(name, grub, args, extra=(), smp=1, mem="512M", timeout=300, marker=None):
    sc = Scenario(name=name, grub=[YAKVM] + grub, checks=[], smp=smp, mem=mem,
                  timeout=timeout, extra_args=list(extra))
    workdir = os.path.join(args.out, name)
    os.makedirs(workdir, exist_ok=True)
    iso = os.path.join(workdir, "yakvm.iso")
    if not os.path.exists(iso) or args.rebuild_iso.get(name, True):
        iso = build_iso(sc, args.build, args.out)
        args.rebuild_iso[name] = False
    cmd = stdio_serial(qemu_command(sc, iso, "-", workdir))
    return run_timed(cmd, os.path.join(workdir, "serial-%d.log" % next_run(args)), timeout, marker)


def bare_run(name, args, kernel, append, initrd=None, extra=(), mem="256M", timeout=300,
             marker=None):
    workdir = os.path.join(args.out, name)
    os.makedirs(workdir, exist_ok=True)
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "qemu64,+svm,+npt,+vgif",
           "-smp", "1", "-m", mem, "-display", "none", "-no-reboot", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-serial", "stdio",
           "-kernel", kernel, "-append", append]
    if initrd:
        cmd += ["-initrd", initrd]
    return run_timed(cmd + list(extra), os.path.join(workdir, "serial-%d.log" % next_run(args)),
                     timeout, marker)


def next_run(args):
    args.runs += 1
    return args.runs


def text(run):
    return "\n".join(line for _, line in run["lines"])


def vm_stats(log, vm):
    """{CLASS: count} from yakvm's stats lines for VM vm."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r"^yakvm: vm %s stats: (\w+) count=(\d+) handler_cycles=(\d+)" % re.escape(vm), log, re.M)}


def vm_stats_avg(log, vm):
    return {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4))) for m in re.finditer(
        r"^yakvm: vm %s stats: (\w+) count=(\d+) handler_cycles=\d+ handler_avg=(\d+) "
        r"total_cycles=\d+ total_avg=(\d+)" % re.escape(vm), log, re.M)}


# ---- the measurements ---------------------------------------------------------

def bench_exits(args, res):
    run = yakvm_run("bench-exits", ["module2 /guests/bench.elf name=bench mem=16M -- exits"],
                    args, extra=ICOUNT_EXACT, timeout=300)
    log = text(run)
    exits = {m.group(1): float(m.group(2)) for m in re.finditer(
        r"^\[bench\] bench: exit (\S+) ([\d.]+) instr/roundtrip", log, re.M)}
    m = re.search(r"^\[bench\] bench: timer interrupts (\d+) for (\d+) arms", log, re.M)
    timer = {"interrupts": int(m.group(1)), "arms": int(m.group(2))} if m else None
    m = re.search(r"^\[bench\] bench: first-tsc (\d+) instr", log, re.M)
    res["exits"] = {
        "method": "TSC/128 under -icount shift=7,sleep=off; %d round trips minus the same "
                  "loop with a non-exiting instruction" % 2048,
        "instr_per_roundtrip": exits,
        "guest_status": _status(log, "bench"),
        "timer_interrupts": timer,
        "stats": vm_stats_avg(log, "bench"),
        "wall_s": round(run["seconds"], 1),
    }
    res["footprint"]["reset_to_guest_main_instr"] = int(m.group(1)) if m else None
    h = re.search(r"^yakvm: the boot loader handed over at TSC (\d+)", log, re.M)
    if m and h:
        res["footprint"]["handoff_to_guest_main_instr"] = int(m.group(1)) - int(h.group(1)) // 128
    h = re.search(r"^yakvm: vm bench: RAM in (\d+) 2 MiB and (\d+) 4 KiB nested pages; "
                  r"host memory beyond its RAM: (\d+) KiB for the VM, (\d+) KiB per vCPU", log, re.M)
    if h:
        res["footprint"]["per_vm_kib"] = int(h.group(3))
        res["footprint"]["per_vcpu_kib"] = int(h.group(4))
    m = re.search(r"host memory: (\d+) MiB free of (\d+) MiB", log)
    if m:
        res["footprint"]["host_memory_free_mib"] = int(m.group(1))
        res["footprint"]["host_memory_total_mib"] = int(m.group(2))
    if not exits:
        res["errors"].append("exits: no measurement lines (see %s)" % args.out)


def _status(log, vm):
    m = re.search(r"^yakvm: vm %s ended with status (\d+)" % re.escape(vm), log, re.M)
    return int(m.group(1)) if m else None


def bench_linux(args, res):
    ldir = os.path.join(args.build, "linux")
    kernel, initrd = os.path.join(ldir, "vmlinuz"), os.path.join(ldir, "initrd.cpio")
    if not (os.path.exists(kernel) and os.path.exists(initrd)):
        res["linux"] = {"skipped": "no Linux kernel in %s (make env unpacks linux-image-cloud-amd64 into build/kernels)" % ldir}
        return
    grub = ["module2 /guests/vmlinuz name=linux mem=%s vcpus=1 -- %s" % (LINUX_MEM, LINUX_CMDLINE),
            "module2 /guests/initrd.cpio attach=linux"]
    pairs = 1 if args.quick else 5
    yak, bare, ratios, started, phases, exits = [], [], [], [], [], None
    for _ in range(pairs):
        a = yakvm_run("bench-linux", grub, args, extra=LINUX_ACCEL, mem="1G", timeout=400,
                      marker=MARKER)
        b = bare_run("bench-linux-bare", args, kernel, LINUX_CMDLINE, initrd=initrd,
                     extra=LINUX_ACCEL, mem=LINUX_MEM, timeout=400, marker=MARKER)
        if a["marker_s"] is None or b["marker_s"] is None:
            res["errors"].append("linux: a run did not reach the marker (yakvm %s, bare %s)"
                                 % (a["status"], b["status"]))
            continue
        yak.append(a["marker_s"])
        bare.append(b["marker_s"])
        ratios.append(a["marker_s"] / b["marker_s"])
        def first(pat):
            ts = [t for t, line in a["lines"] if re.search(pat, line)]
            return ts[0] if ts else None
        grub_t, banner_t, st = (first(r"Booting `"), first(r"^yakvm 0\.\d+: a micro"),
                                first(r"yakvm: vm linux: started"))
        if st is not None:
            started.append(a["marker_s"] - st)
        if None not in (grub_t, banner_t, st):
            phases.append((grub_t, banner_t - grub_t, st - banner_t, a["marker_s"] - st))
        exits = vm_stats(text(a), "linux")
    res["linux"] = {
        "method": "QEMU start to the marker line on the serial pipe; QEMU %s; "
                  "yakvm: 1 VM mem=%s vcpus=1; bare: -kernel -initrd -m %s"
                  % (" ".join(LINUX_ACCEL), LINUX_MEM, LINUX_MEM),
        "pairs": len(ratios),
        "yakvm_s": [round(x, 2) for x in yak], "bare_s": [round(x, 2) for x in bare],
        "vm_start_to_marker_s": [round(x, 2) for x in started],
        "yakvm_phases_s": {k: round(statistics.median(p[i] for p in phases), 2) for i, k in enumerate(
            ("qemu_start_to_grub_boot", "grub_boot_to_yakvm_banner", "yakvm_banner_to_vm_start",
             "vm_start_to_marker"))} if phases else None,
        "median_ratio_vm_start_to_marker_vs_bare": round(statistics.median(
            s_ / b_ for s_, b_ in zip(started, bare)), 3) if started and len(started) == len(bare) else None,
        "ratios": [round(x, 3) for x in ratios],
        "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "exits_by_reason": exits,
    }


def bench_mem(args, res):
    elf = os.path.join(args.build, "guests", "tests", "guests", "bench.elf")
    reps = 1 if args.quick else 3
    yak, yak4k, bare = [], [], []
    for _ in range(reps):
        a = yakvm_run("bench-mem", ["module2 /guests/bench.elf name=bench mem=96M -- mem"],
                      args, timeout=300)
        c = yakvm_run("bench-mem-4k", ["module2 /guests/bench.elf name=bench mem=96M npt=4k -- mem"],
                      args, timeout=300)
        b = bare_run("bench-mem-bare", args, elf, "mem", mem="96M", timeout=300)
        for run, into, pfx in ((a, yak, r"\[bench\] "), (c, yak4k, r"\[bench\] "), (b, bare, "")):
            log = text(run)
            s = re.search(r"^%sbench: mem seq (\d+) kcycles" % pfx, log, re.M)
            r = re.search(r"^%sbench: mem random (\d+) kcycles" % pfx, log, re.M)
            if s and r:
                into.append((int(s.group(1)), int(r.group(1))))
    if not yak or not yak4k or not bare:
        res["mem"] = {"skipped": "no result (yakvm %d runs, bare %d runs); see %s"
                      % (len(yak), len(bare), args.out)}
        return
    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    res["mem"] = {
        "method": "64 MiB at 16 MiB, 2^20 reads each; kcycles = TSC/1024 under plain TCG "
                  "(the host's time); median of %d" % reps,
        "npt_2m": {"seq_kcycles": med(yak, 0), "random_kcycles": med(yak, 1)},
        "npt_4k": {"seq_kcycles": med(yak4k, 0), "random_kcycles": med(yak4k, 1)},
        "bare": {"seq_kcycles": med(bare, 0), "random_kcycles": med(bare, 1)},
        "ratio_seq": round(med(yak, 0) / med(bare, 0), 3),
        "ratio_random": round(med(yak, 1) / med(bare, 1), 3),
        "ratio_seq_4k": round(med(yak4k, 0) / med(bare, 0), 3),
        "ratio_random_4k": round(med(yak4k, 1) / med(bare, 1), 3),
    }


def bench_scale(args, res):
    ms = 1000
    out, handler, roundtrip = {}, {}, {}
    for n in (1, 2, 4):
        grub = ["module2 /guests/bench.elf name=s%d mem=16M cpus=%d -- scale=%d" % (i, i, ms)
                for i in range(n)]
        run = yakvm_run("bench-scale-%d" % n, grub, args, smp=n, timeout=300)
        log = text(run)
        counts = [int(m.group(1)) for m in re.finditer(
            r"^\[s\d+\] bench: scale (\d+) cpuid in", log, re.M)]
        if len(counts) != n:
            res["errors"].append("scale %d: %d of %d VMs reported" % (n, len(counts), n))
            continue
        out[n] = sum(counts) * 1000 // ms
        st = [vm_stats_avg(log, "s%d" % i).get("CPUID") for i in range(n)]
        st = [x for x in st if x]
        if st:
            handler[n] = sum(x[1] for x in st) // len(st)
            roundtrip[n] = sum(x[2] for x in st) // len(st)
    base = out.get(1)
    res["scale"] = {
        "method": "N one-vCPU VMs, VM i pinned to physical CPU i (cpus=i), QEMU -smp N, "
                  "plain TCG (MTTCG); each counts CPUIDs for %d ms of its TSC" % ms,
        "host_cores": os.cpu_count(),
        "exits_per_s": out,
        "ratio_to_1": {n: round(v / base, 2) for n, v in out.items()} if base else {},
        "cpuid_handler_avg_cycles": handler,
        "cpuid_roundtrip_avg_cycles": roundtrip,
    }


def bench_footprint(args, res):
    elf = os.path.join(args.build, "yakvm.elf")
    fp = res["footprint"]
    r = subprocess.run(["size", elf], stdout=subprocess.PIPE, universal_newlines=True)
    m = re.search(r"^\s*(\d+)\s+(\d+)\s+(\d+)", r.stdout, re.M)
    if m:
        fp["text"], fp["data"], fp["bss"] = (int(x) for x in m.groups())
    # Per VM and per vCPU: measured by yakvm itself (free host memory before
    # and after it builds each), printed on the VM's start line; read from
    # the exits run's log by bench_exits().


# ---- the table ----------------------------------------------------------------

def fmt_targets(res):
    out = []
    ex = res.get("exits", {}).get("instr_per_roundtrip", {})
    for name, label in (("cpuid", "CPUID round trip"), ("in-uart-lsr", "IOIO to a device model"),
                        ("mmio-read-lapic", "MMIO read with decode")):
        lim = TARGETS[name][0]
        v = ex.get(name)
        out.append({"target": "%s <= %d instructions" % (label, lim), "value": v,
                    "met": None if v is None else v <= lim})
    lr = res.get("linux", {}).get("median_ratio")
    out.append({"target": "Linux boot <= 1.3x bare QEMU", "value": lr,
                "met": None if lr is None else lr <= 1.3})
    if "net" in res:
        out.append(bench_net.target(res))
    return out


def table(res):
    rows = []
    add = lambda a, b: rows.append((a, b))  # noqa: E731
    ex = res.get("exits", {})
    for name, v in ex.get("instr_per_roundtrip", {}).items():
        add("exit path: %s" % name, "%.1f instr/round trip" % v)
    li = res.get("linux", {})
    if "skipped" in li:
        add("Linux boot", "skipped: " + li["skipped"])
    elif li:
        add("Linux boot, yakvm (s)", ", ".join("%.2f" % x for x in li["yakvm_s"]))
        add("Linux boot, bare QEMU (s)", ", ".join("%.2f" % x for x in li["bare_s"]))
        add("Linux boot, yakvm VM start to marker (s)",
            ", ".join("%.2f" % x for x in li["vm_start_to_marker_s"]))
        add("Linux boot, median yakvm/bare", str(li["median_ratio"]))
        if li.get("yakvm_phases_s"):
            ph = li["yakvm_phases_s"]
            add("  yakvm run: firmware+GRUB menu / GRUB loads / yakvm init / Linux (s)",
                "%.2f / %.2f / %.2f / %.2f" % (ph["qemu_start_to_grub_boot"],
                                               ph["grub_boot_to_yakvm_banner"],
                                               ph["yakvm_banner_to_vm_start"],
                                               ph["vm_start_to_marker"]))
        add("  median (yakvm VM start to marker)/bare", str(li["median_ratio_vm_start_to_marker_vs_bare"]))
        if li.get("exits_by_reason"):
            add("Linux boot exits by reason",
                " ".join("%s=%d" % kv for kv in sorted(li["exits_by_reason"].items(),
                                                       key=lambda kv: -kv[1])))
    me = res.get("mem", {})
    if "skipped" in me:
        add("guest memory", "skipped: " + me["skipped"])
    elif me:
        add("memory seq, yakvm 2M NPT / bare (kcycles)", "%d / %d = %.3f" % (
            me["npt_2m"]["seq_kcycles"], me["bare"]["seq_kcycles"], me["ratio_seq"]))
        add("memory random, yakvm 2M NPT / bare (kcycles)", "%d / %d = %.3f" % (
            me["npt_2m"]["random_kcycles"], me["bare"]["random_kcycles"], me["ratio_random"]))
        add("memory seq, yakvm 4K NPT / bare (kcycles)", "%d / %d = %.3f" % (
            me["npt_4k"]["seq_kcycles"], me["bare"]["seq_kcycles"], me["ratio_seq_4k"]))
        add("memory random, yakvm 4K NPT / bare (kcycles)", "%d / %d = %.3f" % (
            me["npt_4k"]["random_kcycles"], me["bare"]["random_kcycles"], me["ratio_random_4k"]))
    sc = res.get("scale", {})
    for n, v in sorted(sc.get("exits_per_s", {}).items()):
        add("CPUID exits/s, %d vCPU(s) on %d CPU(s)" % (n, n),
            "%d (x%.2f); CPUID handler %s, round trip %s cycles" % (
                v, sc["ratio_to_1"].get(n, 0), sc["cpuid_handler_avg_cycles"].get(n, "?"),
                sc["cpuid_roundtrip_avg_cycles"].get(n, "?")))
    fp = res.get("footprint", {})
    if "text" in fp:
        add("yakvm.elf text/data/bss (bytes)", "%d / %d / %d" % (fp["text"], fp["data"], fp["bss"]))
    if fp.get("host_memory_free_mib") is not None:
        add("host memory free before VMs (MiB)", "%d of %d" % (
            fp["host_memory_free_mib"], fp["host_memory_total_mib"]))
    if fp.get("per_vm_kib") is not None:
        add("host memory per VM beyond its RAM (measured, 16 MiB VM)", "%d KiB" % fp["per_vm_kib"])
        add("host memory per vCPU (measured)", "%d KiB" % fp["per_vcpu_kib"])
    if fp.get("reset_to_guest_main_instr") is not None:
        add("QEMU reset to bench guest_main (BIOS+GRUB+yakvm)",
            "%d instr" % fp["reset_to_guest_main_instr"])
    if fp.get("handoff_to_guest_main_instr") is not None:
        add("GRUB handoff to the bench guest's guest_main (yakvm's start-up)",
            "%d instr" % fp["handoff_to_guest_main_instr"])
    nvme_rows(res, add)
    for row in bench_disk.rows(res) + bench_net.rows(res):
        add(*row)
    for t in res["targets"]:
        add("target: " + t["target"], "%s (%s)" % (
            "n/a" if t["met"] is None else ("met" if t["met"] else "NOT met"), t["value"]))
    w = max(len(a) for a, _ in rows)
    return "\n".join("%-*s  %s" % (w, a, b) for a, b in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--quick", action="store_true", help="one run of each (about 2 minutes)")
    ap.add_argument("--only", default="exits,linux,mem,scale,footprint,disk,nvme,net",
                    help="comma-separated subset")
    args = ap.parse_args()
    os.chdir(ROOT)
    args.build = os.path.abspath(args.build)
    args.out = os.path.join(ROOT, "build", "bench")
    args.runs = 0
    args.rebuild_iso = {}
    os.makedirs(args.out, exist_ok=True)
    t0 = time.monotonic()

    def sh(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  universal_newlines=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"
    res = {"yakvm_commit": sh(["git", "rev-parse", "--short", "HEAD"]),
           "qemu_version": sh(["qemu-system-x86_64", "--version"]),
           "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
           "host": {"cores": os.cpu_count(), "cpu": _host_cpu()},
           "mode": "bench-quick" if args.quick else "bench",
           "footprint": {}, "errors": []}
    only = args.only.split(",")
    steps = [("exits", bench_exits), ("footprint", bench_footprint), ("mem", bench_mem),
             ("scale", bench_scale), ("linux", bench_linux),
             ("disk", lambda a, r: bench_disk.run(a, r, sys.modules[__name__])),
             ("nvme", lambda a, r: bench_nvme(a, r, yakvm_run, bare_run, text)),
             ("net", lambda a, r: bench_net.run(a, r, sys.modules[__name__]))]
    for name, fn in steps:
        if name in only:
            t = time.monotonic()
            print("bench: %s ..." % name, flush=True)
            try:
                fn(args, res)
            except Exception as e:  # a failing part must not lose the others
                res["errors"].append("%s: %s: %s" % (name, type(e).__name__, e))
            print("bench: %s took %.0f s" % (name, time.monotonic() - t), flush=True)
    res["targets"] = fmt_targets(res)
    res["seconds"] = round(time.monotonic() - t0, 1)
    path = os.path.join(args.out, "results.json")
    with open(path, "w") as f:
        json.dump(res, f, indent=2, sort_keys=True)
    print()
    print("yakvm %s, %s, %s, %s" % (res["yakvm_commit"], res["qemu_version"], res["mode"], res["date"]))
    print(table(res))
    for e in res["errors"]:
        print("bench: error: " + e)
    print("bench: %.0f s; results in %s" % (res["seconds"], os.path.relpath(path, ROOT)))
    return 0


def _host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
