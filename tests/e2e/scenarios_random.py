"""
tests/e2e/scenarios_random.py - the random-instruction guest
(tests/guests/hostile_random.c, issue 9 item 18): fixed seeds in each mode,
six random VMs and a heartbeat in one boot. Imported by scenarios.py; the
same pieces drive `make fuzz-guest` (scripts/fuzz_guest.py).

Each random VM must either finish ("random: done seed=N") or be stopped by
yakvm with one clean line; yakvm must stay up and the heartbeat must go on.
"""
import re

from harness import Scenario, Check, ToVM, beats_after, others_ended

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
MODES = ("real", "prot", "long")


def vm_name(mode, seed):
    return "%s-%d" % (mode, seed)


def random_vm(mode, seed, count):
    return ("module2 /guests/hostile_random.elf name=%s mem=16M -- seed=%d mode=%s count=%d"
            % (vm_name(mode, seed), seed, mode, count))


def heartbeat(beats=None):
    """beats=None: until the harness types a key (make test); a count for
    scripts/fuzz_guest.py, which types nothing."""
    return "module2 /guests/heartbeat.elf name=hb mem=8M -- " + (
        "until=key" if beats is None else "beats=%d" % beats)


def stop_line(name):
    return r"^yakvm: error: vm %s/\d+ stopped at rip=0x[0-9a-f]+: (\S.*)$" % re.escape(name)


def outcome(log, mode, seed):
    """(ok, what) for one random VM's run, read from the serial log."""
    name = vm_name(mode, seed)
    stops = re.findall(stop_line(name), log, re.M)
    if len(stops) > 1:
        return False, "stopped %d times" % len(stops)
    if stops:
        return True, "stopped: " + stops[0]
    if re.search(r"^\[%s\] random: done seed=%d$" % (re.escape(name), seed), log, re.M):
        return True, "done"
    m = re.search(r"^yakvm: vm %s ended with status (\d+) \((.*)\)" % re.escape(name), log, re.M)
    if m and re.search(r"^\[%s\] random: reset by its own random code" % re.escape(name), log, re.M):
        return True, "reset itself (an INIT IPI to itself or a reset port), then ended"
    if m:
        return False, "ended with status %s (%s)" % (m.group(1), m.group(2))
    return False, "never ended"


def yakvm_checks(beats=None):
    return [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("the heartbeat goes on while the random VMs run",
              r"^\[hb\] heartbeat \d+$", after=r"^\[[a-z]+-\d+\] random: seed=", count=3),
        Check("the heartbeat completes", r"^\[hb\] heartbeat %d$" % beats) if beats else
        Check("the heartbeat beats until the random VMs have ended, then stops when told",
              r"^\[hb\] heartbeat: told to stop"),
        Check("yakvm is alive at the end", r"^yakvm: all VMs have ended"),
    ]


def random_checks(mode, seed, done=False):
    """done: this seed is known to finish, so its summary lines are checked."""
    name = vm_name(mode, seed)
    p = r"^\[%s\] random: " % re.escape(name)
    ok = Check("%s: finishes or is stopped with one clean line" % name,
               p + r"done seed=%d$|" % seed + stop_line(name))
    once = Check("%s: at most one stop line" % name,
                 stop_line(name) + r"\n(?:.*\n)*?" + stop_line(name)[1:], present=False)
    checks = [ok, once]
    if done:
        checks += [
            Check("%s: its blocks ran in %s mode, some to their end, some with exceptions"
                  % (name, mode),
                  p + r"mode=%s seed=%d blocks=\d+ insns=[1-9]\d* completed=[1-9]\d* "
                  r"vectors:( \d+:\d+)+$" % (mode, seed)),
            Check("%s: finishes" % name, p + r"done seed=%d$" % seed),
            Check("%s: ends with status 0" % name, r"^yakvm: vm %s ended with status 0 " % name),
        ]
    return checks


# Seeds whose runs finish (count=100), seeds that yakvm stops cleanly, and
# the long-mode run that sets EFER.LME before CR4.PAE (what once made QEMU's
# #VMEXIT lose yakvm's CR0: arch/x86/svm/vmrun.S).
DONE = [("real", 2), ("prot", 2), ("long", 2)]
STOPPED = [("real", 1), ("prot", 1), ("long", 1)]
LME_FIRST = ("long", 3)
COUNT = 100

SCENARIOS = [
    Scenario(
        name="qemu-random", smp=2, mem="512M", timeout=300,
        grub=[YAKVM] + [random_vm(m, s, COUNT) for m, s in DONE + STOPPED] +
        [random_vm(*LME_FIRST, COUNT) + " lme_first=1", heartbeat()],
        # Random code may end a VM however it likes; the heartbeat goes on
        # until each has ended or been stopped.
        input=[(lambda log, ended=others_ended([vm_name(m, s) for m, s in
                                                DONE + STOPPED + [LME_FIRST]], "hb"),
                 three=beats_after(r"^\[[a-z]+-\d+\] random: seed=", 3, "hb"):
                 ended(log) and three(log), ToVM("hb"))],
        checks=yakvm_checks() +
        [c for m, s in DONE for c in random_checks(m, s, done=True)] +
        [c for m, s in STOPPED for c in random_checks(m, s)] +
        [Check("long-3: sets EFER.LME with paging and PAE off, and exits to yakvm",
               r"^\[long-3\] random: EFER.LME set before CR4.PAE, paging off$")] +
        random_checks(*LME_FIRST, done=True)),
]
