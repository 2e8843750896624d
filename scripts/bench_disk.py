"""
scripts/bench_disk.py - the disk rows of `make bench` (docs/performance.md):
Debian's cloud kernel reads and writes a virtio-blk disk with busybox dd
(tests/linux/init, yakvm.bench=PHASE), through yakvm's virtio-blk (a
module disk, disk=module:bench,size=128M) and through bare QEMU's
virtio-blk-pci (-drive of a 128 MiB raw file), same kernel, initramfs and
guest memory, plain TCG (line times are the host's). Phases, one boot of
each system each: write (64 MiB sequential, 1 MiB blocks, fsync), read
(64 MiB sequential), randread (1024 reads of 4 KiB at random offsets, one
dd process each). A phase's time is from its start to its done line on
the serial pipe; the ratio is yakvm's over bare QEMU's, from the same run.

yakvm's exits of a phase: the guest waits for a typed line before and
after it (yakvm.bench=PHASE,wait); meanwhile the bench asks yakvm's
monitor for the VM's counts (`stats linux`) and takes the difference,
per MiB moved. INTR (host interrupts: the host timer) is reported apart;
NPF + MSR + IOIO count as device exits (a notification is an NPF, an
interrupt's EOI an MSR or NPF exit); they include the guest's own timer
programming (MSR) and the typed line (IOIO): an upper bound.
Nothing here is a test: it reports.
"""
import os
import re
import signal
import subprocess
import threading
import time

PHASES = (("write", 64.0), ("read", 64.0), ("randread", 4.0))   # MiB moved
MEM = "512M"
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1"
DEVICE_CLASSES = ("NPF", "MSR", "IOIO")
CTRL_A3 = b"\x01" * 3
FOCUS = re.compile(r"^yakvm: console input goes to (vm \S+|yakvm's monitor) \(Ctrl-A")
STAT = re.compile(r"^yakvm: vm linux stats: (\w+) count=(\d+) ")


def _phase_time(lines, phase):
    t0 = t1 = None
    for t, line in lines:
        if t0 is None and re.search(r"yakvm-linux: bench %s start$" % phase, line):
            t0 = t
        elif t0 is not None and re.search(r"yakvm-linux: bench %s done rc 0$" % phase, line):
            t1 = t
            break
    return None if t0 is None or t1 is None else t1 - t0


class Driver:
    """Types into yakvm's console as its lines come: at the guest's
    "ready" and "done" lines, to the monitor `stats linux`, then the line
    the guest waits for. Keeps the two snapshots of counts by class."""

    def __init__(self, proc, phase):
        self.proc, self.phase = proc, phase
        self.want = None            # the focus sought: "monitor" or "vm linux"
        self.then = b""             # what to type once it has it
        self.collect = None         # the snapshot being read, or None
        self.snaps = []

    def send(self, b):
        self.proc.stdin.write(b)
        self.proc.stdin.flush()

    def go_to(self, target, keys):
        self.want, self.then = target, keys
        self.send(CTRL_A3)

    def line(self, line):
        if re.search(r"yakvm-linux: bench %s (ready|done rc)" % self.phase, line):
            self.go_to("yakvm's monitor", b"stats linux\r")
        elif line.startswith("yakvm> stats linux"):
            self.collect = {}
            self.snaps.append(self.collect)
            self.go_to("vm linux", b"go\n")     # printed before the focus moves
        m = FOCUS.search(line)
        if m and self.want:
            self.collect = None
            if m.group(1) == self.want:
                self.want = None
                self.send(self.then)
            else:
                self.send(CTRL_A3)
        m = STAT.search(line)
        if m and self.collect is not None:
            self.collect[m.group(1)] = int(m.group(2))


def _yakvm_run(args, h, phase):
    name = "bench-disk-" + phase
    sc = h.Scenario(name=name, checks=[], mem="1G", timeout=900, grub=[h.YAKVM] + [
        "module2 /guests/vmlinuz name=linux mem=%s vcpus=1 disk=module:bench,size=128M "
        "-- %s yakvm.bench=%s,wait" % (MEM, CMDLINE, phase),
        "module2 /guests/initrd.cpio attach=linux",
        "module2 /guests/marker-a.img image=bench"])
    iso = h.build_iso(sc, args.build, args.out)
    cmd = h.stdio_serial(h.qemu_command(sc, iso, "-", os.path.join(args.out, name)))
    return run_driven(cmd, os.path.join(args.out, name, "serial.log"),
                      lambda p: Driver(p, phase), 900)


def run_driven(cmd, log_path, make_driver, timeout):
    """Runs QEMU with the serial on a pipe, each line timed, logged and
    handed to the driver make_driver(p) returns (it types into p); killed
    after timeout s. Returns the (time, line) pairs and the driver's snaps
    (also used by scripts/bench_net.py)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.PIPE, start_new_session=True)
    timer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
    timer.start()
    d, lines = make_driver(p), []
    with open(log_path, "w") as log:
        for raw in p.stdout:
            t = time.monotonic() - t0
            line = raw.decode(errors="replace").rstrip("\r\n").replace("\r", "")
            lines.append((t, line))
            log.write("%9.3f %s\n" % (t, line))
            try:
                d.line(line)
            except (BrokenPipeError, OSError):
                pass
    p.wait()
    timer.cancel()
    return lines, d.snaps


def run(args, res, h):
    """h: scripts/bench.py (its helpers and harness imports)."""
    ldir = os.path.join(args.build, "linux")
    kernel, initrd = os.path.join(ldir, "vmlinuz"), os.path.join(ldir, "initrd.cpio")
    if not all(os.path.exists(f) for f in (kernel, initrd, os.path.join(ldir, "marker-a.img"))):
        res["disk"] = {"skipped": "no Linux kernel or disk images in %s" % ldir}
        return
    disk = os.path.join(args.out, "bench-disk.img")
    out = {}
    for phase, mib in PHASES:
        lines, snaps = _yakvm_run(args, h, phase)
        with open(disk, "wb") as f:
            f.truncate(128 << 20)
        b = h.bare_run("bench-disk-bare", args, kernel, "%s yakvm.bench=%s" % (CMDLINE, phase),
                       initrd=initrd, mem=MEM, timeout=900,
                       extra=["-drive", "file=%s,if=none,id=d0,format=raw" % disk,
                              "-device", "virtio-blk-pci,drive=d0"])
        os.remove(disk)
        ty, tb = _phase_time(lines, phase), _phase_time(b["lines"], phase)
        if ty is None or tb is None or len(snaps) < 2:
            res["errors"].append("disk %s: no start/done lines or monitor counts (bare %s); see %s"
                                 % (phase, b["status"], args.out))
            continue
        diff = {c: snaps[1].get(c, 0) - snaps[0].get(c, 0) for c in set(snaps[0]) | set(snaps[1])}
        out[phase] = {
            "mib": mib, "yakvm_s": round(ty, 2), "bare_s": round(tb, 2),
            "ratio": round(ty / tb, 3),
            "yakvm_mib_s": round(mib / ty, 2), "bare_mib_s": round(mib / tb, 2),
            "exits": diff,
            "device_exits_per_mib": round(sum(diff.get(c, 0) for c in DEVICE_CLASSES) / mib, 1),
            "timer_exits_per_mib": round(diff.get("INTR", 0) / mib, 1),
        }
    res["disk"] = {
        "method": "one boot per phase and system, plain TCG, from QEMU's start; dd between "
                  "the guest's start and done lines; yakvm's exits from its monitor's "
                  "`stats` before and after",
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
        r.append(("  yakvm exits per MiB: device (NPF+MSR+IOIO) / host timer (INTR)",
                  "%.1f / %.1f  (in all: %s)" % (
                      p["device_exits_per_mib"], p["timer_exits_per_mib"],
                      " ".join("%s=%d" % kv for kv in sorted(p["exits"].items()) if kv[1]))))
    return r
