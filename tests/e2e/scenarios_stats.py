"""
tests/e2e/scenarios_stats.py - exit statistics and the exit trace
(core/diag/stats.c, core/diag/trace.c, docs/exits.md). VM "stats" makes a known number
of exits and prints nothing, so its per-reason counts are exact; VM "tracer"
(trace=1) runs a short script whose exits must appear decoded, in order.
Imported by scenarios.py.
"""
from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"

HEX = r"0x[0-9a-f]+"
CYC = r", \d+ cycles$"


def stat(vm, cls, count):
    return Check("VM %s: exactly %d %s exits" % (vm, count, cls),
                 r"^yakvm: vm %s stats: %s count=%d handler_cycles=\d+ handler_avg=\d+ "
                 r"total_cycles=\d+ total_avg=\d+$" % (vm, cls, count))


def no_stat(vm, cls):
    return Check("VM %s: no %s exit" % (vm, cls),
                 r"^yakvm: vm %s stats: %s " % (vm, cls), present=False)


# The tracer's exits, in order: (description, pattern after "yakvm: trace tracer/0 ").
TRACE = [
    ("CPUID leaf 0 with its four registers",
     r"CPUID 0x0 -> eax=%s ebx=%s ecx=%s edx=%s" % (HEX, HEX, HEX, HEX) + CYC),
    ("CPUID leaf 1", r"CPUID 0x1 -> eax=%s ebx=%s ecx=%s edx=%s" % (HEX, HEX, HEX, HEX) + CYC),
    ("CPUID 0x40000000 shows yakvm's signature as the guest got it",
     r"CPUID 0x40000000 -> eax=0x40000001 ebx=0x766b6179 ecx=0x6d edx=0x0" + CYC),
    ("OUT of 'H' to COM1, with the device", r"IOIO out 0x3f8 al=0x48 'H' -> uart0" + CYC),
    ("OUT of a newline (not printable: no quoted char)", r"IOIO out 0x3f8 al=0xa -> uart0" + CYC),
    ("IN from a port no device owns reads all ones", r"IOIO in 0x2a0 al=0xff <- unowned" + CYC),
    ("an MMIO read through #NPF, with device and value",
     r"NPF read gpa 0xfee00030 \(lapic\) -> 0x50014" + CYC),
    ("RDMSR of EFER (SVME hidden)", r"MSR rdmsr 0xc0000080 \(EFER\) -> 0x0" + CYC),
    ("RDMSR of VM_CR gets #GP", r"MSR rdmsr 0xc0010114 -> #GP" + CYC),
    ("the exit through the debug-exit port", r"IOIO out 0xf4 eax=0x0 -> debug-exit" + CYC),
]


def trace_checks():
    checks, prev = [], None
    for desc, pat in TRACE:
        full = r"^yakvm: trace tracer/0 " + pat
        checks.append(Check("trace: " + desc, full, after=prev))
        prev = full
    return checks


SCENARIOS = [
    Scenario(
        name="qemu-stats",
        grub=[YAKVM,
              "module2 /guests/statsguest.elf name=stats mem=8M",
              "module2 /guests/statsguest.elf name=tracer mem=8M trace=1 -- trace"],
        checks=[
            Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
            Check("VM stats ends with status 0 (every value it read was right)",
                  r"^yakvm: vm stats ended with status 0"),
            Check("a stats header follows the end line",
                  r"^yakvm: vm stats stats: \d+ exits on 1 vCPU \(cycles: handler, round trip\)$",
                  after=r"^yakvm: vm stats ended"),
            stat("stats", "CPUID", 1000),
            stat("stats", "IOIO", 501),
            stat("stats", "NPF", 100),
            no_stat("stats", "MSR"), no_stat("stats", "HLT"), no_stat("stats", "OTHER"),
            Check("the untraced VM prints no trace line", r"^yakvm: trace stats/", present=False),
            Check("VM tracer ends with status 0", r"^yakvm: vm tracer ended with status 0"),
            Check("the traced OUT also reaches the console", r"^\[tracer\] H$"),
            stat("tracer", "CPUID", 3),
            stat("tracer", "IOIO", 4),
            stat("tracer", "NPF", 1),
            stat("tracer", "MSR", 2),
            Check("VM stats: its accesses by device, exactly (the unowned port is no device's)",
                  r"^yakvm: vm stats stats: device accesses: lapic=100 debug-exit=1$"),
            Check("VM tracer: its accesses by device, exactly",
                  r"^yakvm: vm tracer stats: device accesses: uart0=2 lapic=1 debug-exit=1$"),
        ] + trace_checks() + [
            Check("yakvm sees every VM end", r"^yakvm: all VMs have ended"),
        ]),
]
