"""
tests/e2e/scenarios_hostile2.py - hostile guests, second part (issue 9, items
13-15): APIC_BASE moved over RAM and over the IOAPIC and back, an NMI flood
and INIT/SIPI at random times between vCPUs, and a vCPU halted with IF=0
forever. Each beside a heartbeat neighbour, with the same three kinds of
checks as scenarios_hostile.py: yakvm alive, the neighbour's heartbeat goes
on, and the hostile VM got the architectural result or a clean stop.
Imported by scenarios.py; docs/security.md lists each attack and its check.
"""
from harness import Scenario, Check, stop_heartbeat, stop_when_others_end
from scenarios_hostile import YAKVM, HB, alive_checks, guest_checks

APICBASE_CHECKS = [
    "APIC_BASE reads 0xfee00900 at power-on", "the AP starts",
    "moving APIC_BASE over a RAM page is accepted", "APIC_BASE reads the new base",
    "LAPIC ID and VERSION read at the new base",
    "the old page 0xfee00000 reads all ones once the LAPIC left it",
    "a write to the old page is ignored (TPR unchanged)",
    "the LAPIC timer interrupts through the new base",
    "EOI through the new base clears the ISR",
    "the other vCPU reads RAM under this vCPU's LAPIC page",
    "the other vCPU's LAPIC stays at 0xfee00000",
    "moving APIC_BASE back is accepted",
    "RAM under the LAPIC page is intact after moving back (the LAPIC writes did not reach it)",
    "the other vCPU's writes under the LAPIC page reached RAM",
    "the LAPIC answers at 0xfee00000 again", "the page is plain RAM again",
    "20 moves over RAM and back: LAPIC there each time, RAM after",
    "moving APIC_BASE over the IOAPIC page is accepted",
    "over the IOAPIC page the LAPIC wins for this vCPU",
    "the other vCPU still reaches the IOAPIC there",
    "moving APIC_BASE back from the IOAPIC is accepted",
    "the IOAPIC answers this vCPU again", "... and the LAPIC at 0xfee00000",
    "over the HPET hole (no device there) the LAPIC answers",
    "... and is back at 0xfee00000 after",
    "x2APIC enable (bit 10) gives #GP (x2APIC is hidden)", "reserved bit 9 gives #GP",
    "reserved bit 0 gives #GP", "reserved bit 7 gives #GP",
    "a base bit at MAXPHYADDR gives #GP", "bit 63 gives #GP",
    "APIC_BASE is unchanged after the #GPs", "writing BSC as 0 is ignored",
    "clearing AE (global disable) is accepted",
    "a globally disabled LAPIC's page reads all ones", "setting AE again is accepted",
    "re-enabled, the LAPIC is in its power-on state",
    "after a VM reset APIC_BASE reads 0xfee00900 again",
    "after the reset the LAPIC answers at 0xfee00000",
    "after the reset the page under the old base is RAM again (cleared)",
]

# The two vCPUs of apicbase land on different CPUs (each goes to the one
# with the fewest vCPUs; under QEMU's TCG CPU 0 takes none, so there are
# three), then the heartbeat joins the boot vCPU on CPU 1: the AP has CPU 2
# to itself, so it is in the guest when the boot vCPU changes the nested
# page tables, and the shootdown must wait for it. hpet=off keeps the HPET's
# page a hole (the LAPIC moved over "no device").
APICBASE = Scenario(
    name="qemu-hostile-apicbase",
    smp=3,
    timeout=150,
    grub=[YAKVM,
          "module2 /guests/hostile_apicbase.elf name=apicbase mem=8M vcpus=2 hpet=off",
          "module2 /guests/heartbeat.elf name=heartbeat mem=8M cpus=1 -- until=key"],
    input=[stop_when_others_end(["apicbase"])],
    checks=[
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("the two vCPUs of apicbase are on different CPUs (the shootdown must "
              "reach the other one)", r"^yakvm: 3 CPUs up"),
    ] + alive_checks(2) + guest_checks("apicbase", "apicbase", APICBASE_CHECKS) + [
        Check("the VM resets with its LAPIC over RAM",
              r"^yakvm: vm apicbase: reset \(1 so far\)",
              after=r"^\[apicbase\] apicbase: resetting with the LAPIC over RAM$"),
        Check("the LAPIC went over the guest's RAM",
              r"^\[apicbase\] apicbase: LAPIC moved to 0x1[0-9a-f]{5}$"),
        Check("the heartbeat goes on while the LAPIC moves", HB,
              after=r"^\[apicbase\] apicbase: ok the AP starts",
              before=r"^\[apicbase\] apicbase: \d+ failures"),
        Check("each move over RAM and back changed the nested page tables, and the "
              "changes waited for the AP on the other CPU",
              r"^yakvm: vm apicbase stats: (4[2-9]|[5-9]\d) nested page table changes, "
              r"[1-9]\d* of them waited"),
    ])

# The same under Bochs' stricter SVM (nRIP-save, flush-by-ASID).
import dataclasses  # noqa: E402
# Bochs takes no input from the harness: its heartbeat counts.
def counted_heartbeat(sc, beats=40):
    return dataclasses.replace(sc, input=[], grub=[
        line.replace("until=key", "beats=%d" % beats) for line in sc.grub])


SCENARIOS = [APICBASE, dataclasses.replace(counted_heartbeat(APICBASE),
                                           name="bochs-hostile-apicbase",
                                           emulator="bochs", timeout=600)]

NMI_CHECKS = [
    "both APs start with INIT-SIPI-SIPI, each once",
    "every INIT+SIPI pair restarted AP 2 exactly once",
    "stray SIPIs to a running AP are ignored",
    "NMIs to cpu 1: received > 0 and <= sent",
    "self NMIs: received > 0 and <= sent",
    "no NMI handler entered while another ran (NMIs blocked until IRET)",
    "no NMI taken before the handler's IRET completed",
    "AP 1 never restarted",
    "after INIT alone the AP waits for a SIPI (an earlier stray SIPI does not start it)",
    "the SIPI after it starts the AP once (a second SIPI is ignored)",
    "the restarted AP takes NMIs",
    "AP 1 halted with IF=0 stays halted",
    "an NMI from another vCPU wakes a vCPU halted with IF=0",
]


def nmi_scenario(name, smp, cpus):
    return Scenario(
        name=name,
        smp=smp,
        timeout=200,
        grub=[YAKVM,
              "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key",
              "module2 /guests/hostile_nmi.elf name=nmi mem=8M vcpus=3 cpus=%s" % cpus],
        input=[stop_when_others_end(["nmi"])],
        checks=[
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
            Check("%d CPU(s) up" % smp, r"^yakvm: %d CPUs? up" % smp),
        ] + alive_checks(2) + guest_checks("nmi", "nmi", NMI_CHECKS) + [
            Check("the flood had INIT+SIPI pairs and stray SIPIs",
                  r"^\[nmi\] nmi: flood: 3000 NMIs sent to cpu 1, \d+ to itself, [1-9]\d* to "
                  r"cpu 2; [1-9]\d* INIT\+SIPI pairs, [1-9]\d* stray SIPIs$"),
            Check("yakvm saw the AP halt with IF=0",
                  r"^yakvm: vm nmi/1 halted with interrupts disabled"),
            Check("the heartbeat goes on during the flood", HB,
                  after=r"^\[nmi\] nmi: ok both APs start",
                  before=r"^\[nmi\] nmi: flood:"),
        ])


SCENARIOS.append(nmi_scenario("qemu-hostile-nmi", 2, "0-1"))
SCENARIOS.append(nmi_scenario("qemu-hostile-nmi-1cpu", 2, "0"))
SCENARIOS.append(dataclasses.replace(counted_heartbeat(nmi_scenario("bochs-hostile-nmi", 2, "0-1")),
                                     emulator="bochs", timeout=900))

# A VM halted with IF=0 forever and one spinning with IF=0 forever, on the
# one CPU of a heartbeat. Neither ends on its own: the monitor (Ctrl-A three
# times per running VM, then the monitor) looks at the halted one twice and
# destroys both; then the heartbeat is told to stop and the run ends.
CTRL_A = b"\x01"
HALT_EXITS = r"^  vcpu 0: halted, on CPU 0, ASID \d+, (\d{1,3}) exits\n"
HALT = Scenario(
    name="qemu-hostile-halt",
    timeout=200,
    grub=[YAKVM,
          "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key",
          "module2 /guests/hostile_halt.elf name=halter mem=8M",
          "module2 /guests/hostile_halt.elf name=spinner mem=8M -- spin"],
    input=[(r"^yakvm: vm halter/0 halted with interrupts disabled", b""),
           (r"\[heartbeat\] heartbeat \d+\n", b""),
           (r"\[heartbeat\] heartbeat \d+\n", CTRL_A * 12),
           (r"console input goes to yakvm's monitor", b"info vm halter\r"),
           (r"    last exit", b""),
           (r"\[heartbeat\] heartbeat \d+\n", b""),
           (r"\[heartbeat\] heartbeat \d+\n", b"info vm halter\r"),
           (r"    last exit", b"info vm spinner\r"),
           (r"    last exit", b"destroy halter\r"),
           (r"vm halter: destroyed", b"destroy spinner\r"),
           (r"vm spinner: destroyed", b"list\r"),
           (r"  2  spinner +destroyed", b""),
           stop_heartbeat(r"\[heartbeat\] heartbeat \d+\n")],
    checks=[
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ] + alive_checks(3) + [
        Check("the halter halts with IF=0", r"^\[halter\] halt: halting with IF=0 forever$"),
        Check("yakvm notes the IF=0 halt, once",
              r"^yakvm: vm halter/0 halted with interrupts disabled at rip=0x[0-9a-f]+$"),
        Check("the spinner spins with IF=0", r"^\[spinner\] halt: spinning with IF=0 forever$"),
        Check("the monitor is reached", r"^yakvm: console input goes to yakvm's monitor"),
        Check("the halted vCPU made no exit between two looks a heartbeat apart, and "
              "fewer than 1000 in all (HLT with IF=0 blocks, it does not spin)",
              HALT_EXITS + r"(?:.*\n)*?\[heartbeat\] heartbeat \d+\n(?:.*\n)*?"
              r"  vcpu 0: halted, on CPU 0, ASID \d+, \1 exits$"),
        Check("the spinner is runnable (IF=0 does not stop it being preempted)",
              r"^  vm spinner: running, 1 vCPUs(?:.*\n)*?  vcpu 0: runnable, on CPU 0"),
        Check("the heartbeat goes on while both run", HB,
              after=r"^\[spinner\] halt: spinning", before=r"^  vm halter: destroyed",
              count=3),
        Check("the monitor's destroy ends the halted VM",
              r"^  vm halter: destroyed, [1-9]\d* MiB freed"),
        Check("... and the spinning one", r"^  vm spinner: destroyed, [1-9]\d* MiB freed"),
        Check("yakvm says each was destroyed from the monitor",
              r"^yakvm: error: vm (halter|spinner) stopped: destroyed from the monitor$",
              count=2),
        Check("neither is stopped for anything else",
              r"^yakvm: error: vm (halter|spinner)(?!.*: destroyed from the monitor$)",
              present=False),
        Check("the heartbeat goes on after they are destroyed", HB,
              after=r"^  vm spinner: destroyed"),
        Check("list shows both destroyed",
              r"^  1  halter +destroyed(?:.*\n)  2  spinner +destroyed"),
    ])

SCENARIOS.append(HALT)
