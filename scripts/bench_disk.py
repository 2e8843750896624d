"""
scripts/bench_disk.py - the disk rows of `make bench` (docs/performance.md):
Debian's cloud kernel reads and writes a virtio-blk disk with busybox dd
(tests/linux/init, yakvm.bench=PHASE), through yakvm's virtio-blk (a
module disk, disk=module:bench,size=128M) and through bare QEMU's
virtio-blk-pci (-drive of a 128 MiB raw file), same kernel, initramfs and
guest memory, plain TCG (line times are the host's). Phases, one boot
each: write (64 MiB sequential, 1 MiB blocks, fsync), read (64 MiB
sequential), randread (1024 reads of 4 KiB at random offsets, one dd
process each). The time of a phase is between its start and done lines on
the serial pipe; the ratio is yakvm's over bare QEMU's, from the same run.

yakvm's exits of a phase: its stats lines at the VM's end, less those of
a boot that does everything but the phase (yakvm.bench=PHASE,skip), per
MiB moved. INTR (host interrupts: the host timer) is reported apart;
NPF + MSR + IOIO are counted as device exits (notifications are NPF, an
interrupt's EOI is an MSR or NPF exit), which also holds the guest's own
timer programming (MSR), so it is an upper bound.
Nothing here is a test: it reports.
"""
import os
import re

PHASES = (("write", 64.0), ("read", 64.0), ("randread", 4.0))   # MiB moved
MEM = "512M"
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1"
DEVICE_CLASSES = ("NPF", "MSR", "IOIO")


def _phase_time(run, phase):
    t0 = t1 = None
    for t, line in run["lines"]:
        if t0 is None and re.search(r"yakvm-linux: bench %s start$" % phase, line):
            t0 = t
        elif t0 is not None and re.search(r"yakvm-linux: bench %s done rc 0$" % phase, line):
            t1 = t
            break
    return None if t0 is None or t1 is None else t1 - t0


def run(args, res, h):
    """h: scripts/bench.py's helpers (yakvm_run, bare_run, text, vm_stats)."""
    ldir = os.path.join(args.build, "linux")
    kernel, initrd = os.path.join(ldir, "vmlinuz"), os.path.join(ldir, "initrd.cpio")
    if not all(os.path.exists(f) for f in (kernel, initrd, os.path.join(ldir, "marker-a.img"))):
        res["disk"] = {"skipped": "no Linux kernel or disk images in %s" % ldir}
        return
    disk = os.path.join(args.out, "bench-disk.img")
    out = {}
    for phase, mib in PHASES:
        def yak(bench):
            return h.yakvm_run(  # one ISO per grub.cfg: the name says which
                "bench-disk-" + bench.replace(",", "-"), ["module2 /guests/vmlinuz name=linux mem=%s vcpus=1 "
                               "disk=module:bench,size=128M -- %s yakvm.bench=%s"
                               % (MEM, CMDLINE, bench),
                               "module2 /guests/initrd.cpio attach=linux",
                               "module2 /guests/marker-a.img image=bench"],
                args, mem="1G", timeout=900)
        a = yak(phase)
        base = yak(phase + ",skip")
        with open(disk, "wb") as f:
            f.truncate(128 << 20)
        b = h.bare_run("bench-disk-bare", args, kernel, "%s yakvm.bench=%s" % (CMDLINE, phase),
                       initrd=initrd, mem=MEM, timeout=900,
                       extra=["-drive", "file=%s,if=none,id=d0,format=raw" % disk,
                              "-device", "virtio-blk-pci,drive=d0"])
        ty, tb = _phase_time(a, phase), _phase_time(b, phase)
        if ty is None or tb is None:
            res["errors"].append("disk %s: no start/done lines (yakvm %s, bare %s); see %s"
                                 % (phase, a["status"], b["status"], args.out))
            continue
        sa, sb = h.vm_stats(h.text(a), "linux"), h.vm_stats(h.text(base), "linux")
        diff = {c: sa.get(c, 0) - sb.get(c, 0) for c in set(sa) | set(sb)}
        out[phase] = {
            "mib": mib, "yakvm_s": round(ty, 2), "bare_s": round(tb, 2),
            "ratio": round(ty / tb, 3),
            "yakvm_mib_s": round(mib / ty, 2), "bare_mib_s": round(mib / tb, 2),
            "exits_by_reason_per_mib": {c: round(v / mib, 1) for c, v in sorted(diff.items())},
            "device_exits_per_mib": round(sum(diff.get(c, 0) for c in DEVICE_CLASSES) / mib, 1),
            "timer_exits_per_mib": round(diff.get("INTR", 0) / mib, 1),
        }
    res["disk"] = {
        "method": "one boot per phase and system, plain TCG, QEMU start; dd between the "
                  "guest's start and done lines; yakvm exits = phase boot - skip boot",
        "phases": out,
    }


def rows(res):
    d = res.get("disk", {})
    if "skipped" in d:
        return [("disk", "skipped: " + d["skipped"])]
    r = []
    for phase, p in d.get("phases", {}).items():
        r.append(("disk %s %g MiB, yakvm / bare QEMU (s)" % (phase, p["mib"]),
                  "%.2f / %.2f = %.3f (%.2f / %.2f MiB/s)" % (
                      p["yakvm_s"], p["bare_s"], p["ratio"], p["yakvm_mib_s"], p["bare_mib_s"])))
        r.append(("  exits per MiB: device (NPF+MSR+IOIO) / host timer (INTR)",
                  "%.1f / %.1f  (%s)" % (p["device_exits_per_mib"], p["timer_exits_per_mib"],
                                         " ".join("%s=%s" % kv for kv in
                                                  p["exits_by_reason_per_mib"].items() if kv[1]))))
    return r
