"""
tests/e2e/harness.py - the end-to-end test machinery: build an ISO for a
scenario (a grub.cfg with yakvm's command line and module lines), boot it in
an emulator with the serial port captured to a file, and check the log.

A scenario is data (tests/e2e/scenarios.py); each check is a regular
expression that must (or must not) match the serial log, optionally only
after another pattern's first match. Every check is one test.
"""
import datetime
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
    # serial port once the pattern has appeared in the output.
    input: list = field(default_factory=list)
    exclusive: bool = False    # runs with no other emulator beside it (timing)
    # gdb commands run in batch against yakvm.elf through QEMU's gdb stub
    # (QEMU starts halted); gdb's output is checked as lines "gdb: ...".
    gdb: list = field(default_factory=list)
    # QEMU monitor commands: (pattern, command) pairs, in order; each is sent
    # to QEMU's human monitor once the pattern is in the serial output (the
    # monitor's answers go to qemu-monitor.log in the work directory).
    qemu_monitor: list = field(default_factory=list)
    # Also record the machine's COM2 (second serial port); its lines are
    # checked as "com2: ..." after the COM1 log.
    com2: bool = False
    # Read the text back from the framebuffer screenshot "screen.ppm" in the
    # work directory (taken by a qemu_monitor "screendump {workdir}/screen.ppm");
    # its lines are checked as "screen: ...".
    screen: bool = False
    # gdb commands run in batch against a guest through yakvm's gdb stub
    # (gdb= on a module line): COM2 becomes a TCP socket, gdb starts once
    # guest_gdb_ready appears on the console, with guest_gdb_elf's symbols;
    # its output is checked as lines "guest-gdb: ...".
    guest_gdb: list = field(default_factory=list)
    guest_gdb_elf: str = "gdbtarget.elf"   # None: gdb without symbols
    guest_gdb_ready: str = r"gdb stub on port 0x2f8"
    # Made at test time, before the emulator starts: f(workdir) returns
    # (extra emulator arguments, extra checks), e.g. a disk image and the
    # checks its partition table calls for (tests/e2e/scenarios_storage.py).
    prepare: object = None
    # A power cut: once this pattern is in the serial output, QEMU is killed
    # with SIGKILL and started again on the same disk images; the log
    # checked is the first run's, a line "harness: power cut", the second's.
    power_cut: str = None
    # Host-side code beside the emulator (tests/e2e/scenarios_uplink.py):
    # beside(workdir) is called before the ISO is built and returns an
    # object with `words` (a dict: each key found in the grub lines is
    # replaced by its value, e.g. a port it picked), `args` (extra emulator
    # arguments), run(serial_log, stop), run in a thread while the
    # emulator runs (stop is set once it has ended), lines(), checked as
    # "host: ..." after the log, and close().
    beside: object = None


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
    for f in sorted(os.listdir(os.path.join(build_dir, "linux"))
                    if os.path.isdir(os.path.join(build_dir, "linux")) else []):  # Linux, when built
        src = os.path.join(build_dir, "linux", f)
        if not os.path.isfile(src):
            continue
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
    if sc.guest_gdb:
        serial += ["-chardev", "socket,id=gdb0,host=127.0.0.1,port=%d,server=on,wait=off"
                   % sc.guest_gdb_port, "-serial", "chardev:gdb0"]
    # make test ACCEL=kvm sets YAKVM_ACCEL (untested here: no KVM).
    cmd = ["qemu-system-x86_64", "-accel", os.environ.get("YAKVM_ACCEL", "tcg"), "-cpu", sc.cpu,
           "-smp", str(sc.smp), "-m", sc.mem, "-display", "none",
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"] + serial
    if sc.com2:
        cmd += ["-serial", "file:" + os.path.join(workdir, "com2.log")]
    if sc.qemu_monitor:
        cmd += ["-monitor", "unix:%s,server=on,wait=off" % os.path.join(workdir, "monitor.sock")]
    else:
        cmd += ["-monitor", "none"]
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


CTRL_A3 = b"\x01" * 3
FOCUS_LINE = r"^yakvm: console input goes to (vm \S+|yakvm's monitor) \(Ctrl-A"  # a whole name, not one cut by a read


@dataclass
class ToVM:
    """An input's keys for one VM: Ctrl-A three times until yakvm says the
    input goes to that VM (None: to the monitor), then the keys (a
    heartbeat's "stop", a monitor command)."""
    vm: str
    keys: bytes = b"q"
    tries: int = 16


def stop_heartbeat(pattern, vm="heartbeat"):
    """The input that stops a heartbeat (until=key) once pattern appeared
    (a regular expression, or a function of the whole log so far)."""
    return (pattern, ToVM(vm))


def others_ended(names, vm="heartbeat"):
    """A condition on the log: every VM in names has ended or been stopped,
    and the heartbeat vm has beaten once after the last of them."""
    def cond(log):
        last = 0
        for n in names:
            m = re.search(r"^yakvm: (error: )?vm %s(/\d+)? (ended|stopped)" % re.escape(n),
                          log, re.M)
            if not m:
                return False
            last = max(last, m.end())
        return re.search(r"^\[%s\] heartbeat \d+$" % re.escape(vm), log[last:], re.M) is not None
    return cond


def beats_after(anchor, n, vm="heartbeat"):
    """A condition on the log: the heartbeat vm has beaten n times after
    the first match of anchor."""
    def cond(log):
        m = re.search(anchor, log, re.M)
        return bool(m) and len(re.findall(r"^\[%s\] heartbeat \d+$" % re.escape(vm),
                                          log[m.end():], re.M)) >= n
    return cond


def stop_when_others_end(names, vm="heartbeat"):
    """The input that stops heartbeat vm once every VM in names has ended."""
    return stop_heartbeat(others_ended(names, vm), vm)


def console_typist(sock_path, serial_log, inputs, stop, sock=None):
    """Connects to QEMU's serial socket (or takes sock, already connected),
    copies the output to serial_log, and types each input once its pattern
    has appeared."""
    deadline = time.time() + 30
    s = sock or socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while sock is None:
        try:
            s.connect(sock_path)
            break
        except OSError:
            if time.time() > deadline or stop.is_set():
                return
            time.sleep(0.05)
    s.settimeout(0.1)
    seen = ""
    full = []            # the whole log, for conditions (functions)
    pending = list(inputs)

    def ready():
        if not pending:
            return None
        pattern = pending[0][0]
        if callable(pattern):
            return "" if pattern("".join(full)) else None
        m = re.search(pattern, seen, re.M)
        return m

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
                full.append(text.replace("\r", ""))
            except socket.timeout:
                pass
            except OSError:
                break
            while ready() is not None:
                m = ready()
                pattern, keys = pending.pop(0)
                # Cut what was matched so the next pattern looks further on.
                seen = seen[m.end():] if m else ""
                time.sleep(0.2)
                if isinstance(keys, ToVM):
                    target = "yakvm's monitor" if keys.vm is None else "vm " + keys.vm
                    if pattern == FOCUS_LINE and m.group(1) == target:
                        s.sendall(keys.keys)
                    elif keys.tries > 0:
                        s.sendall(CTRL_A3)
                        pending.insert(0, (FOCUS_LINE, ToVM(keys.vm, keys.keys,
                                                            keys.tries - 1)))
                    continue
                s.sendall(keys)
            # Every chunk was searched on arrival: only a tail can still be
            # part of a match (this keeps long runs such as the soak linear).
            seen = seen[-65536:]
    s.close()


def screen_text(workdir, build_dir):
    from screen import read_screen
    try:
        return "\n".join(read_screen(os.path.join(workdir, "screen.ppm"),
                                     os.path.join(build_dir, "gen", "font.c")))
    except (OSError, AttributeError, ValueError, TypeError, IndexError):
        return ""


def monitor_driver(sock_path, serial_log, commands, stop, build_dir=None):
    """Sends each QEMU monitor command once its pattern has appeared in the
    serial log (a file QEMU writes); the answers go to qemu-monitor.log.
    A command with a third element (a screendump and a pattern) is sent
    again until the screen read back from screen.ppm shows the pattern:
    a screen check waits for its line instead of sampling once."""
    pending = list(commands)
    pos = 0
    s = None
    out = open(os.path.join(os.path.dirname(sock_path), "qemu-monitor.log"), "w")
    while pending and not stop.is_set():
        time.sleep(0.1)
        try:
            with open(serial_log, errors="replace") as f:
                text = f.read().replace("\r", "")
        except FileNotFoundError:
            continue
        m = re.search(pending[0][0], text[pos:], re.M)
        if not m:
            continue
        pos += m.end()
        if s is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sock_path)
                s.settimeout(0.2)
            except OSError as e:
                out.write("cannot connect: %s\n" % e)
                return
        entry = pending.pop(0)
        cmd = entry[1].replace("{workdir}", os.path.dirname(sock_path))
        while True:
            s.sendall((cmd + "\n").encode())
            time.sleep(0.2)
            try:
                out.write(s.recv(65536).decode(errors="replace"))
                out.flush()
            except (socket.timeout, OSError):
                pass
            if len(entry) < 3 or stop.is_set() or re.search(
                    entry[2], screen_text(os.path.dirname(sock_path), build_dir), re.M):
                break
    if s:
        s.close()
    out.close()


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


def run_guest_gdb(sc, serial_log, workdir, deadline):
    """Waits for yakvm's stub to be up, then gdb in batch on the guest."""
    out_path = os.path.join(workdir, "guest-gdb.log")
    while time.time() < deadline:
        try:
            with open(serial_log, errors="replace") as f:
                if re.search(sc.guest_gdb_ready, f.read(), re.M):
                    break
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    else:
        with open(out_path, "w") as out:
            out.write("the stub never said it was ready\n")
        return
    elf = ([os.path.join(sc.build_dir, "guests", "tests", "guests", sc.guest_gdb_elf)]
           if sc.guest_gdb_elf else [])
    # A list of lists is several gdb sessions, one after the other.
    sessions = sc.guest_gdb if isinstance(sc.guest_gdb[0], list) else [sc.guest_gdb]
    with open(out_path, "w") as out:
        for session in sessions:
            cmds = ["-ex", "target remote 127.0.0.1:%d" % sc.guest_gdb_port]
            for c in session:
                cmds += ["-ex", c]
            out.flush()
            try:
                subprocess.run(["gdb", "-nx", "-q", "-batch"] + elf + cmds, stdout=out,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               timeout=max(1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                out.write("gdb timed out\n")


def com2_relay(emulator_listener, gdb_listener, stop):
    """Bochs' COM2 connects as a TCP client, and so does gdb: relay the bytes
    between the two, taking one gdb connection after another."""
    import select
    emu, _ = emulator_listener.accept()
    gdb_conn = None
    while not stop.is_set():
        socks = [emu] + ([gdb_conn] if gdb_conn else [gdb_listener])
        ready, _, _ = select.select(socks, [], [], 0.1)
        for r in ready:
            if r is gdb_listener:
                gdb_conn, _ = gdb_listener.accept()
                continue
            data = r.recv(4096)
            if r is emu:
                if not data:
                    return
                if gdb_conn:
                    gdb_conn.sendall(data)
            elif data:
                emu.sendall(data)
            else:
                gdb_conn.close()
                gdb_conn = None


def run_bochs_with_gdb(sc, iso, serial_log, workdir):
    """Bochs with COM2 relayed to a port gdb attaches to, and the gdb
    session run beside it."""
    from bochs import run_bochs
    listeners = []
    for _ in range(2):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        listeners.append(s)
    sc.guest_gdb_port = listeners[1].getsockname()[1]
    stop = threading.Event()
    relay = threading.Thread(target=com2_relay, args=(listeners[0], listeners[1], stop),
                             daemon=True)
    relay.start()
    t0 = time.time()
    session = threading.Thread(target=run_guest_gdb,
                               args=(sc, serial_log, workdir, t0 + sc.timeout))
    session.start()
    info = run_bochs(iso, serial_log, sc.timeout, cpus=sc.smp, workdir=workdir,
                     com2="127.0.0.1:%d" % listeners[0].getsockname()[1])
    stop.set()
    session.join()
    for s in listeners:
        s.close()
    return info


def run_bochs_with_input(sc, iso, serial_log, workdir):
    """Bochs with COM1 connected to a TCP server here, which writes the
    serial log and types sc.input into the console."""
    from bochs import run_bochs
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def serve():
        listener.settimeout(1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            console_typist(None, serial_log, sc.input, stop, sock=conn)
            return

    typist = threading.Thread(target=serve, daemon=True)
    typist.start()
    info = run_bochs(iso, serial_log, sc.timeout, cpus=sc.smp, workdir=workdir,
                     com1="127.0.0.1:%d" % listener.getsockname()[1])
    stop.set()
    typist.join()
    listener.close()
    return info


def run_qemu(sc, iso, serial_log, workdir):
    from hang import diagnose, monitor_args
    cmd = qemu_command(sc, iso, serial_log, workdir) + monitor_args(workdir)
    t0 = time.time()
    with open(os.path.join(workdir, "qemu.out"), "w") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        typist = None
        stop = threading.Event()
        # The typist first: with input, QEMU waits for it to connect, and
        # a guest gdb session waits for the log it writes.
        if sc.input:
            typist = threading.Thread(target=console_typist, args=(
                os.path.join(workdir, "serial.sock"), serial_log, sc.input, stop))
            typist.start()
        monitor = None
        if sc.qemu_monitor:
            monitor = threading.Thread(target=monitor_driver, args=(
                os.path.join(workdir, "monitor.sock"), serial_log, sc.qemu_monitor, stop,
                getattr(sc, "build_dir", None)))
            monitor.start()
        host = None
        if getattr(sc, "host", None):
            host = threading.Thread(target=sc.host.run, args=(serial_log, stop))
            host.start()
        if sc.gdb:
            run_gdb(sc, workdir)
        if sc.guest_gdb:
            run_guest_gdb(sc, serial_log, workdir, t0 + sc.timeout)
        try:
            p.wait(timeout=max(1, t0 + sc.timeout - time.time()))
            status = "exited"
        except subprocess.TimeoutExpired:
            diagnosis = diagnose(p.pid, workdir, getattr(sc, "build_dir", "build/release"))
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            status = "timeout"
        if typist or monitor or host:
            time.sleep(0.3)
            stop.set()
        for t in (typist, monitor, host):
            if t:
                t.join()
    # QEMU's own exit status: 1 from isa-debug-exit (on_idle=exit), 0 from a
    # reset under -no-reboot (a triple fault) or a power-off, < 0 a signal.
    info = {"status": status, "seconds": time.time() - t0, "returncode": p.returncode}
    if status == "timeout":
        info["diagnosis"] = diagnosis
    return info


def run_power_cut(sc, iso, serial_log, workdir):
    """Run 1 until sc.power_cut appears (waiting for the line, never for a
    time), SIGKILL, then run 2 as usual; serial_log ends up holding both."""
    first = serial_log + ".before-cut"
    if os.path.exists(first):
        os.remove(first)
    t0 = time.time()
    with open(os.path.join(workdir, "qemu-before-cut.out"), "w") as out:
        p = subprocess.Popen(qemu_command(sc, iso, first, workdir), stdout=out,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        cut = False
        while p.poll() is None and time.time() < t0 + sc.timeout:
            try:
                with open(first, errors="replace") as f:
                    cut = re.search(sc.power_cut, f.read().replace("\r", ""), re.M) is not None
            except FileNotFoundError:
                pass
            if cut:
                break
            time.sleep(0.2)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    info = run_qemu(sc, iso, serial_log, workdir)
    with open(first, errors="replace") as f:
        before = f.read()
    try:
        with open(serial_log, errors="replace") as f:
            after = f.read()
    except FileNotFoundError:
        after = ""
    with open(serial_log, "w") as f:
        f.write(before + "\nharness: power cut%s\n" % ("" if cut else " (never: the line did not come)")
                + after)
    info["seconds"] = time.time() - t0
    return info


def run_scenario(sc, build_dir, out_dir, tag=None):
    """Returns (results, info): results is a list of (ok, desc, detail).
    tag names the work directory of one of several runs (--repeat)."""
    import copy
    sc = copy.copy(sc)   # ports and paths are per run
    if tag:
        sc.name = "%s.%s" % (sc.name, tag)
    workdir = os.path.join(out_dir, sc.name)
    os.makedirs(workdir, exist_ok=True)
    serial_log = os.path.join(workdir, "serial.log")
    for stale in ("serial.log", "com2.log", "screen.ppm"):
        if os.path.exists(os.path.join(workdir, stale)):
            os.remove(os.path.join(workdir, stale))
    sc.host = None
    if sc.beside:
        try:
            sc.host = sc.beside(workdir)
        except OSError as e:
            return [(False, "start the host side", str(e))], {"status": "error", "seconds": 0}
        for k, v in sc.host.words.items():
            sc.grub = [line.replace(k, v) for line in sc.grub]
        sc.extra_args = list(sc.extra_args) + sc.host.args
    try:
        return run_prepared(sc, build_dir, out_dir, workdir, serial_log)
    finally:
        if sc.host:
            sc.host.close()


def run_prepared(sc, build_dir, out_dir, workdir, serial_log):
    try:
        iso = build_iso(sc, build_dir, out_dir)
    except RuntimeError as e:
        return [(False, "build the ISO", str(e))], {"status": "error", "seconds": 0}
    sc.build_dir = build_dir
    if sc.prepare:
        try:
            args, checks = sc.prepare(workdir)
        except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as e:
            return [(False, "prepare the scenario", str(e))], {"status": "error", "seconds": 0}
        sc.extra_args = list(sc.extra_args) + args
        sc.checks = list(sc.checks) + checks
    if sc.gdb:
        sc.gdb_port = free_port()
    if sc.guest_gdb:
        sc.guest_gdb_port = free_port()
        sc.build_dir = build_dir
    started = datetime.datetime.utcnow()
    if sc.emulator == "bochs" and sc.guest_gdb:
        info = run_bochs_with_gdb(sc, iso, serial_log, workdir)
    elif sc.emulator == "bochs" and sc.input:
        info = run_bochs_with_input(sc, iso, serial_log, workdir)
    elif sc.emulator == "bochs":
        from bochs import run_bochs
        info = run_bochs(iso, serial_log, sc.timeout, cpus=sc.smp, workdir=workdir)
    elif sc.power_cut:
        info = run_power_cut(sc, iso, serial_log, workdir)
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
    com2_log = os.path.join(workdir, "com2.log")
    if sc.com2 and os.path.exists(com2_log):
        with open(com2_log, errors="replace") as f:
            log += "".join("com2: " + line for line in f.read().replace("\r", "").splitlines(True))
    screen = os.path.join(workdir, "screen.ppm")
    if sc.screen and os.path.exists(screen):
        from screen import read_screen
        font = os.path.join(build_dir, "gen", "font.c")
        log += "".join("screen: %s\n" % line for line in read_screen(screen, font))
    guest_gdb_log = os.path.join(workdir, "guest-gdb.log")
    if sc.guest_gdb and os.path.exists(guest_gdb_log):
        with open(guest_gdb_log, errors="replace") as f:
            log += "".join("guest-gdb: " + line for line in f)
    if sc.host:
        log += "".join("host: %s\n" % line for line in sc.host.lines())
    # When the emulator ran, by the host's clock (the RTC check's window).
    log += "harness: run from %s to %s UTC\n" % (
        started.strftime("%Y-%m-%d %H:%M:%S"),
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S"))
    results = [(info["status"] == "exited", "the run ends by itself",
                "timed out after %ds%s" % (sc.timeout, "; " + info["diagnosis"] + " (timeout-diagnosis.txt)"
                                           if info.get("diagnosis") else "")
                if info["status"] != "exited" else "")]
    for c in sc.checks:
        ok, detail = c.evaluate(log)
        results.append((ok, c.desc, detail))
    info["log"] = serial_log
    return results, info
