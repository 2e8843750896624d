"""
tests/e2e/scenarios_lifecycle.py - a VM's life cycle against hostile guests
(issue 17, items 2 and 3): a large VM resetting itself in a loop beside a
heartbeat on the same CPU, and the monitor's destroy of 8 reset-looping VMs,
each caught at a different point of its loop, with the host's memory counted
before and after. The heartbeat neighbour beats until it is told to stop (a
'q' typed to it), so every check is on the order of events, none on time.
Imported by scenarios.py; docs/security.md lists each attack and its check.
"""
import re

from harness import Scenario, Check
from scenarios_hostile import YAKVM

CTRL_A = b"\x01"
HB = r"^\[hb\] heartbeat \d+$"
HB_FOREVER = "module2 /guests/heartbeat.elf name=hb mem=8M -- beats=0"


def stop_hb_checks():
    return [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("the heartbeat is told to stop, and stops",
              r"^\[hb\] heartbeat: told to stop after [1-9]\d* beats$"),
        Check("the heartbeat ends with status 0", r"^yakvm: vm hb ended with status 0"),
        Check("yakvm sees every VM end", r"^yakvm: all VMs have ended"),
    ]


# A 512 MiB VM that resets itself 20 times (through the i8042, port 0x92 and
# ACPI in turn), on the one CPU it shares with a busy heartbeat. Each reset
# clears the RAM a slice at a time between the heartbeat's time slices
# (core/vm/vm_reset.c): the heartbeat beats between any two consecutive resets.
RESETS = 20
RESETLOOP = Scenario(
    name="qemu-hostile-resetloop-big",
    smp=1,
    mem="1G",
    timeout=600,
    grub=[YAKVM, HB_FOREVER,
          "module2 /guests/hostile_resetloop.elf name=big mem=512M"],
    input=[(r"\[big\] resetloop: boot %d, after %d resets: done" % (RESETS + 1, RESETS),
            CTRL_A * 3),
           (r"console input goes to vm hb", b"q")],
    checks=stop_hb_checks() + [
        Check("the big VM resets %d times and ends" % RESETS,
              r"^yakvm: vm big ended with status 0"),
        Check("the big VM is never stopped by yakvm", r"^yakvm: error: vm big", present=False),
        Check("the heartbeat and the big VM share one CPU", r"^yakvm: 1 CPU up"),
    ] + [Check("a heartbeat between reset %d and reset %d of the big VM" % (k, k + 1), HB,
               after=r"^\[big\] resetloop: boot %d," % k,
               before=r"^\[big\] resetloop: boot %d," % (k + 1))
         for k in range(1, RESETS + 1)] +
    # yakvm logs the beginning and end of the first 10 resets: a reset that
    # held the CPU from one to the other would leave no heartbeat between.
    [Check("a heartbeat during reset %d of the big VM (it yields)" % k, HB,
           after=r"^yakvm: vm big: reset %d begins$" % k,
           before=r"^yakvm: vm big: reset \(%d so far\)$" % k)
     for k in range(1, 11)])


# Eight VMs resetting themselves for ever, of eight sizes, on two CPUs with a
# heartbeat. The monitor destroys each once it has booted k+1 more times
# after the previous destroy was answered: the destroys overlap, and catch
# the VMs in different phases (guest running, reset waiting, RAM being
# cleared, rebuilt). Then the host's free pages must be what they were
# before any VM was created, minus what the heartbeat still holds.
NLOOPS = 8


def _destroy_inputs():
    steps = []
    for k in range(NLOOPS):
        for _ in range(k):
            steps.append((r"\[rl%d\] resetloop: boot \d+," % k, b""))
        steps.append((r"\[rl%d\] resetloop: boot \d+," % k, b"destroy rl%d\r" % k))
        steps.append((r"  vm rl%d: destroying" % k, b""))
    return steps


def _memory_adds_up(m):
    log = m.string
    before = int(re.search(r"^yakvm: (\d+) pages free before the VMs$", log, re.M).group(1))
    hb = int(re.search(r"^yakvm: vm hb: footprint (\d+) pages$", log, re.M).group(1))
    after = int(m.group(1))
    ok = after == before - hb
    return ok, "%d pages free; %d before the VMs - %d for hb = %d" % (
        after, before, hb, before - hb)


DESTROY = Scenario(
    name="qemu-hostile-destroy-resetloops",
    smp=3,
    mem="1G",
    timeout=600,
    grub=[YAKVM, HB_FOREVER] + [
        "module2 /guests/hostile_resetloop.elf name=rl%d mem=%dM disk=module:rl,size=1M "
        "-- forever" % (k, 16 * (k + 1)) for k in range(NLOOPS)] +
        # Each with a module disk (its own copy of an image): a destroy
        # gives that memory back too.
        ["module2 /guests/hostile_resetloop.elf image=rl"],
    input=[(r"\[hb\] heartbeat 3\n", CTRL_A * 3 * (NLOOPS + 2)),
           (r"console input goes to yakvm's monitor", b"mem\r"),
           (r"pages free\n", b"")] + _destroy_inputs() + [
           (r"  vm rl%d: destroyed," % (NLOOPS - 1), b"list\r"),
           (r"  %d  rl%d " % (NLOOPS, NLOOPS - 1), b"mem\r"),
           (r"pages free\n", b""), (r"\[hb\] heartbeat \d+\n", CTRL_A * 3),
           (r"console input goes to vm hb", b"q")],
    checks=stop_hb_checks() + [
        Check("yakvm logs its free pages before it creates the VMs",
              r"^yakvm: \d+ pages free before the VMs$",
              before=r"^yakvm: vm hb: footprint"),
        Check("all %d VMs start" % (NLOOPS + 1),
              r"^yakvm: %d of %d VMs started" % (NLOOPS + 1, NLOOPS + 1)),
    ] + [c for k in range(NLOOPS) for c in [
        Check("rl%d loops through resets" % k, r"^yakvm: vm rl%d: reset \(2 so far\)" % k),
        Check("rl%d has its disk" % k, r"^yakvm: vm rl%d: disk vda: image rl, 2048 sectors, "
              r"[1-9]\d* KiB of host memory$" % k),
        Check("destroy rl%d answers at once: destroying" % k, r"^  vm rl%d: destroying$" % k),
        Check("rl%d is stopped by the destroy, and for nothing else" % k,
              r"^yakvm: error: vm rl%d (?!stopped: destroyed from the monitor$)" % k,
              present=False),
        Check("rl%d is destroyed once its work is over, its memory freed" % k,
              r"^  vm rl%d: destroyed, [1-9]\d* MiB freed$" % k),
        Check("list shows rl%d destroyed" % k, r"^  %d  rl%d +destroyed " % (k + 1, k),
              after=r"^  vm rl%d: destroyed" % (NLOOPS - 1)),
    ]] + [
        Check("list shows the heartbeat running", r"^  0  hb +running ",
              after=r"^  vm rl%d: destroyed" % (NLOOPS - 1)),
        Check("the heartbeat goes on after the destroys", HB,
              after=r"^  %d  rl%d +destroyed" % (NLOOPS, NLOOPS - 1)),
        Check("no memory is lost: free pages = before the VMs - hb's footprint",
              r"^  %d  rl%d +destroyed (?:.*\n)*?  host memory: .*; (\d+) pages free$"
              % (NLOOPS, NLOOPS - 1), verify=_memory_adds_up),
    ])


# Four vCPUs printing whole lines as fast as they can (one `rep outsb` each)
# beside the heartbeat, on the same two CPUs, until a 'q' is typed to the
# flood: the heartbeat's lines still come (the 'q' is typed only once three
# of them have come during the flood), and every line the flood wrote was
# either printed or counted as dropped. The flood's exit status is its own
# count of lines written, which does not go through the console. Any of the
# flood VM's lines may be dropped when its console queue is full, its
# "4 vCPUs flooding" line too: the flood is known to run on all four once a
# line of each vCPU has come, and vCPU 0 floods only after all four are up.
# (A loaded clean-clone run once waited for that line until the timeout: it
# was printed beside the APs' lines, not under their lock, and came out
# interleaved with one of them; it is printed under the lock now.)
def _flood_adds_up(m):
    log = m.string
    status = int(m.group(1))
    printed = len(re.findall(r"^\[flood\] ", log, re.M))
    d = re.search(r"^yakvm: vm flood: console: (\d+) lines written, (\d+) dropped", log, re.M)
    dropped = int(d.group(2)) if d else 0
    # Its lines beyond the flood: "N vCPUs flooding" and one count per vCPU.
    written = status + 1 + 4
    return printed + dropped == written, (
        "%d printed + %d dropped = %d; written: %d flood lines + 5 others = %d%s" % (
            printed, dropped, printed + dropped, status, written,
            "; yakvm says %s written" % d.group(1) if d else ""))


def _flooding_on_all(log):
    return all(re.search(r"^\[flood\] flood: vcpu %d line \d+$" % i, log, re.M)
               for i in range(4))


FLOOD = Scenario(
    name="qemu-hostile-console-flood",
    smp=3,
    timeout=300,
    grub=[YAKVM, HB_FOREVER,
          "module2 /guests/hostile_flood.elf name=flood mem=16M vcpus=4"],
    input=[(_flooding_on_all, b""),
           (r"\[hb\] heartbeat \d+\n", b""), (r"\[hb\] heartbeat \d+\n", b""),
           (r"\[hb\] heartbeat \d+\n", CTRL_A * 6),
           (r"console input goes to vm flood", b"q"),
           (r"vm flood ended with status", CTRL_A * 6),
           (r"console input goes to vm hb", b"q")],
    checks=stop_hb_checks() + [
        Check("the heartbeat's lines still come during the flood", HB,
              after=r"^\[flood\] flood: vcpu 0 line \d+$",
              before=r"^yakvm: vm flood ended", count=3),
    ] + [
        Check("vCPU %d of the flood floods" % i, r"^\[flood\] flood: vcpu %d line [1-9]\d*$" % i)
        for i in range(4)] + [
        Check("every flood line is whole", r"^\[flood\] (?!flood: (vcpu \d line \d+|"
              r"vcpu \d wrote \d+ lines|4 vCPUs flooding until told to stop)$)",
              present=False),
        Check("the flood is never stopped by yakvm", r"^yakvm: error: vm flood", present=False),
        Check("lines printed + lines reported dropped = lines written",
              r"^yakvm: vm flood ended with status (\d+) ", verify=_flood_adds_up),
    ])

SCENARIOS = [RESETLOOP, DESTROY, FLOOD]
