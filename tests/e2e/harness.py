"""
tests/e2e/harness.py - the end-to-end test machinery: build an ISO for a
scenario (a grub.cfg with yakvm's command line and module lines), boot it in
an emulator with the serial port captured to a file, and check the log.

A scenario is data (tests/e2e/scenarios.py); each check is a regular
expression that must (or must not) match the serial log, optionally only
after another pattern's first match. Every check is one test.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


@dataclass
class Check:
    desc: str
    pattern: str
    present: bool = True      # False: the pattern must not appear
    after: str = None         # only look after the first match of this
    before: str = None        # only look before the first match of this
    count: int = None         # at least this many matches
    verify: object = None     # f(first match) -> (ok, detail), e.g. a clock check

    def evaluate(self, log):
        start = 0
        if self.after:
            m = re.search(self.after, log, re.M)
            if not m:
                return False, "the anchor /%s/ never appeared" % self.after
            start = m.end()
        end = len(log)
        if self.before:
            m = re.search(self.before, log[start:], re.M)
            if not m:
                return False, "the anchor /%s/ never appeared" % self.before
            end = start + m.start()
        matches = re.findall(self.pattern, log[start:end], re.M)
        if not self.present:
            return (not matches), ("found: %r" % matches[0]) if matches else ""
        need = self.count or 1
        if len(matches) >= need and self.verify:
            return self.verify(re.search(self.pattern, log[start:end], re.M))
        if len(matches) >= need:
            return True, ""
        return False, "/%s/ matched %d time(s), need %d" % (self.pattern, len(matches), need)


@dataclass
class Scenario:
    name: str
    grub: list                 # lines inside the menu entry (multiboot2, module2...)
    checks: list
    emulator: str = "qemu"     # qemu | bochs
    firmware: str = "bios"     # bios | uefi (qemu only)
    boot_device: str = "cdrom" # cdrom | usb (qemu only)
    smp: int = 1
    mem: str = "512M"
    cpu: str = "qemu64,+svm,+npt,+vgif"
    timeout: int = 120
    extra_args: list = field(default_factory=list)
    # Console input: (pattern, bytes) pairs, in order; each is typed into the
    # serial port once the pattern has appeared in the output (QEMU only).
    input: list = field(default_factory=list)
    exclusive: bool = False    # runs with no other emulator beside it (timing)
    # gdb commands run in batch against yakvm.elf through QEMU's gdb stub
    # (QEMU starts halted); gdb's output is checked as lines "gdb: ...".
    gdb: list = field(default_factory=list)


def grub_cfg(sc):
    body = "\n".join("\t" + line for line in sc.grub)
    return ("set timeout=0\nset default=0\n"
            "serial --unit=0 --speed=115200\n"
            "terminal_input serial console\nterminal_output serial console\n"
            'menuentry "yakvm test %s" {\n%s\n\tboot\n}\n' % (sc.name, body))


def build_iso(sc, build_dir, out_dir):
    """An ISO tree with yakvm.elf, every guest, and this scenario's grub.cfg."""
    tree = os.path.join(out_dir, sc.name, "iso")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "boot", "grub"))
    os.makedirs(os.path.join(tree, "guests"))
    shutil.copy(os.path.join(build_dir, "yakvm.elf"), os.path.join(tree, "boot"))
    for d, _, files in os.walk(os.path.join(build_dir, "guests")):
        for f in files:
            if f.endswith(".elf"):
                shutil.copy(os.path.join(d, f), os.path.join(tree, "guests"))
    for f in ("vmlinuz", "initrd.cpio", "vmlinuz-truncated"):  # Linux, when built
        src = os.path.join(build_dir, "linux", f)
        if os.path.exists(src) and any("/" + f + " " in line for line in sc.grub):
            shutil.copy(src, os.path.join(tree, "guests"))
    with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
        f.write(grub_cfg(sc))
    iso = os.path.join(out_dir, sc.name, "yakvm.iso")
    r = subprocess.run(["grub-mkrescue", "-o", iso, tree],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("grub-mkrescue failed:\n" + r.stdout.decode(errors="replace"))
    return iso


def qemu_command(sc, iso, serial_log, workdir):
    if sc.input:
        sock = os.path.join(workdir, "serial.sock")
        serial = ["-chardev", "socket,id=s0,path=%s,server=on,wait=on" % sock,
                  "-serial", "chardev:s0"]
    else:
        serial = ["-serial", "file:" + serial_log]
    if sc.gdb:
        serial += ["-S", "-gdb", "tcp:127.0.0.1:%d" % sc.gdb_port]
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", sc.cpu,
           "-smp", str(sc.smp), "-m", sc.mem, "-display", "none",
           "-no-reboot", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4"] + serial
    if sc.firmware == "uefi":
        vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
        shutil.copy(OVMF_VARS, vars_copy)
        cmd += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                "-drive", "if=pflash,format=raw,file=" + vars_copy]
    if sc.boot_device == "usb":
        cmd += ["-drive", "if=none,id=stick,format=raw,file=" + iso,
                "-device", "qemu-xhci", "-device", "usb-storage,drive=stick"]
    else:
        cmd += ["-cdrom", iso]
    return cmd + sc.extra_args


def console_typist(sock_path, serial_log, inputs, stop):
    """Connects to QEMU's serial socket, copies the output to serial_log,
    and types each input once its pattern has appeared."""
    deadline = time.time() + 30
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(sock_path)
            break
        except OSError:
            if time.time() > deadline or stop.is_set():
                return
            time.sleep(0.05)
    s.settimeout(0.1)
    seen = ""
    pending = list(inputs)
    with open(serial_log, "w") as log:
        while not stop.is_set():
            try:
                data = s.recv(4096)
                if not data:
                    break
                text = data.decode(errors="replace")
                log.write(text)
                log.flush()
                seen += text.replace("\r", "")
            except socket.timeout:
                pass
            except OSError:
                break
            while pending and re.search(pending[0][0], seen, re.M):
                pattern, keys = pending.pop(0)
                # Cut what was matched so the next pattern looks further on.
                seen = seen[re.search(pattern, seen, re.M).end():]
                time.sleep(0.2)
                s.sendall(keys)
            # Every chunk was searched on arrival: only a tail can still be
            # part of a match (this keeps long runs such as the soak linear).
            seen = seen[-65536:]
    s.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_gdb(sc, workdir):
    """gdb in batch mode with yakvm's symbols and scripts/yakvm.gdb."""
    cmds = ["-ex", "target remote 127.0.0.1:%d" % sc.gdb_port,
            "-x", os.path.join(ROOT, "scripts", "yakvm.gdb")]
    for c in sc.gdb:
        cmds += ["-ex", c]
    with open(os.path.join(workdir, "gdb.log"), "w") as out:
        subprocess.run(["gdb", "-q", "-batch", os.path.join(sc.build_dir, "yakvm.elf")] + cmds,
                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=sc.timeout)


def run_qemu(sc, iso, serial_log, workdir):
    cmd = qemu_command(sc, iso, serial_log, workdir)
    t0 = time.time()
    with open(os.path.join(workdir, "qemu.out"), "w") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        typist = None
        stop = threading.Event()
        if sc.gdb:
            run_gdb(sc, workdir)
        if sc.input:
            typist = threading.Thread(target=console_typist, args=(
                os.path.join(workdir, "serial.sock"), serial_log, sc.input, stop))
            typist.start()
        try:
            p.wait(timeout=sc.timeout)
            status = "exited"
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            status = "timeout"
        if typist:
            time.sleep(0.3)
            stop.set()
            typist.join()
    return {"status": status, "seconds": time.time() - t0}


def run_scenario(sc, build_dir, out_dir):
    """Returns (results, info): results is a list of (ok, desc, detail)."""
    workdir = os.path.join(out_dir, sc.name)
    os.makedirs(workdir, exist_ok=True)
    serial_log = os.path.join(workdir, "serial.log")
    if os.path.exists(serial_log):
        os.remove(serial_log)
    try:
        iso = build_iso(sc, build_dir, out_dir)
    except RuntimeError as e:
        return [(False, "build the ISO", str(e))], {"status": "error", "seconds": 0}
    if sc.gdb:
        sc.gdb_port = free_port()
        sc.build_dir = build_dir
    if sc.emulator == "bochs":
        from bochs import run_bochs
        info = run_bochs(iso, serial_log, sc.timeout, cpus=sc.smp, workdir=workdir)
    else:
        info = run_qemu(sc, iso, serial_log, workdir)
    try:
        with open(serial_log, errors="replace") as f:
            log = f.read().replace("\r", "")
    except FileNotFoundError:
        log = ""
    gdb_log = os.path.join(workdir, "gdb.log")
    if sc.gdb and os.path.exists(gdb_log):
        with open(gdb_log, errors="replace") as f:
            log += "".join("gdb: " + line for line in f)
    results = [(info["status"] == "exited", "the run ends by itself",
                "timed out after %ds" % sc.timeout if info["status"] != "exited" else "")]
    for c in sc.checks:
        ok, detail = c.evaluate(log)
        results.append((ok, c.desc, detail))
    info["log"] = serial_log
    return results, info
