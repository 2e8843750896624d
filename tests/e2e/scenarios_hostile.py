"""
tests/e2e/scenarios_hostile.py - hostile guests (issue 9, first part): small
guests that attack yakvm's interfaces from inside a VM, each beside a
heartbeat neighbour. For every attack the checks prove three things: yakvm is
still alive (no panic or host exception, and it sees every VM end), the
neighbour's heartbeat goes on through the attack and completes, and the
hostile VM got the architectural answer (an exception its handler saw, an
access ignored, a reset) or a clean stop with a one-line message.
Imported by scenarios.py; docs/security.md lists each attack and its check.
"""
import re

from harness import Scenario, Check, stop_when_others_end

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"

# The neighbour beats until every other VM of its boot has ended (the
# harness then types a key to it): never a count a fast host finishes early.
HEARTBEAT = "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key"
# Bochs takes no console input from the harness: a count, where no check
# needs the heartbeat to outlast anything.
HEARTBEAT_BEATS = "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- beats=%d"


def alive_checks(nvms):
    return [
        Check("all %d VMs start" % nvms, r"^yakvm: %d of %d VMs started" % (nvms, nvms)),
        Check("the neighbour completes its heartbeat", r"^\[heartbeat\] heartbeat: done$"),
        Check("the neighbour ends with status 0", r"^yakvm: vm heartbeat ended with status 0"),
        Check("yakvm outlives every attack and sees every VM end",
              r"^yakvm: all VMs have ended"),
    ]


def guest_checks(vm, tag, names):
    """The guest's own "tag: ok NAME" lines, no FAIL, 0 failures, status 0."""
    return [Check("%s: %s" % (vm, n), r"^\[%s\] %s: ok %s$" % (vm, tag, re.escape(n)))
            for n in names] + [
        Check("%s: no check fails" % vm, r"^\[%s\] %s: FAIL" % (vm, tag), present=False),
        Check("%s: the guest counts 0 failures" % vm, r"^\[%s\] %s: 0 failures$" % (vm, tag)),
        Check("VM %s ends with status 0" % vm, r"^yakvm: vm %s ended with status 0" % vm),
        Check("VM %s is never stopped by yakvm" % vm, r"^yakvm: error: vm %s/" % vm,
              present=False),
    ]


SVM_CHECKS = [
    "VMRUN gives #UD", "VMRUN of guest-physical 0 gives #UD", "VMLOAD gives #UD",
    "VMSAVE gives #UD", "CLGI gives #UD", "STGI gives #UD", "SKINIT gives #UD",
    "INVLPGA gives #UD", "MONITOR gives #UD", "MWAIT gives #UD", "XSETBV gives #UD",
    "VMSAVE wrote nothing into guest memory", "VMMCALL 0 (no-op) returns 0",
    "VMMCALL 0x12345 (unknown) returns -1", "VMMCALL 0xffffffff (unknown) returns -1",
    "20000 random VMMCALLs each return -1",
]

MSR_CHECKS = [
    "EFER reads without SVME", "WRMSR EFER with SVME gives #GP",
    "WRMSR EFER = SVME alone gives #GP", "WRMSR EFER = all ones gives #GP",
    "WRMSR VM_HSAVE_PA gives #GP", "RDMSR VM_HSAVE_PA gives #GP (no host address)",
    "WRMSR VM_CR (SVMDIS) gives #GP", "WRMSR VM_CR = 0 gives #GP", "RDMSR VM_CR gives #GP",
    "WRMSR SYSCFG.MemEncryptionModEn gives #GP", "WRMSR SYSCFG.MtrrFixDramModEn gives #GP",
    "RDMSR SYSCFG reads the model's 0", "WRMSR TSC_RATIO gives #GP",
    "RDMSR TSC_RATIO gives #GP", "WRMSR IGNNE gives #GP", "WRMSR SMM_CTL gives #GP",
    "EFER is unchanged after the attempts",
    "in 0xc0010000-0xc0011fff exactly the CPU model's MSRs read, with its values",
    "every access succeeded or raised #GP", "EFER still reads without SVME",
    "setting SVME still gives #GP",
]

CPUID_CHECKS = [
    "every answer is the same when asked twice", "hypervisor-present bit still set",
    "leaf 0x40000000 still says \"yakvm\"", "SVM still hidden (leaf 0x80000001 ECX[2])",
    "leaf 0x8000000a (SVM features) still empty", "x2APIC still hidden (leaf 1 ECX[21])",
]

HB = r"^\[heartbeat\] heartbeat \d+$"

SWEEPS = Scenario(
    name="qemu-hostile-sweeps",
    timeout=150,
    grub=[YAKVM,
          HEARTBEAT,
          "module2 /guests/hostile_svm.elf name=svm mem=8M",
          "module2 /guests/hostile_msr.elf name=msr mem=8M",
          "module2 /guests/hostile_io.elf name=io mem=8M",
          "module2 /guests/hostile_cpuid.elf name=cpuid mem=8M",
          "module2 /guests/hostile_resetloop.elf name=resetloop mem=8M",
          "module2 /guests/hostile_idt.elf name=dfstorm mem=8M -- dfstorm",
          ],
    input=[stop_when_others_end(["svm", "msr", "io", "cpuid", "resetloop", "dfstorm"])],
    checks=[
    Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
    Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
] + alive_checks(7) + guest_checks("svm", "svm", SVM_CHECKS) + \
    guest_checks("dfstorm", "idt", ["#DF storm: every DIV took 1000 #DFs",
                                    "#DF storm: every DIV then completed",
                                    "#DF storm: the handler ran for each"]) + [
    Check("dfstorm: the heartbeat goes on during the #DF storm", HB,
          after=r"^\[dfstorm\] idt: #DF storm: 1000 DIVs",
          before=r"^\[dfstorm\] idt: 0 failures"),
] + \
    guest_checks("msr", "msr", MSR_CHECKS) + \
    guest_checks("cpuid", "cpuid-sweep", CPUID_CHECKS) + [
    # MSRs
    Check("msr: the RDMSR sweep covers 3 x 8192 + 65536 MSRs, none raises anything but #GP",
          r"^\[msr\] msr: RDMSR sweep: 90112 MSRs, \d+ read, \d+ #GP, 0 other$"),
    Check("msr: the WRMSR sweep (random values) raises nothing but #GP",
          r"^\[msr\] msr: WRMSR sweep: \d+ MSRs, \d+ written, \d+ #GP, 0 other$"),
    Check("msr: the guest survives the sweep", r"^\[msr\] msr: sweep done$"),
    Check("msr: HWCR reads the model's TscFreqSel, not the host's value",
          r"^\[msr\] msr: readable: 0xc0010015 = 0x1000000$"),
    Check("msr: the heartbeat goes on during the MSR sweep", HB,
          after=r"^\[msr\] msr: ok EFER is unchanged",
          before=r"^\[msr\] msr: sweep done"),
    # Port I/O
    Check("io: every port read and written at sizes 1, 2 and 4",
          r"^\[io\] io: size 4: every port read, written where allowed$"),
    Check("io: 196608 INs, OUTs everywhere but the guest's own exit/reset/console ports",
          r"^\[io\] io: 196608 INs, \d+ OUTs, 75 OUTs skipped"),
    Check("io: the guest survives the sweep", r"^\[io\] io: sweep done$"),
    Check("VM io ends with status 0 (its own debug exit, not the host's)",
          r"^yakvm: vm io ended with status 0"),
    Check("VM io is never stopped by yakvm", r"^yakvm: error: vm io/", present=False),
    Check("io: the pattern byte never reaches the host's COM1 (no bare 'Z' outside a [vm] line)",
          r"^(?!\[)[^\n]*Z", present=False, after=r"^\[io\] io: sweep starting"),
    Check("io: the emulator did not exit during the sweep (yakvm logs after it)",
          r"^yakvm: all VMs have ended", after=r"^\[io\] io: sweep done"),
    Check("io: the heartbeat goes on during the port sweep", HB,
          after=r"^\[io\] io: sweep starting", before=r"^\[io\] io: sweep done"),
    # CPUID
    Check("cpuid: the sweep asks every leaf range",
          r"^\[cpuid\] cpuid-sweep: \d+ leaf/subleaf pairs asked twice each$"),
    # Reset loop
    Check("resetloop: yakvm logs the first reset", r"^yakvm: vm resetloop: reset \(1 so far\)$"),
    Check("resetloop: ... and the 10th", r"^yakvm: vm resetloop: reset \(10 so far\)$"),
    Check("resetloop: ... and no more (it logs the first 10, then every 1000th)",
          r"^yakvm: vm resetloop: reset \(1[1-9] so far\)", present=False),
    Check("resetloop: each of the 20 boots resets the VM",
          r"^\[resetloop\] resetloop: boot \d+, resetting through", count=20),
    Check("resetloop: it resets through the i8042 (0xfe)",
          r"^\[resetloop\] resetloop: boot 18, resetting through i8042 0xfe$"),
    Check("resetloop: ... through port 0x92",
          r"^\[resetloop\] resetloop: boot 19, resetting through port 0x92$"),
    Check("resetloop: ... and through the ACPI reset register",
          r"^\[resetloop\] resetloop: boot 20, resetting through ACPI 0xb00c$"),
    Check("resetloop: the 21st boot sees 20 resets in CMOS",
          r"^\[resetloop\] resetloop: boot 21, after 20 resets: done$"),
    Check("VM resetloop ends with status 0", r"^yakvm: vm resetloop ended with status 0"),
    Check("resetloop: the heartbeat goes on during the reset loop", HB,
          after=r"^yakvm: vm resetloop: reset \(1 so far\)",
          before=r"^\[resetloop\] resetloop: boot 21"),
])

# One VM per forbidden access: the first one ends the VM. Reads and writes
# where nothing is stop it only with unmapped=stop (STOP_OPTION below); a
# fetch, and the CPU's own accesses while delivering an event, always do.
STOP_VMS = [
    # (name, image, command line, expected message)
    ("vga", "hostile_mem", "read=0xa0000",
     r"read of guest-physical 0xa0000, which is outside the VM's memory"),
    ("hole", "hostile_mem", "write=0xd0000000",
     r"write to guest-physical 0xd0000000, which is outside the VM's memory"),
    ("beyond", "hostile_mem", "read=0x800000",
     r"read of guest-physical 0x800000, which is outside the VM's memory"),
    ("far", "hostile_mem", "write=0x7fff0000",
     r"write to guest-physical 0x7fff0000, which is outside the VM's memory"),
    ("exec", "hostile_mem", "exec=0xd0000000",
     r"instruction fetch from guest-physical 0xd0000000, which is outside the VM's memory"),
    ("nextdev", "hostile_mem", "read=0xfec01000",
     r"read of guest-physical 0xfec01000, which is outside the VM's memory"),
    ("limit0", "hostile_idt", "limit0", r"triple fault \(shutdown\) while delivering vector"),
    ("idthole", "hostile_idt", "unmapped",
     r"read of guest-physical 0xd0000030, which is outside the VM's memory"),
    ("stack", "hostile_idt", "stack",
     r"write to guest-physical 0xd00000fc, which is outside the VM's memory"),
    # The CPU reads the gate from a device page while delivering #UD: no
    # instruction to emulate; before the fix yakvm emulated the one at RIP.
    ("idtlapic", "hostile_idt", "lapic",
     r"the CPU touched MMIO at guest-physical 0xfee00030 \(lapic\) while delivering vector 6"),
    ("idttf", "hostile_idt", "tf",
     r"the CPU touched MMIO at guest-physical 0xfee00008 \(lapic\) while delivering vector 1"),
]


STOP_OPTION = {"vga", "hole", "beyond", "far", "nextdev"}


def stop_checks(name, msg):
    stopped = r"^yakvm: error: vm %s/0 stopped at rip=0x[0-9a-f]+: " % name
    return [
        Check("VM %s is stopped with a clear message" % name, stopped + msg),
        Check("VM %s never runs past the access" % name, r"^\[%s\] .*STILL RUNNING" % name,
              present=False),
        Check("the heartbeat goes on after VM %s is stopped" % name, HB,
              after=r"^yakvm: error: vm %s/0 stopped" % name),
    ]


# Without unmapped=stop: reads where nothing is give all ones, writes are
# dropped, and each page is logged once at loglevel=debug.
PROBE_HOLE = 0xd0000000

STOPS = Scenario(
    name="qemu-hostile-stops",
    grub=[YAKVM.replace("loglevel=info", "loglevel=debug"), HEARTBEAT] + [
        "module2 /guests/%s.elf name=%s mem=8M%s -- %s" % (
            img, name, " unmapped=stop" if name in STOP_OPTION else "", cmd)
        for name, img, cmd, _ in STOP_VMS] + [
        "module2 /guests/hostile_mem.elf name=probe mem=8M -- probe=0x%x" % PROBE_HOLE],
    input=[stop_when_others_end([name for name, _, _, _ in STOP_VMS] + ["probe"])],
    checks=[
        Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("probe: reads where nothing is give all ones, writes are dropped",
              r"^\[probe\] mem: probe 0xd0000000: read 0xffffffff 0xffffffff, after a "
              r"write 0xffffffff, next page after a write 0xffffffff$"),
        Check("probe: the VM goes on to its end", r"^yakvm: vm probe ended with status 0"),
        Check("probe: the first read of the page is logged (loglevel=debug)",
              r"^yakvm: vm probe: read of guest-physical 0xd0000000, where nothing is: all ones"),
        Check("probe: ... once per page: not its second read nor its write",
              r"^yakvm: vm probe: \w+ of guest-physical 0xd0000", count=1),
        Check("probe: the next page is logged once too",
              r"^yakvm: vm probe: \w+ of guest-physical 0xd0001", count=1),
    ] + alive_checks(len(STOP_VMS) + 2) + [
        c for name, _, _, msg in STOP_VMS for c in stop_checks(name, msg)] + [
        # A triple fault is explained: the guest's state (here the IDT
        # limit of 0 that caused it), then its last exits, oldest first.
        Check("the triple fault prints the guest state, IDT limit 0 included",
              r"^yakvm:   vm limit0/0: idtr=[0-9a-f]+/0 gdtr="),
        Check("... and the exits before it, the last one the SHUTDOWN",
              r"^yakvm:   vm limit0/0: exit -\d+ cycles: IOIO (?:.*\n)*?"
              r"yakvm:   vm limit0/0: exit -0 cycles: SHUTDOWN .*\n"
              r"(?:.*\n)*?yakvm: error: vm limit0/0 stopped"),
    ])

SCENARIOS = [SWEEPS, STOPS]
