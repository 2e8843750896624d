"""
tests/e2e/hang.py - evidence from a QEMU run that did not end by itself,
taken before the harness kills it: where each emulated CPU is (QEMU's
monitor, `info registers -a`, each RIP named from yakvm.elf's symbols) and
what QEMU's own threads are doing (gdb's backtraces). A monitor that does
not answer means a QEMU thread holds its big lock (a hang in QEMU rather
than in yakvm). Written to timeout-diagnosis.txt in the run's directory; a
one-line summary goes into the failed check's detail.
"""
import os
import re
import socket
import subprocess
import time

DIAG_SOCK = "diag.sock"  # no longer than serial.sock: a socket path has 107 bytes at most


def monitor_args(workdir):
    """A second, private QEMU monitor for the diagnosis (beside any monitor
    a scenario drives)."""
    return ["-chardev", "socket,id=diagmon,path=%s,server=on,wait=off"
            % os.path.join(workdir, DIAG_SOCK), "-mon", "chardev=diagmon,mode=readline"]


def _ask(sock_path, commands, seconds=10):
    """Each command's answer, or None if the monitor did not answer."""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(seconds)
        s.connect(sock_path)
    except OSError:
        return None
    out = b""
    try:
        deadline = time.time() + seconds
        # One prompt after the greeting, then one after each answer.
        for prompts, cmd in enumerate([None] + commands, start=1):
            if cmd:
                s.sendall((cmd + "\n").encode())
            while out.count(b"(qemu)") < prompts and time.time() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
    except OSError:
        pass
    finally:
        s.close()
    text = out.decode(errors="replace").replace("\r", "")
    return text if "(qemu)" in text else None


def _symbol(elf, rip):
    try:
        r = subprocess.run(["addr2line", "-f", "-i", "-e", elf, "0x%x" % rip],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
        # Function and file:line pairs, innermost (inlined) first.
        names = r.stdout.decode(errors="replace").splitlines()[0::2]
        if not names or names[0] == "??":
            return "0x%x (not yakvm's: a guest)" % rip
        return " in ".join(names)
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def diagnose(pid, workdir, build_dir):
    """Collects the evidence; returns the one-line summary."""
    lines = []
    answer = _ask(os.path.join(workdir, DIAG_SOCK), ["info cpus", "info registers -a"])
    elf = os.path.join(build_dir, "yakvm.elf")
    if answer is None:
        summary = "QEMU's monitor did not answer in 10 s: a QEMU thread holds its big lock"
        lines.append(summary)
    else:
        lines.append(answer)
        where = []
        blocks = re.split(r"^CPU#(\d+)", answer, flags=re.M)
        for cpu, block in zip(blocks[1::2], blocks[2::2]):
            rip = re.search(r"^RIP=([0-9a-f]+)", block, re.M)
            eip = re.search(r"^EIP=([0-9a-f]+)", block, re.M)
            if rip:
                where.append("CPU %s at %s" % (cpu, _symbol(elf, int(rip.group(1), 16))))
            elif eip:  # yakvm runs in long mode only
                where.append("CPU %s in a 32-bit guest at 0x%s" % (cpu, eip.group(1)))
        summary = "; ".join(where) or "no CPU state in QEMU's answer"
        lines.append("where: " + summary)
    try:
        r = subprocess.run(["gdb", "-q", "-batch", "-p", str(pid), "-ex", "thread apply all bt"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=60)
        lines.append("QEMU's threads (gdb):\n" + r.stdout.decode(errors="replace"))
    except (OSError, subprocess.TimeoutExpired) as e:
        lines.append("gdb: %s" % e)
    with open(os.path.join(workdir, "timeout-diagnosis.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return summary
