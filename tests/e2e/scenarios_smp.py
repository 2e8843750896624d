"""
tests/e2e/scenarios_smp.py - many VMs, many vCPUs (issue 4): SMP guests
brought up with INIT-SIPI-SIPI, IPIs between the vCPUs of a VM counted
exactly, two SMP VMs side by side on 2 and on 4 host CPUs, a vCPU spinning
with IF=0 next to a neighbour that must not starve, two VMs looking for each
other's memory, and four vCPUs time-sliced fairly on one host CPU.
Imported by scenarios.py.
"""
import re

from harness import Scenario, Check, ToVM, stop_when_others_end

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"


def scans_after_fill(n):
    """A condition on the log: memfill's scanner has printed n scan passes
    after the writer's "filled" line (all but the first of them begun
    after it)."""
    def cond(log):
        m = re.search(r"^\[write\] memfill: write: filled", log, re.M)
        return bool(m) and len(re.findall(r"^\[scan\] memfill: scan pass \d+:",
                                          log[m.end():], re.M)) >= n
    return cond


def boot_checks(cpus):
    """scenarios.boot_checks(), copied (scenarios.py imports this file)."""
    return [
        Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
        Check("SVM is enabled with nested paging", r"^yakvm: SVM enabled: .*nested paging"),
        Check("%d CPUs came up" % cpus, r"^yakvm: %d CPUs? up" % cpus),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]


def smp_checks(vm, vcpus):
    """What one smp.elf VM with `vcpus` vCPUs must show."""
    p = r"^\[%s\] smp: " % vm
    checks = [
        Check("%s: the guest sees %d vCPUs in CPUID.1:EBX[23:16]" % (vm, vcpus),
              p + r"%d vCPUs \(CPUID" % vcpus),
    ]
    for i in range(vcpus):
        checks.append(Check(
            "%s: vCPU %d reports APIC ID %d (LAPIC ID register and CPUID agree)" % (vm, i, i),
            p + r"ok cpu %d: apic id %d \(lapic %d, cpuid %d\), cpuid count %d$"
            % (i, i, i, i, vcpus)))
    for i in range(1, vcpus):
        checks += [
            Check("%s: AP %d comes up by INIT-SIPI-SIPI into the real-mode trampoline" % (vm, i),
                  p + r"ok AP %d started by INIT-SIPI-SIPI" % i),
            Check("%s: AP %d ignores the second SIPI (runs the trampoline once)" % (vm, i),
                  p + r"ok AP %d ran the trampoline once" % i),
        ]
    checks.append(Check("%s: all %d vCPUs are up" % (vm, vcpus),
                        p + r"ok all %d vCPUs up" % vcpus))
    for i in range(vcpus):
        checks.append(Check("%s: vCPU %d finishes its work" % (vm, i),
                            p + r"cpu %d: work done: \d+ iterations" % i))
    checks.append(Check("%s: every vCPU computed the same sum" % (vm),
                        p + r"ok all %d vCPUs finished their work with the same sum" % vcpus))
    for i in range(1, vcpus):
        checks += [
            Check("%s: fixed IPIs cpu 0 -> cpu %d, counted exactly" % (vm, i),
                  p + r"ok fixed IPIs cpu 0 -> cpu %d: (\d+) of \1$" % i),
            Check("%s: fixed IPIs cpu %d -> cpu 0 (all APs at once), counted exactly" % (vm, i),
                  p + r"ok fixed IPIs cpu %d -> cpu 0: (\d+) of \1$" % i),
        ]
    checks += [
        Check("%s: a fixed physical IPI does not reach its sender" % vm,
              p + r"ok the sender got none of its own fixed IPIs"),
        Check("%s: the all-excluding-self shorthand, from every vCPU" % vm,
              p + r"ok all-excluding-self IPIs"),
        Check("%s: the all-including-self shorthand" % vm, p + r"ok all-including-self IPIs"),
        Check("%s: the self shorthand" % vm, p + r"ok self IPIs"),
        Check("%s: a logical (flat model) IPI reaches exactly the odd vCPUs" % vm,
              p + r"ok logical IPIs to mask"),
        Check("%s: a logical IPI from an AP to itself and the BSP" % vm,
              p + r"ok logical IPIs from cpu"),
        Check("%s: no SMP check fails" % vm, p + r"FAIL", present=False),
        Check("%s: the guest counts 0 failures" % vm, p + r"0 failed$"),
        Check("VM %s ends with status 0" % vm, r"^yakvm: vm %s ended with status 0" % vm),
    ]
    return checks


def two_smp_vms(name, smp):
    return Scenario(
        name=name,
        smp=smp,
        timeout=180,
        grub=[YAKVM,
              "module2 /guests/smp.elf name=smpa mem=8M vcpus=2",
              "module2 /guests/smp.elf name=smpb mem=8M vcpus=2"],
        checks=boot_checks(smp) + smp_checks("smpa", 2) + smp_checks("smpb", 2) + [
            Check("yakvm sees both VMs end", r"^yakvm: all VMs have ended"),
        ])


SPIN_START = r"^\[spin\] spin: spinning with IF=0"
SPIN_DONE = r"^\[spin\] spin: done spinning"

SCENARIOS = [
    # Two 2-vCPU VMs on 2 host CPUs (each host CPU time-slices one vCPU of
    # each VM) and on 4 (one vCPU per host CPU).
    two_smp_vms("qemu-smp2-two-smp-vms", 2),
    two_smp_vms("qemu-smp4-two-smp-vms", 4),

    # Host CPU 1: a vCPU spinning with IF=0 and a heartbeat neighbour.
    # Host CPU 2: two VMs looking for each other's memory.
    # Not CPU 0: under QEMU's TCG another CPU's FXRSTOR (CPU 2 switching
    # between its two vCPUs' FPU state) can undo CPU 0's nested-paging bit
    # (docs/status.md, emulator quirks); on 2 CPUs this scenario once
    # ended 1.3 s in, without a line, as that quirk's triple fault does.
    Scenario(
        name="qemu-smp3-spin-isolation",
        smp=3,
        timeout=180,
        grub=[YAKVM,
              "module2 /guests/spin.elf name=spin mem=8M cpus=1 -- ms=2000",
              "module2 /guests/heartbeat.elf name=heartbeat mem=8M cpus=1 -- until=key",
              "module2 /guests/memfill.elf name=write mem=16M cpus=2 -- write until=key",
              "module2 /guests/memfill.elf name=scan mem=16M cpus=2 -- scan until=key",
              ],
        # The scanner stops after two whole passes over its RAM once the
        # writer has filled its own (the first may have begun before), the
        # writer once the scanner has ended, the heartbeat after both.
        input=[(scans_after_fill(2), ToVM("scan")),
               (r"^\[scan\] memfill: scan ok", ToVM("write")),
               stop_when_others_end(["spin", "write", "scan"])],
        checks=boot_checks(3) + [
            Check("the spinner starts spinning with IF=0", SPIN_START),
            Check("the heartbeat neighbour on the same host CPU keeps beating while "
                  "the spinner spins with IF=0", r"^\[heartbeat\] heartbeat \d+$",
                  after=SPIN_START, before=SPIN_DONE, count=5),
            Check("the spinner is not stopped: it finishes its 2 s spin", SPIN_DONE),
            Check("the heartbeat neighbour beats until the others have ended",
                  r"^\[heartbeat\] heartbeat: told to stop", after=r"^\[spin\] spin: done"),
            Check("VM spin ends with status 0", r"^yakvm: vm spin ended with status 0"),
            Check("VM heartbeat ends with status 0", r"^yakvm: vm heartbeat ended with status 0"),

            Check("the writer fills its RAM with the marker",
                  r"^\[write\] memfill: write: filled 0x[0-9a-f]+-0x1000000 \(\d+ KiB\)"),
            Check("the scanner covers all its RAM (low 640 KiB, ROM area, 15 MiB high)",
                  r"^\[scan\] memfill: scan pass \d+: 16256 KiB scanned"),
            Check("the scanner finds the marker it planted itself (the scan works)",
                  r"^\[scan\] memfill: scan pass \d+: \d+ KiB scanned, planted marker found"),
            Check("the scanner scans while the writer's marker is in memory (a whole "
                  "pass begun after the fill)",
                  r"^\[scan\] memfill: scan pass \d+: \d+ KiB scanned, planted marker found, "
                  r"0 foreign markers$",
                  after=r"^\[write\] memfill: write: filled",
                  before=r"^\[write\] memfill: write ok", count=2),
            Check("the scanner never sees the writer's marker",
                  r"^\[scan\] memfill: scan ok: \d+ passes"),
            Check("no scan pass sees a foreign marker",
                  r"^\[scan\] memfill: scan pass \d+: .* [1-9]\d* foreign markers", present=False),
            Check("the writer's marker stays intact in its own RAM (it really wrote)",
                  r"^\[write\] memfill: write ok: \d+ re-check passes, every block intact"),
            Check("no memfill check fails", r"memfill: FAIL", present=False),
            Check("VM write ends with status 0", r"^yakvm: vm write ended with status 0"),
            Check("VM scan ends with status 0", r"^yakvm: vm scan ended with status 0"),
            Check("yakvm sees every VM end", r"^yakvm: all VMs have ended"),
        ]),
]

FAIR_VCPUS = 4

SCENARIOS.append(Scenario(
    # Four vCPUs of one VM time-sliced on the one host CPU: the SMP tests with
    # 4 vCPUs (logical masks that pick 2 of 4, all-excluding-self from each of
    # 4), then each vCPU counts loop iterations over the same second of TSC
    # time. Alone in its boot: the counts are timing.
    name="qemu-smp1-four-vcpus-fair",
    smp=1,
    timeout=180,
    grub=[YAKVM, "module2 /guests/smp.elf name=fair mem=8M vcpus=%d cpus=0 -- ipis=10 fair=1000"
          % FAIR_VCPUS],
    checks=boot_checks(1) + smp_checks("fair", FAIR_VCPUS) + [
        Check("fair: vCPU %d counts iterations over the same second" % i,
              r"^\[fair\] smp: fair: cpu %d: [1-9]\d* iterations in 1000 ms" % i)
        for i in range(FAIR_VCPUS)] + [
        Check("fair: every vCPU's count is within a factor of 3 of the mean",
              r"^\[fair\] smp: ok fairness: %d vCPUs" % FAIR_VCPUS),
    ]))


# on_idle=exit on 3 host CPUs (issue 15: once QEMU ran on after "all VMs
# have ended", without "ending the emulator run"): seven VMs (four that end
# at about the same time, a 3-vCPU one, two that yakvm stops) on CPUs 1 and
# 2 (CPU 0 takes no vCPU under TCG); CPU 0 must see the last end, say so,
# and end the emulator run ("the run ends by itself"). The hang has not
# been reproduced here: 0 failures in 98 runs, 30 of them beside a CPU hog.
SCENARIOS.append(Scenario(
    name="qemu-smp3-idle-exit",
    smp=3,
    timeout=180,
    grub=[YAKVM] + ["module2 /guests/hello.elf name=h%d mem=8M -- I am h%d" % (i, i)
                    for i in range(4)] + [
        "module2 /guests/smp.elf name=s3 mem=8M vcpus=3 -- ipis=10",
        "module2 /guests/triple.elf name=triple mem=8M",
        "module2 /guests/unmapped.elf name=unmapped mem=8M"],
    checks=boot_checks(3) + [
        Check("VM h%d ends with status 0" % i, r"^yakvm: vm h%d ended with status 0" % i)
        for i in range(4)] + [
        Check("yakvm sees every VM end", r"^yakvm: all VMs have ended"),
        Check("then ends the emulator run (on_idle=exit)",
              r"^yakvm: on_idle=exit: ending the emulator run",
              after=r"^yakvm: all VMs have ended"),
    ]))
