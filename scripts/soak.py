#!/usr/bin/env python3
"""
scripts/soak.py - `make soak MINUTES=N`: a long run of yakvm under load.

One QEMU boot (-smp 2) with four VMs: two Linux VMs with 2 vCPUs each, which
run tests/linux/init's soak mode (a busy loop on every CPU, 256 KiB of random
bytes written to tmpfs, copied and summed each round, one numbered console
line per round) for N minutes of their own clock, and two small VMs that run
until destroyed: a heartbeat (numbered lines too) and an IF=0 spinner. When
both Linux VMs have powered off, the console is switched to yakvm's monitor,
`list` shows the small VMs still running, and `destroy` ends them.

Pass: no hang (the run ends by itself), every numbered line of every VM
exactly once and in order, the two sums of every round equal, no PANIC, no
`yakvm: error` but the two destroys, every VM alive to the end, and yakvm's
statistics of every VM printed. The serial log is build/<flavor>/soak/soak/serial.log.
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Scenario, Check, run_scenario, ROOT  # noqa: E402
from scenarios_linux import linux_vm  # noqa: E402

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
CTRL_A = b"\x01"
LINUX = ("lina", "linb")
ENDED = r"^yakvm: (?:error: )?vm lin[ab](?: ended with|/\d+ stopped| stopped)"


def scenario(minutes, smp):
    grub = [YAKVM]
    for name in LINUX:
        grub += linux_vm(name, 2, extra="yakvm.soak=%d" % minutes)
    grub += ["module2 /guests/heartbeat.elf name=hb mem=8M -- beats=2000000000",
             "module2 /guests/spin.elf name=spin mem=8M"]
    # After both Linux VMs: Ctrl-A three times per step (hb, spin, monitor),
    # once a heartbeat shows yakvm is done ending the second (its statistics
    # are printed before it leaves the input focus's round).
    inputs = [(ENDED, b""), (ENDED, b""), (r"^\[hb\] heartbeat \d+$", CTRL_A * 9),
              (r"console input goes to yakvm's monitor", b"list\r"),
              (r"^  3  spin ", b"destroy spin\r"),
              (r"vm spin: destroyed", b"destroy hb\r")]
    checks = [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no yakvm error but the two destroys",
              r"^yakvm: error: (?!vm (hb|spin) stopped: destroyed from the monitor$)",
              present=False),
        Check("yakvm runs on 2 or more CPUs", r"^yakvm: \d+ CPUs up"),
    ]
    for vm in LINUX:
        p = r"^\[%s\] yakvm-linux: " % vm
        checks += [
            Check("%s: the soak starts on 2 CPUs" % vm, p + r"soak start %d minutes, 2 cpus$" % minutes),
            Check("%s: the soak completes" % vm, p + r"soak done \d+ lines in \d+ s$"),
            Check("%s: no Oops or BUG in dmesg" % vm, p + r"dmesg oops 0$", after=p + "soak done"),
            Check("%s: powers off through ACPI" % vm,
                  r"^yakvm: vm %s ended with status 0 \(the guest powered off \(ACPI S5\)\)" % vm),
        ]
    checks += [
        Check("the small VMs still run after both Linux VMs ended (list)",
              r"^  2  hb +running .*\n  3  spin +running ", after=ENDED + ".*\n(?:.*\n)*?" + ENDED),
        Check("the heartbeat goes on after the Linux VMs ended", r"^\[hb\] heartbeat \d+$",
              after=ENDED + ".*\n(?:.*\n)*?" + ENDED),
        Check("the spinner is destroyed", r"^  vm spin: destroyed, \d+ MiB freed"),
        Check("the heartbeat is destroyed", r"^  vm hb: destroyed, \d+ MiB freed"),
        Check("yakvm is alive at the end", r"^yakvm: all VMs have ended"),
    ] + [Check("yakvm prints the statistics of vm %s" % vm,
               r"^yakvm: vm %s stats: [1-9]\d* exits on \d+ vCPUs?" % vm)
         for vm in LINUX + ("hb", "spin")]
    return Scenario(name="soak", grub=grub, checks=checks, smp=smp, mem="1G",
                    timeout=minutes * 60 * 3 + 600, input=inputs)


def numbered(log, vm, key, pattern, last=None):
    """(ok, detail): the lines of `vm` that start with `key` and are not its
    start/done lines must match `pattern` whole (group 1: the number) and
    count 1, 2, 3... A lost or doubled byte garbles a line or its number."""
    prefix = "[%s] " % vm
    nums, bad = [], []
    for line in log.split("\n"):
        if not line.startswith(prefix + key):
            continue
        line = line[len(prefix):]
        m = re.fullmatch(pattern, line)
        if m:
            nums.append(int(m.group(1)))
        elif not re.match(re.escape(key) + r"(start|done)", line):
            bad.append(line)
    if bad:
        return False, "%d garbled line(s), first %r" % (len(bad), bad[0])
    if not nums:
        return False, "no numbered line"
    if nums != list(range(1, len(nums) + 1)):
        i = next(i for i, n in enumerate(nums) if n != i + 1)
        return False, "line %d is number %d (expected %d)" % (i + 1, nums[i], i + 1)
    if last is not None and len(nums) != last:
        return False, "%d lines, the guest says %d" % (len(nums), last)
    return True, "%d lines" % len(nums)


def extra_checks(log):
    results = []
    for vm in LINUX:
        m = re.search(r"^\[%s\] yakvm-linux: soak done (\d+) lines in (\d+) s$" % vm, log, re.M)
        last = int(m.group(1)) if m else None
        ok, detail = numbered(log, vm, "yakvm-linux: soak ",
                              r"yakvm-linux: soak (\d+) ([0-9a-f]{32}) ([0-9a-f]{32})", last)
        results.append((ok, "%s: every soak line once, in order, unbroken" % vm, detail))
        pairs = re.findall(r"^\[%s\] yakvm-linux: soak \d+ ([0-9a-f]{32}) ([0-9a-f]{32})$" % vm, log, re.M)
        differ = sum(a != b for a, b in pairs)
        results.append((bool(pairs) and not differ,
                        "%s: both copies of every round's data have the same MD5" % vm,
                        "%d of %d rounds differ" % (differ, len(pairs))))
    ok, detail = numbered(log, "hb", "heartbeat", r"heartbeat (\d+)")
    results.append((ok, "hb: every heartbeat once, in order, unbroken", detail))
    return results


def summary(log):
    out = []
    for vm in LINUX + ("hb", "spin"):
        m = re.search(r"^yakvm: vm %s stats: (\d+) exits" % vm, log, re.M)
        out.append("%s %s exits" % (vm, m.group(1) if m else "?"))
    for vm in LINUX:
        m = re.search(r"^\[%s\] yakvm-linux: soak done (\d+) lines in (\d+) s$" % vm, log, re.M)
        if m:
            out.append("%s %s lines in %s guest s" % (vm, m.group(1), m.group(2)))
    beats = re.findall(r"^\[hb\] heartbeat (\d+)$", log, re.M)
    out.append("hb %s beats" % (beats[-1] if beats else 0))
    return ", ".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--qemu-log", action="store_true",
                    help="QEMU logs CPU resets and guest errors to qemu-debug.log (a triple fault)")
    ap.add_argument("--pause-on-fault", action="store_true",
                    help="QEMU pauses at a triple fault (or the end) with its monitor on "
                         "soak/soak/debug-monitor.sock, to look at memory")
    ap.add_argument("--gdb-port", type=int, default=0,
                    help="QEMU's gdb stub on this port, to look at a hang")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build)
    if not os.path.exists(os.path.join(build, "linux", "vmlinuz")):
        print("soak: no Linux kernel was built (make env unpacks linux-image-cloud-amd64 into build/kernels)")
        return 1
    sc = scenario(args.minutes, args.smp)
    if args.qemu_log:
        # A triple fault resets the machine instead of ending QEMU, so the
        # reset dump shows the CPU state at the fault (the run then times out).
        sc.extra_args = ["-d", os.environ.get("SOAK_QEMU_D", "cpu_reset,guest_errors"), "-D",
                         os.path.join(build, "soak", "soak", "qemu-debug.log"),
                         "-action", "reboot=reset"]
    if args.pause_on_fault:
        sc.extra_args += ["-action", "reboot=shutdown,shutdown=pause", "-monitor",
                          "unix:%s,server=on,wait=off" % os.path.join(
                              build, "soak", "soak", "debug-monitor.sock")]
    if args.gdb_port:
        sc.extra_args += ["-gdb", "tcp:127.0.0.1:%d" % args.gdb_port]
    print("soak: %d minutes, 2 Linux VMs x 2 vCPUs + heartbeat + spinner, QEMU -smp %d (%s)"
          % (args.minutes, args.smp, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    sys.stdout.flush()
    results, info = run_scenario(sc, build, os.path.join(build, "soak"))
    with open(info["log"], errors="replace") as f:
        log = f.read().replace("\r", "")
    results += extra_checks(log)
    failed = 0
    for ok, desc, detail in results:
        print("  %s  %s%s" % ("ok  " if ok else "FAIL", desc,
                              (": " + detail) if detail and (not ok or "lines" in detail) else ""))
        failed += not ok
    print("soak: %s, %.0f s wall; serial log %s" % (info["status"], info["seconds"],
                                                   os.path.relpath(info["log"], ROOT)))
    print("soak: " + summary(log))
    print("soak: %s (%d passed, %d failed)" % ("PASS" if not failed else "FAIL",
                                                len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
