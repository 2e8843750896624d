"""
tests/e2e/scenarios.py - what `make test` boots, and what each boot must show.

Many test VMs share one boot where they do not interfere, to keep `make test`
short. Each Check is one test: it fails if its pattern is missing from the
serial log (or present, for present=False).
"""
import re

from harness import Scenario, Check, ToVM, beats_after, stop_when_others_end

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"

def boot_checks(cpus=1):
    return [
        Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
        Check("the Multiboot2 info is parsed (memory map, modules)",
              r"^yakvm: memory map: \d+ ranges, \d+ MiB usable; \d+ modules"),
        Check("no host page is writable and executable (W^X walk)",
              r"^yakvm: W\^X: \d+ host page mappings checked, none writable and executable"),
        Check("SVM is enabled with nested paging", r"^yakvm: SVM enabled: .*nested paging"),
        Check("%d CPU(s) came up" % cpus, r"^yakvm: %d CPUs? up" % cpus),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]

def demo_checks():
    return [
        Check("VM alpha's guest says hello", r"^\[alpha\] Hello from a yakvm guest!"),
        Check("VM beta's guest says hello", r"^\[beta\] Hello from a yakvm guest!"),
        Check("each guest gets its own command line",
              r'^\[alpha\] my command line: "I am alpha"'),
        Check("the guest sees its Multiboot1 memory info",
              r"^\[beta\] my memory: 639 KiB low, 15360 KiB high; loaded by yakvm"),
        Check("the two VMs run at the same time (beta counts before alpha is done)",
              r"^\[beta\] counting \d of 5", after=r"^\[alpha\] counting 1 of 5",
              before=r"^\[alpha\] counting 5 of 5"),
        Check("VM alpha ends cleanly", r"^yakvm: vm alpha ended with status 0"),
        Check("VM beta ends cleanly", r"^yakvm: vm beta ended with status 0"),
        Check("yakvm sees every VM end", r"^yakvm: all VMs have ended"),
    ]

DEMO_VMS = [
    "module2 /guests/hello.elf name=alpha mem=16M -- I am alpha",
    "module2 /guests/hello.elf name=beta mem=16M -- I am beta",
]

SCENARIOS = [
    # The foundation in one boot: the demo, CPUID, a VM touching unmapped
    # memory (all ones; stopped with unmapped=stop), a triple fault, a bad
    # module line, and a neighbour that keeps its heartbeat through all of it.
    Scenario(
        name="qemu-bios-foundation",
        grub=[YAKVM,
              "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key",
              "module2 /guests/cpuid.elf name=cpuid mem=8M",
              "module2 /guests/unmapped.elf name=unmapped mem=8M unmapped=stop",
              "module2 /guests/unmapped.elf name=holes mem=8M",
              "module2 /guests/triple.elf name=triple mem=8M",
              "module2 /guests/hello.elf name=badmem mem=lots",
              "module2 /guests/hello.elf attach=nosuchvm",
              "module2 /guests/reset.elf name=reset mem=8M",
              ] + DEMO_VMS,
        # The heartbeat beats until every other VM has ended.
        input=[stop_when_others_end(["cpuid", "unmapped", "triple", "reset", "alpha", "beta"])],
        checks=boot_checks() + demo_checks() + [
            Check("the guest sees the hypervisor bit and yakvm's signature",
                  r'^\[cpuid\] cpuid: leaf 0x40000000 eax=0x40000001 signature "yakvm"'),
            Check("every CPUID/MSR check in the guest passes",
                  r"^\[cpuid\] cpuid: 0 failures"),
            Check("the CPUID guest reports no failure", r"^\[cpuid\] cpuid: FAIL", present=False),
            Check("VM cpuid ends with status 0", r"^yakvm: vm cpuid ended with status 0"),
            Check("with unmapped=stop, the VM touching unmapped memory is stopped, with GPA and RIP",
                  r"^yakvm: error: vm unmapped/0 stopped at rip=0x[0-9a-f]+: read of "
                  r"guest-physical 0x7e000000, which is outside the VM's memory"),
            Check("the unmapped-memory guest never runs past the access",
                  r"^\[unmapped\] unmapped: read ", present=False),
            Check("without it, a read where nothing is gives all ones, as on a PC",
                  r"^\[holes\] unmapped: read 0xffffffff from 0x7e000000$"),
            Check("... at every size, and writes there are dropped",
                  r"^\[holes\] unmapped: ok: reads give all ones, writes are dropped \(0 failures\)$"),
            Check("... and the VM goes on to its end",
                  r"^yakvm: vm holes ended with status 0"),
            Check("... never stopped", r"^yakvm: error: vm holes/", present=False),
            Check("the neighbour's heartbeat goes on after that stop",
                  r"^\[heartbeat\] heartbeat \d+",
                  after=r"vm unmapped/0 stopped"),
            Check("the triple-faulting VM is stopped",
                  r"^yakvm: error: vm triple/0 stopped at rip=0x[0-9a-f]+: triple fault"),
            Check("the neighbour's heartbeat goes on after the triple fault",
                  r"^\[heartbeat\] heartbeat \d+", after=r"vm triple/0 stopped"),
            Check("the neighbour beats until every other VM has ended, and stops when told",
                  r"^\[heartbeat\] heartbeat: told to stop",
                  after=r"^yakvm: vm (alpha|beta) ended(?:.*\n)*?yakvm: vm (alpha|beta) ended"),
            Check("a bad mem= gets a clear error naming the module line",
                  r'^yakvm: error: module \d+ \("name=badmem mem=lots"\): mem=lots: not a size'),
            Check("attach= to a missing VM gets a clear error",
                  r"^yakvm: error: module \d+: attach=nosuchvm: no VM of that name"),
            Check("the good VMs all start despite the bad lines",
                  r"^yakvm: 8 of 8 VMs started"),
            Check("the i8042 reset (0xfe) resets the VM", r"^yakvm: vm reset: reset \(1 so far\)"),
            Check("the VM boots again after its reset",
                  r"^\[reset\] reset: second boot, after the reset", after=r"vm reset: reset"),
            Check("VM reset ends with status 0", r"^yakvm: vm reset ended with status 0"),
        ]),
    Scenario(
        name="qemu-uefi-demo",
        firmware="uefi",
        timeout=180,
        grub=[YAKVM] + DEMO_VMS,
        checks=boot_checks() + demo_checks() + [
            Check("booted through EFI (the loader is GRUB under UEFI)",
                  r"^yakvm: loader: GRUB"),
        ]),
    Scenario(
        name="bochs-hello",
        emulator="bochs",
        timeout=300,
        grub=[YAKVM, "module2 /guests/hello.elf name=hello mem=16M -- under Bochs"],
        checks=boot_checks() + [
            Check("Bochs' SVM advertises nRIP-save, and yakvm sees it",
                  r"^yakvm: SVM enabled: .*nRIP-save"),
            Check("the hello guest runs under Bochs' SVM",
                  r"^\[hello\] Hello from a yakvm guest!"),
            Check("the guest's CPUID shows yakvm under Bochs",
                  r'^\[hello\] CPU vendor AuthenticAMD, hypervisor present: yes, signature "yakvm"'),
            Check("the hello VM ends cleanly under Bochs",
                  r"^yakvm: vm hello ended with status 0"),
        ]),
]


def rtc_agrees_with_host(m):
    """The guest's RTC line (UTC) lies between the host's clock when the
    emulator started and when it ended (the harness's last line, "harness:
    run from ... to ... UTC"), with 2 s for the RTC's whole seconds: however
    long the run took."""
    import datetime
    fmt = "%Y-%m-%d %H:%M:%S"
    guest = datetime.datetime.strptime(m.group(1), fmt)
    run = re.search(r"^harness: run from (\S+ \S+) to (\S+ \S+) UTC$", m.string, re.M)
    if not run:
        return False, "no harness line with the run's start and end"
    start, end = (datetime.datetime.strptime(t, fmt) for t in run.groups())
    slack = datetime.timedelta(seconds=2)
    return start - slack <= guest <= end + slack, "guest RTC %s, run from %s to %s UTC" % (
        guest, start, end)


from scenarios_mmio import SCENARIOS as MMIO_SCENARIOS  # noqa: E402
SCENARIOS += MMIO_SCENARIOS
from scenarios_matrix import SCENARIOS as MATRIX_SCENARIOS  # noqa: E402
SCENARIOS += MATRIX_SCENARIOS
from scenarios_linux import SCENARIOS as LINUX_SCENARIOS  # noqa: E402
SCENARIOS += LINUX_SCENARIOS
from scenarios_smp import SCENARIOS as SMP_SCENARIOS  # noqa: E402
SCENARIOS += SMP_SCENARIOS
from scenarios_hostile import SCENARIOS as HOSTILE_SCENARIOS  # noqa: E402
SCENARIOS += HOSTILE_SCENARIOS
from scenarios_hostile2 import SCENARIOS as HOSTILE2_SCENARIOS  # noqa: E402
SCENARIOS += HOSTILE2_SCENARIOS
from scenarios_hostile3 import SCENARIOS as HOSTILE3_SCENARIOS  # noqa: E402
SCENARIOS += HOSTILE3_SCENARIOS
from scenarios_lifecycle import SCENARIOS as LIFECYCLE_SCENARIOS  # noqa: E402
SCENARIOS += LIFECYCLE_SCENARIOS
from scenarios_stats import SCENARIOS as STATS_SCENARIOS  # noqa: E402
SCENARIOS += STATS_SCENARIOS
from scenarios_fb import SCENARIOS as FB_SCENARIOS  # noqa: E402
SCENARIOS += FB_SCENARIOS
from scenarios_host import SCENARIOS as HOST_SCENARIOS  # noqa: E402
SCENARIOS += HOST_SCENARIOS
from scenarios_isolation import SCENARIOS as ISOLATION_SCENARIOS  # noqa: E402
SCENARIOS += ISOLATION_SCENARIOS
from scenarios_random import SCENARIOS as RANDOM_SCENARIOS  # noqa: E402
SCENARIOS += RANDOM_SCENARIOS
from scenarios_cpumodel import SCENARIOS as CPUMODEL_SCENARIOS  # noqa: E402
SCENARIOS += CPUMODEL_SCENARIOS
from scenarios_hpet import SCENARIOS as HPET_SCENARIOS  # noqa: E402
SCENARIOS += HPET_SCENARIOS
from scenarios_singlestep import SCENARIOS as SINGLESTEP_SCENARIOS  # noqa: E402
SCENARIOS += SINGLESTEP_SCENARIOS
from scenarios_msix import SCENARIOS as MSIX_SCENARIOS  # noqa: E402
SCENARIOS += MSIX_SCENARIOS
from scenarios_virtio import SCENARIOS as VIRTIO_SCENARIOS  # noqa: E402
SCENARIOS += VIRTIO_SCENARIOS
from scenarios_offload import SCENARIOS as OFFLOAD_SCENARIOS  # noqa: E402
SCENARIOS += OFFLOAD_SCENARIOS

PLATFORM_CHECKS = [
    "pit-100hz", "pit-1000hz", "pit-rate-ratio", "pic-mask", "pic-no-eoi-blocks",
    "pic-eoi-resumes", "pic-irr", "pic-priority", "uart-loopback", "uart-loopback-msr",
    "uart-rx-interrupt", "uart-thre-interrupt", "rtc-fields", "rtc-binary-mode",
    "rtc-periodic", "lapic-id", "lapic-version", "lapic-timer-oneshot",
    "lapic-timer-periodic", "lapic-timer-tsc-deadline", "lapic-tpr", "ioapic-version",
    "ioapic-routed-irq", "pci-host-bridge", "pci-absent-device", "string-in-rep-insd",
    "string-in-df1",
]

# The platform guest waits for interrupts as events and counts rates over
# windows of the emulated PIT's own time (at least one tick, at most the
# window's worth: no duplicates), so it runs beside other emulators. Not
# under -icount: QEMU 7.2 then delivers an injected interrupt twice when a
# host interrupt exit lands right after the injection (seen in the PIC EOI
# check).
SCENARIOS.append(Scenario(
    name="qemu-bios-platform",
    grub=[YAKVM, "module2 /guests/platform.elf name=platform mem=16M"],
    checks=boot_checks() + [
        Check("platform: " + name, r"^\[platform\] platform: ok %s$" % re.escape(name))
        for name in PLATFORM_CHECKS] + [
        Check("platform: no check fails", r"^\[platform\] platform: FAIL", present=False),
        Check("string I/O out: rep outsb reaches the UART",
              r"^\[platform\] platform: string out via rep outsb$"),
        Check("the RTC agrees with the host clock",
              r"^\[platform\] platform: rtc (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)$",
              verify=rtc_agrees_with_host),
        Check("VM platform ends with status 0", r"^yakvm: vm platform ended with status 0"),
    ]))

# String I/O into and out of pages that are not present (issue 16): each
# INS/OUTS takes a #PF part-way; yakvm checks INS's destination before it
# reads the port, so after the guest maps the page and the instruction runs
# again, no UART byte is lost or read twice (tests/guests/strio_pf.c). The
# typed keys come from the harness, one INSB and one #PF each.
STRIO_KEYS = b"q7x!k2Zm"
STRIO_CHECKS = ["rep-insb-faults-once", "rep-insb-no-byte-lost", "rep-insb-df1-faults-once",
                "rep-insb-df1-no-byte-lost", "rep-outsb-faults-once", "typed-faults-8",
                "rep-insb-cr2", "rep-insb-df1-cr2", "rep-outsb-cr2"]
SCENARIOS.append(Scenario(
    name="qemu-string-io-pf",
    grub=[YAKVM, "module2 /guests/strio_pf.elf name=strio mem=8M"],
    input=[(r"\[strio\] strio: type 8 keys", STRIO_KEYS)],
    checks=boot_checks() + [
        Check("string I/O: " + name, r"^\[strio\] strio: ok %s$" % re.escape(name))
        for name in STRIO_CHECKS] + [
        Check("string I/O: no check fails", r"^\[strio\] strio: FAIL", present=False),
        Check("REP OUTSB across a #PF prints its line whole, once",
              r"^\[strio\] strio: rep outsb across a #PF, whole$", count=1),
        Check("8 typed keys, each read by an INSB that took a #PF, none lost",
              r"^\[strio\] strio: typed %s$" % re.escape(STRIO_KEYS.decode())),
        Check("VM strio ends with status 0", r"^yakvm: vm strio ended with status 0"),
    ]))

# The console: two VMs print long lines at once (never mixed within a line);
# typed input goes only to the focused VM; Ctrl-A three times moves the focus.
CTRL_A = b"\x01"
SCENARIOS.append(Scenario(
    name="qemu-bios-console",
    grub=[YAKVM,
          "module2 /guests/echo.elf name=first mem=8M -- A",
          "module2 /guests/echo.elf name=second mem=8M -- B"],
    input=[(r"\[second\] echo: ready", b"hello one\r"),
           (r"\[first\] echo: got hello one", CTRL_A * 3),
           (r"console input goes to vm second", b"hello two\r"),
           (r"\[second\] echo: got hello two", b"quit\r"),
           (r"\[second\] echo: bye", b"quit\r")],
    checks=boot_checks() + [
        Check("console lines from two VMs never mix within a line",
              r"^\[(first|second)\] burst ([AB]) (?!\2{120}$).*$|^\[first\] burst B|^\[second\] burst A",
              present=False),
        Check("each VM's 20 long lines arrive whole",
              r"^\[first\] burst A A{120}$", count=20),
        Check("input goes to the focused VM (the first, at boot)",
              r"^\[first\] echo: got hello one$"),
        Check("the unfocused VM does not see it", r"^\[second\] echo: got hello one", present=False),
        Check("Ctrl-A three times moves the focus", r"^yakvm: console input goes to vm second"),
        Check("after the switch, input reaches the second VM",
              r"^\[second\] echo: got hello two$"),
        Check("...and not the first", r"^\[first\] echo: got hello two", present=False),
        Check("the first VM gets the focus back when the second ends",
              r"^\[first\] echo: bye$"),
        Check("both console VMs end with status 0", r"^yakvm: vm (first|second) ended with status 0", count=2),
    ]))

# Bochs as a second SVM implementation (nRIP-save, stricter VMRUN checks):
# the platform devices, and the MMIO decoder in all three modes on 2 CPUs.
# Bochs' clock follows its instruction count, so the timing checks are exact.
import dataclasses  # noqa: E402
_by_name = {s.name: s for s in SCENARIOS}
SCENARIOS.append(dataclasses.replace(
    _by_name["qemu-bios-platform"], name="bochs-platform", emulator="bochs",
    exclusive=False, timeout=300))
# Bochs 2.7 does not load CR2 from the VMCB at VMRUN: an injected #PF
# shows the guest's old CR2, so the "-cr2" checks are QEMU's only.
SCENARIOS.append(dataclasses.replace(
    _by_name["qemu-string-io-pf"], name="bochs-string-io-pf", emulator="bochs",
    timeout=300, checks=[c for c in _by_name["qemu-string-io-pf"].checks
                         if "-cr2" not in c.desc]))
SCENARIOS.append(dataclasses.replace(
    _by_name["qemu-mmio"], name="bochs-mmio-2cpus", emulator="bochs", smp=2,
    timeout=400,
    # Bochs 2.7 delivers yakvm's injected #PF with CR2 0 (docs/guest-paging.md).
    checks=[c for c in _by_name["qemu-mmio"].checks
            if "CPU" not in c.desc and "CR2" not in c.desc] +
    [Check("Bochs starts the second CPU", r"^yakvm: 2 CPUs up")]))

# yakvm's monitor, reached with Ctrl-A (three times per step: hb, victim,
# then the monitor), every command typed and its answer checked.
_HB = r"\[hb\] heartbeat \d+"
SCENARIOS.append(Scenario(
    name="qemu-bios-monitor",
    grub=[YAKVM,
          "module2 /guests/heartbeat.elf name=hb mem=8M -- until=key",
          "module2 /guests/heartbeat.elf name=victim mem=16M -- until=key"],
    input=[(r"\[hb\] heartbeat 3\n", CTRL_A * 9),
           (r"console input goes to yakvm's monitor", b"help\r"),
           (r"  help ", b"list\r"),
           (r"  1  victim", b"info vm hb\r"),
           (r"    last exit", b"pause victim\r"),
           (r"vm victim: paused", b""), (_HB, b""), (_HB, b"list\r"),
           (r"victim +paused", b""), (_HB, b""), (_HB, b""), (_HB, b"resume victim\r"),
           (r"vm victim: resumed", b"trace on hb\r"),
           (r"yakvm: trace hb/0 IOIO out 0x3f8", b"trace off hb\r"),
           (r"vm hb: trace off", b"mem\r"),
           (r"host memory: \d+ MiB used", b"reset victim\r"),
           (r"\[victim\] heartbeat 1\n", b"destroy victim\r"),
           (r"vm victim: destroyed", b"frob\r"),
           (r"error: unknown command", b"pause nosuch\r"),
           (r"error: no VM nosuch", b"info vm\r"),
           (r"error: no VM", b"trace maybe hb\r"),
           (r"error: usage: trace", b"top\r"),
           (r"top: [A-Z]+=\d+/s", b"x"),
           (r"top: stopped", b"list\r"),
           # Back to hb (the next running VM), which stops at the key.
           (r"  1  victim +destroyed", CTRL_A * 3),
           (r"console input goes to vm hb", b"q")],
    checks=boot_checks() + [
        Check("Ctrl-A moves the focus to the monitor", r"^yakvm: console input goes to yakvm's monitor"),
        Check("help lists the commands", r"^  info vm N "),
        Check("list shows the VMs with their state", r"^  0  hb +running +1 +8M"),
        Check("info vm shows registers and decoded VMCB fields",
              r"^    cr0=[0-9a-f]+ cr3=[0-9a-f]+ cr4=[0-9a-f]+ efer=1000 \(guest sees 0\)"),
        Check("pause stops a VM", r"^  vm victim: paused"),
        Check("list shows it paused", r"^  1  victim +paused"),
        Check("a paused VM prints nothing", r"^\[victim\] heartbeat", present=False,
              after=r"^  1  victim +paused", before=r"^  vm victim: resumed"),
        Check("the other VM runs on while it is paused", r"^\[hb\] heartbeat",
              after=r"^  vm victim: paused", before=r"^  vm victim: resumed", count=3),
        Check("resume lets it go on", r"^\[victim\] heartbeat", after=r"^  vm victim: resumed"),
        Check("trace on prints the VM's exits", r"^yakvm: trace hb/0 IOIO out 0x3f8"),
        Check("trace off stops it", r"^yakvm: trace hb/", present=False,
              after=r"^  vm hb: trace off\n(?:.*\n){3}"),
        Check("mem shows host memory", r"^  host memory: \d+ MiB used, \d+ MiB free"),
        Check("reset reboots the VM", r"^yakvm: vm victim: reset \(1 so far\)"),
        Check("destroy frees the VM's memory", r"^  vm victim: destroyed, ([1-9]\d*) MiB freed"),
        Check("list shows it destroyed", r"^  1  victim +destroyed", after=r"destroyed, \d+ MiB freed"),
        Check("an unknown command gets one error line", r'^error: unknown command "frob"'),
        Check("a bad VM name gets one error line", r"^error: no VM nosuch"),
        Check("a missing argument gets one error line", r"^error: no VM\s*$"),
        Check("a bad trace argument gets a usage line", r"^error: usage: trace on\|off N"),
        Check("top shows exits per second by reason", r"^top: (IOIO|INTR)=\d+/s"),
        Check("a key stops top", r"^top: stopped"),
        Check("the other VM beats until told to stop, after the last list",
              r"^\[hb\] heartbeat: told to stop", after=r"^  1  victim +destroyed"),
        Check("the run ends (the destroyed VM counts as ended)", r"^yakvm: all VMs have ended"),
    ]))

# make debug's pieces: QEMU halted with its gdb stub, gdb with yakvm's symbols
# and scripts/yakvm.gdb, a breakpoint when the first VM ends, then yakvm's
# own gdb commands.
SCENARIOS.append(Scenario(
    name="qemu-gdb",
    grub=[YAKVM] + DEMO_VMS,
    gdb=["hbreak vm_end", "continue", "bt 1", "yakvm-vcpus", "yakvm-exits",
         "yakvm-vmcb 0 0", "delete", "detach"],
    checks=[
        Check("gdb stops yakvm at a breakpoint on its symbols", r"^gdb: #0 .*vm_end \("),
        Check("yakvm-vcpus lists the VMs", r"^gdb: vm alpha: state \d, 1 vCPU\(s\), 16 MiB"),
        Check("...and their vCPUs with RIP and exits",
              r"^gdb:   vcpu 0: state \d, rip 0x[0-9a-f]+, cs 0x8, cr0 0x11, efer 0x1000, [1-9]\d* exits"),
        Check("yakvm-exits counts exits by reason", r"^gdb: vm (alpha|beta):.* IOIO=[1-9]\d*"),
        Check("yakvm-vmcb decodes a VMCB",
              r"^gdb:   intercepts: misc1 0x[0-9a-f]+ misc2 0x[0-9a-f]+"),
        Check("the VMCB shows nested paging on and the VMRUN intercept",
              r"^gdb:   asid \d+, np_enable 1, n_cr3 0x[0-9a-f]+"),
        Check("after detaching, yakvm runs on and both VMs end",
              r"^yakvm: vm (alpha|beta) ended with status 0", count=2),
    ]))

# Guest x87/SSE state is each vCPU's own: three VMs share one CPU, each
# keeping its own pattern in XMM0-7 and the x87 stack across preemptions.
SCENARIOS.append(Scenario(
    name="qemu-fpu-isolation",
    grub=[YAKVM] + ["module2 /guests/fpu.elf name=fpu%d mem=8M -- %d" % (i, 1000 + i)
                    for i in range(3)],
    checks=boot_checks() + [
        Check("VM fpu%d keeps its own XMM, x87 and DR0-DR3 registers" % i,
              r"^\[fpu%d\] fpu: [1-9]\d* checks, 0 bad \(seed %d\)" % (i, 1000 + i))
        for i in range(3)] + [
        Check("no VM sees another's registers", r"fpu: FAIL", present=False),
        Check("the three VMs ran interleaved (the checks spanned preemptions)",
              r"^yakvm: vm fpu\d stats: INTR count=[1-9]", count=3),
    ]))

# An interrupt storm (LAPIC timer at count 1, a self-IPI flood, the PIT at
# count 1, the RTC at 8192 Hz) beside a heartbeat on the same CPU. The storm
# goes on until the heartbeat has beaten three times during it (the harness
# then types a key to the storm), the heartbeat until the storm has ended.
SCENARIOS.append(Scenario(
    name="qemu-hostile-storm",
    grub=[YAKVM, "module2 /guests/hostile_storm.elf name=storm mem=8M -- until=key",
          "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key"],
    input=[(beats_after(r"^\[storm\] storm: started", 3), ToVM("storm")),
           stop_when_others_end(["storm"])],
    checks=boot_checks() + [
        Check("the storm starts", r"^\[storm\] storm: started"),
        Check("the neighbour's heartbeat goes on during the storm", r"^\[heartbeat\] heartbeat \d+",
              after=r"^\[storm\] storm: started", before=r"^\[storm\] storm: done", count=3),
        Check("every source delivered interrupts, and the guest counted them",
              r"^\[storm\] storm: done: [1-9]\d* lapic timer, [1-9]\d* self-IPI \(of \d+ sent\), "
              r"[1-9]\d* PIT, [1-9]\d* RTC interrupts"),
        Check("the storm VM ends normally", r"^yakvm: vm storm ended with status 0"),
        Check("the neighbour beats until the storm has ended",
              r"^\[heartbeat\] heartbeat: told to stop", after=r"^yakvm: vm storm ended"),
        Check("yakvm is alive at the end", r"^yakvm: all VMs have ended"),
    ]))
from scenarios_gdb import SCENARIOS as GDB_SCENARIOS  # noqa: E402
SCENARIOS += GDB_SCENARIOS

from scenarios_storage import SCENARIOS as STORAGE_SCENARIOS  # noqa: E402
SCENARIOS += STORAGE_SCENARIOS
from scenarios_net import SCENARIOS as NET_SCENARIOS  # noqa: E402
SCENARIOS += NET_SCENARIOS
from scenarios_storage2 import SCENARIOS as STORAGE2_SCENARIOS  # noqa: E402
SCENARIOS += STORAGE2_SCENARIOS
from scenarios_vcon import SCENARIOS as VCON_SCENARIOS  # noqa: E402
SCENARIOS += VCON_SCENARIOS
from scenarios_vdisk import SCENARIOS as VDISK_SCENARIOS  # noqa: E402
SCENARIOS += VDISK_SCENARIOS
from scenarios_nic import SCENARIOS as NIC_SCENARIOS  # noqa: E402
SCENARIOS += NIC_SCENARIOS
from scenarios_uplink import SCENARIOS as UPLINK_SCENARIOS  # noqa: E402
SCENARIOS += UPLINK_SCENARIOS
from scenarios_intr import SCENARIOS as INTR_SCENARIOS  # noqa: E402
SCENARIOS += INTR_SCENARIOS
