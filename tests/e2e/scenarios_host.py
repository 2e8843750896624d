"""
tests/e2e/scenarios_host.py - what real machines do to the host that the
other scenarios do not: the console on COM2, more than 8 CPUs, APIC IDs
with gaps, and NMIs and machine checks arriving at the host while guests
run (sent through QEMU's monitor).
"""
import re

from harness import Scenario, Check, ToVM

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
HEARTBEAT = "module2 /guests/heartbeat.elf name=%s mem=8M cpus=%s -- beats=%d"
# Until the harness types a key to it (ToVM): a neighbour that must outlast
# what the QEMU monitor does to the host.
BEAT_ON = "module2 /guests/heartbeat.elf name=%s mem=8M cpus=%s -- until=key"


def both(*conds):
    return lambda log: all(re.search(c, log, re.M) for c in conds)


def heartbeat_checks(names):
    return [c for n in names for c in (
        Check("VM %s completes its heartbeat" % n, r"^\[%s\] heartbeat: done$" % n),
        Check("VM %s ends with status 0" % n, r"^yakvm: vm %s ended with status 0" % n))] + [
        Check("no guest sees an exception it did not ask for",
              r"guest: unexpected exception", present=False),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("yakvm sees every VM end", r"^yakvm: all VMs have ended"),
    ]


def pinned_heartbeats(cpus):
    return [HEARTBEAT % ("cpu%d" % i, i, 3) for i in range(cpus)]


def cpu_checks(apic_ids):
    n = len(apic_ids)
    return [
        Check("the MADT lists the %d CPUs with their APIC IDs" % n,
              r"^yakvm: ACPI MADT: %d CPUs, APIC IDs %s$" % (n, " ".join(map(str, apic_ids)))),
    ] + [Check("CPU %d comes up with APIC ID %d" % (i, a), r"^yakvm: CPU %d up: APIC ID %d\b" % (i, a))
         for i, a in enumerate(apic_ids)] + [
        Check("%d CPUs up" % n, r"^yakvm: %d CPUs up" % n),
        Check("every CPU runs the VM pinned to it", r"^yakvm: %d of %d VMs started" % (n, n)),
    ] + heartbeat_checks(["cpu%d" % i for i in range(n)])


def console_checks(where):
    return [
        Check("yakvm's banner goes to %s" % where,
              r"^com2: yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
        Check("the guests' lines go to %s" % where, r"^com2: \[hb0\] heartbeat: done$"),
        Check("yakvm sees every VM end, on %s" % where, r"^com2: yakvm: all VMs have ended"),
        Check("nothing of yakvm's goes to COM1", r"^(yakvm|\[hb0\])", present=False),
    ]


def refusal(name, cpu, why):
    return Scenario(name=name, cpu=cpu, grub=[YAKVM, HEARTBEAT % ("hb0", "0", 3)], checks=[
        Check("yakvm starts and says why it cannot run VMs",
              r"^yakvm: error: cannot start: " + why),
        Check("no VM starts", r"^yakvm: vm hb0: started", present=False),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ])


SCENARIOS = [
    # CPUs yakvm cannot use get one clear sentence, and no crash.
    refusal("qemu-refuse-no-svm", "qemu64,-svm",
            r"This CPU has no AMD-V \(SVM\): CPUID Fn8000_0001 ECX\.SVM=0"),
    refusal("qemu-refuse-no-npt", "qemu64,+svm,-npt",
            r"This CPU's SVM has no nested paging \(CPUID Fn8000_000A EDX\.NP=0\)"),
    refusal("qemu-refuse-intel", "Skylake-Client",
            r"This is not an AMD CPU with AMD-V \(SVM\)"),
    # npt=4k maps RAM with 4 KiB nested pages only: 16 MiB is 4096 of them
    # less the holes (640 KiB - 1 MiB: 96 pages; the top page of low RAM).
    Scenario(name="qemu-npt-4k",
             grub=[YAKVM, "module2 /guests/memfill.elf name=small4k mem=16M npt=4k -- write passes=2",
                   "module2 /guests/memfill.elf name=small2m mem=16M -- write passes=2"],
             checks=[
                 Check("npt=4k: RAM in 4 KiB nested pages only",
                       r"^yakvm: vm small4k: RAM in 0 2 MiB and \d{4} 4 KiB nested pages"),
                 Check("npt=2m (default): 2 MiB pages where whole",
                       r"^yakvm: vm small2m: RAM in 7 2 MiB and \d+ 4 KiB nested pages"),
                 Check("the per-VM host memory is measured and reported",
                       r"^yakvm: vm small2m: .*host memory beyond its RAM: \d+ KiB for the VM, "
                       r"\d+ KiB per vCPU$"),
                 Check("4 KiB pages take more host memory (page tables) than 2 MiB pages",
                       r"(?s)vm small4k: RAM in [^\n]*: (\d+) KiB for the VM.*"
                       r"vm small2m: RAM in [^\n]*: (\d+) KiB for the VM",
                       verify=lambda m: (int(m.group(1)) >= int(m.group(2)) + 8,
                                         "4k %s KiB, 2m %s KiB" % (m.group(1), m.group(2)))),
                 Check("the 4 KiB VM runs its memory test", r"^yakvm: vm small4k ended with status 0"),
                 Check("the 2 MiB VM runs its memory test", r"^yakvm: vm small2m ended with status 0"),
             ]),
    # Many machines have no COM1: the console goes where the command line says.
    Scenario(name="qemu-console-com2", com2=True,
             grub=[YAKVM + " console=com2", HEARTBEAT % ("hb0", "0", 3)],
             checks=console_checks("COM2")),
    Scenario(name="qemu-console-port", com2=True,
             grub=[YAKVM + " console=0x2f8,fb", HEARTBEAT % ("hb0", "0", 3)],
             checks=console_checks("port 0x2f8")),
    # More than 8 CPUs, each running a VM pinned to it.
    Scenario(name="qemu-12cpus", smp=12, mem="1G", timeout=300,
             grub=[YAKVM] + pinned_heartbeats(12),
             checks=cpu_checks(list(range(12)))),
    # 2 sockets of 3 cores: QEMU numbers the cores of a socket up to a power
    # of two, so the APIC IDs are 0 1 2 4 5 6.
    Scenario(name="qemu-apic-id-gaps", smp="6,sockets=2,cores=3,threads=1", timeout=240,
             grub=[YAKVM] + pinned_heartbeats(6),
             checks=cpu_checks([0, 1, 2, 4, 5, 6])),
    # Each NMI is sent once yakvm has reported the one before; the heartbeats
    # beat until both CPUs have reported the third (was: 400 beats, NMIs at
    # beats 5, 60 and 120, which a quiet machine once outran).
    Scenario(name="qemu-host-nmi", smp=2, timeout=180,
             grub=[YAKVM, BEAT_ON % ("hb0", "0"), BEAT_ON % ("hb1", "1")],
             qemu_monitor=[(r"^\[hb0\] heartbeat 5$", "nmi"),
                           (r"^yakvm: warning: NMI on CPU 0 \(1 so far", "nmi"),
                           (r"^yakvm: warning: NMI on CPU 0 \(2 so far", "nmi")],
             input=[(both(r"^yakvm: warning: NMI on CPU 0 \(3 so far",
                          r"^yakvm: warning: NMI on CPU 1 \(3 so far"), ToVM("hb0")),
                    ("", ToVM("hb1"))],
             checks=heartbeat_checks(["hb0", "hb1"]) + [
                 Check("yakvm reports 3 NMIs on CPU 0",
                       r"^yakvm: warning: NMI on CPU 0 \(3 so far"),
                 Check("yakvm reports 3 NMIs on CPU 1",
                       r"^yakvm: warning: NMI on CPU 1 \(3 so far"),
             ]),
    # Under QEMU's TCG, CPU 0 takes only vCPUs pinned to it (core/run/sched.c:
    # TCG updates CPU 0's nested-paging flag from other CPUs without a
    # lock). A 2-vCPU VM free to run anywhere lands on CPU 1 only; a VM
    # pinned to CPU 0 still runs there. The monitor's "info vm" says where.
    Scenario(name="qemu-tcg-cpu0", smp=2, timeout=180,
             grub=[YAKVM, "module2 /guests/heartbeat.elf name=free mem=8M vcpus=2 -- "
                   "until=key sleep=20",
                   BEAT_ON % ("pinned", "0") + " sleep=20"],
             input=[(r"^\[pinned\] heartbeat 3$", b"\x01" * 9),
                    (r"console input goes to yakvm's monitor", b"info vm free\r"),
                    (r"    last exit", b"info vm pinned\r"),
                    (r"  vm pinned: running(?:.*\n)*?    last exit", b"destroy free\r"),
                    (r"vm free: destroyed", b"destroy pinned\r")],
             checks=[
                 Check("yakvm says CPU 0 takes only pinned vCPUs under TCG",
                       r"^yakvm: QEMU TCG: CPU 0 runs only the vCPUs pinned to it"),
                 Check("both vCPUs of the unpinned VM are on CPU 1",
                       r"^  vm free: running, 2 vCPUs(?:.*\n)*?  vcpu 0: [a-z ]+, on CPU 1,"
                       r"(?:.*\n)*?  vcpu 1: [A-Za-z ]+, on CPU 1,"),
                 Check("the VM pinned to CPU 0 runs there",
                       r"^  vm pinned: running, 1 vCPUs(?:.*\n)*?  vcpu 0: [a-z ]+, on CPU 0,"),
                 Check("both VMs beat before they are destroyed",
                       r"^\[free\] heartbeat 3$(?:.*\n)*?  vm pinned: destroyed"),
                 Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
             ]),
    # QEMU's "mce" command: CPU, bank, MCi_STATUS (VAL|UC|EN|ADDRV), MCG_STATUS
    # (RIPV|MCIP), MCi_ADDR, MCi_MISC. QEMU 7.2's TCG raises the #MC without
    # looking at the SVM #MC intercept, so the target CPU must be in yakvm,
    # not in a guest: CPU 1 only runs a heartbeat that sleeps in HLT.
    Scenario(name="qemu-host-mce", smp=2, timeout=180,
             grub=[YAKVM, BEAT_ON % ("hb0", "0"), BEAT_ON % ("hb1", "1") + " sleep=100"],
             # The second #MC once the first is reported; the heartbeats beat
             # until the second is (was: 30 beats, #MCs at beats 5 and 10).
             qemu_monitor=[(r"^\[hb1\] heartbeat 5$", "mce 1 1 0xb400000000000000 0x5 0x1234000 0"),
                           (r"^yakvm: warning: machine check on CPU 1, bank 1",
                            "mce 1 2 0xb400000000000000 0x5 0x5678000 0")],
             input=[(r"^yakvm: warning: machine check on CPU 1, bank 2", ToVM("hb0")),
                    ("", ToVM("hb1"))],
             checks=heartbeat_checks(["hb0", "hb1"]) + [
                 Check("yakvm reports the first machine check with its bank and address",
                       r"^yakvm: warning: machine check on CPU 1, bank 1: "
                       r"status=b400000000000000 \(uncorrected\) addr=1234000; recoverable"),
                 Check("and the second: MCIP was cleared, or it would have been a shutdown",
                       r"^yakvm: warning: machine check on CPU 1, bank 2: "
                       r"status=b400000000000000 \(uncorrected\) addr=5678000; recoverable"),
             ]),
]
