#!/usr/bin/env python3
"""tests/e2e/bochs.py - boot an ISO in Bochs 2.7 (cpu model=ryzen, AMD SVM).

    run_bochs(iso_path, serial_log_path, timeout_s, cpus=1, workdir=None)
        -> {'status': 'exited' | 'timeout', 'seconds': float,
            'bochs_log': path, 'screen_log': path, 'bochsrc': path,
            'first_line_s': float | None, 'returncode': int | None}

The Debian bochs package has no "nogui" display and always builds the
internal debugger in, so the run uses the ncurses "term" display (its screen
output goes to a file, never to our stdout), a -rc file of "c" commands
(continue) and stdin from /dev/null. Bochs ignores SIGTERM, so a run past its
timeout is killed with SIGKILL, together with its process group. The guest
ends the run by writing "Shutdown" to port 0x8900 (yakvm's on_idle=exit).

`panic: action=fatal` with one `cpuN=report` per CPU keeps a guest's triple
fault from ending the emulator: Bochs logs ">>PANIC<< exception(): 3rd (13)
exception with no resolution" for the CPU, goes on, and then takes the
SHUTDOWN #VMEXIT that yakvm intercepts. Any other panic (the 0x8900 shutdown
port among them) ends Bochs, with exit status 1.

first_line_s: wall seconds until the serial log first holds "yakvm" (polled
every 0.2 s), None if it never does. Files in workdir: bochsrc, debugger.rc,
bochs.log (Bochs' own log: SVM/VMRUN messages, CPU state at the end) and
screen.log (the term display's output).

CLI: python3 tests/e2e/bochs.py ISO LOG [--timeout S] [--cpus N] [--workdir D]
prints the serial log at the end; exit status 0 if Bochs exited by itself.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

BIOS = "/usr/share/bochs/BIOS-bochs-latest"
VGABIOS = "/usr/share/vgabios/vgabios.bin"
BOCHS = "bochs"


def bochsrc_text(iso_path, serial_log_path, cpus, bochs_log, com2=None, com1=None):
    """The bochsrc for one run; every path is absolute. com2: "host:port"
    of a TCP server Bochs' COM2 connects to (a gdb stub's line), or None;
    com1 likewise for the console (then the server writes the log)."""
    cpu_reports = ", ".join("cpu%d=report" % i for i in range(cpus))
    lines = [
        "# written by tests/e2e/bochs.py",
        "romimage: file=%s, options=fastboot" % BIOS,
        "vgaromimage: file=%s" % VGABIOS,
        # ignore_bad_msrs=1 (Bochs' default, made explicit): Bochs 2.7 does
        # not implement VM_CR (MSR 0xc0010114), which yakvm reads before
        # enabling SVM; with it, the read logs an error and returns 0.
        "cpu: model=ryzen, count=%d, ips=50000000, reset_on_triple_fault=0, "
        "ignore_bad_msrs=1" % cpus,
        "megs: 512",
        "ata0-master: type=cdrom, path=\"%s\", status=inserted" % iso_path,
        "boot: cdrom",
        ("com1: enabled=1, mode=socket-client, dev=%s" % com1 if com1 else
         "com1: enabled=1, mode=file, dev=\"%s\"" % serial_log_path),
    ] + (["com2: enabled=1, mode=socket-client, dev=%s" % com2] if com2 else []) + [
        "clock: sync=none",
        "display_library: term",
        "log: \"%s\"" % bochs_log,
        # The term display cannot show the VBE mode GRUB sets for yakvm's
        # framebuffer request: it reports that, and the run goes on.
        "panic: action=fatal, term=report, %s" % cpu_reports,
        "error: action=report",
        "info: action=report",
        "debug: action=ignore",
        "",
    ]
    return "\n".join(lines)


def run_bochs(iso_path, serial_log_path, timeout_s, cpus=1, workdir=None, com2=None,
              com1=None):
    iso_path = os.path.abspath(iso_path)
    serial_log_path = os.path.abspath(serial_log_path)
    if not os.path.isfile(iso_path):
        raise FileNotFoundError(iso_path)
    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="yakvm-bochs-")
    workdir = os.path.abspath(workdir)
    os.makedirs(workdir, exist_ok=True)
    bochs_log = os.path.join(workdir, "bochs.log")
    rc_path = os.path.join(workdir, "bochsrc")
    cmds_path = os.path.join(workdir, "debugger.rc")
    screen_log = os.path.join(workdir, "screen.log")
    for p in (bochs_log, serial_log_path):
        if os.path.exists(p):
            os.unlink(p)
    with open(rc_path, "w") as f:
        f.write(bochsrc_text(iso_path, serial_log_path, cpus, bochs_log, com2, com1))
    with open(cmds_path, "w") as f:
        # The debugger reads its commands from here; "c" continues. A few
        # spares in case a breakpoint-like stop drops back to the prompt.
        f.write("c\n" * 8)

    env = dict(os.environ)
    env.setdefault("TERM", "xterm")
    if not env.get("TERM") or env["TERM"] == "dumb":
        env["TERM"] = "xterm"
    env.setdefault("LTDL_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu/bochs/plugins")
    argv = [BOCHS, "-q", "-f", rc_path, "-rc", cmds_path]
    start = time.monotonic()
    with open(os.devnull, "rb") as devnull, open(screen_log, "wb") as screen:
        proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=devnull,
                                stdout=screen, stderr=subprocess.STDOUT,
                                start_new_session=True)
        status = "exited"
        first_line_s = None
        deadline = start + timeout_s
        try:
            # Poll, to note when yakvm's first line reaches the serial log.
            while proc.poll() is None:
                now = time.monotonic()
                if now >= deadline:
                    raise subprocess.TimeoutExpired(argv, timeout_s)
                if first_line_s is None and _has_yakvm_line(serial_log_path):
                    first_line_s = now - start
                try:
                    proc.wait(timeout=min(0.2, deadline - now))
                except subprocess.TimeoutExpired:
                    pass
        except subprocess.TimeoutExpired:
            status = "timeout"
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    seconds = time.monotonic() - start
    if first_line_s is None and _has_yakvm_line(serial_log_path):
        first_line_s = seconds
    return {"status": status, "seconds": seconds, "bochs_log": bochs_log,
            "screen_log": screen_log, "bochsrc": rc_path,
            "first_line_s": first_line_s,
            "returncode": proc.returncode if status == "exited" else None}


def _has_yakvm_line(path):
    try:
        with open(path, "rb") as f:
            return b"yakvm" in f.read()
    except OSError:
        return False


def main(argv=None):
    ap = argparse.ArgumentParser(description="Boot an ISO in Bochs (ryzen, SVM).")
    ap.add_argument("iso")
    ap.add_argument("log", help="serial (COM1) log file to write")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--workdir", default=None,
                    help="where the bochsrc and Bochs' own log go (default: a temp dir)")
    a = ap.parse_args(argv)
    r = run_bochs(a.iso, a.log, a.timeout, cpus=a.cpus, workdir=a.workdir)
    try:
        with open(a.log, "r", errors="replace") as f:
            sys.stdout.write(f.read())
    except FileNotFoundError:
        print("(no serial log at %s)" % a.log)
    first = r["first_line_s"]
    print("bochs: %s after %.1f s; first yakvm line after %s (Bochs log: %s)" % (
        r["status"], r["seconds"], "%.1f s" % first if first is not None else "-",
        r["bochs_log"]))
    return 0 if r["status"] == "exited" else 1


if __name__ == "__main__":
    sys.exit(main())
