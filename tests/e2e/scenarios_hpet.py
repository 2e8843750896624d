"""
tests/e2e/scenarios_hpet.py - the HPET (devices/hpet.c, hpet= on a module
line): yakvm's own hpet guest (tests/guests/hpet.c) checks the device from
inside, and Debian's cloud kernel finds it through ACPI and registers it (or,
with hpet=off, does not see one).
"""
import re

from harness import Scenario, Check
from scenarios_linux import KERNEL, CMDLINE, linux_checks

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"


def linux_vm(name, vcpus, hpet):
    return ["module2 /guests/vmlinuz name=%s mem=256M vcpus=%d hpet=%s -- %s" %
            (name, vcpus, hpet, CMDLINE),
            "module2 /guests/initrd.cpio attach=%s" % name]


def hpet_linux_checks(vm, on):
    p = r"^\[%s\] yakvm-linux: " % vm
    if on:
        return [
            Check("%s: the kernel finds the ACPI HPET table" % vm,
                  p + r"dmesg hpet: .*ACPI: HPET 0x[0-9A-F]+ 000038 \(v01 YAKVM"),
            Check("%s: the kernel registers the HPET at 0xfed00000 with 3 timers" % vm,
                  p + r"dmesg hpet: .*hpet0: at MMIO 0xfed00000, IRQs 2, 8, 0$"),
            Check("%s: ...at 100 MHz, a 64-bit counter" % vm,
                  p + r"dmesg hpet: .*hpet0: 3 comparators, 64-bit 100\.000000 MHz counter$"),
            Check("%s: hpet is among its clocksources" % vm,
                  p + r"clocksource \S+ of .*\bhpet\b"),
            Check("%s: the RTC driver takes its interrupts from the HPET (legacy "
                  "replacement owns IRQ 8)" % vm, p + r"dmesg hpet: .*rtc_cmos.*hpet irqs"),
        ]
    return [
        Check("%s: with hpet=off there is no HPET table" % vm,
              p + r"dmesg hpet: .*ACPI: HPET", present=False),
        Check("%s: ...and no hpet clocksource" % vm, p + r"clocksource \S+ of .*\bhpet\b",
              present=False),
        Check("%s: the kernel still reaches a clocksource" % vm, p + r"clocksource \S+ of "),
    ]


HPET_CHECKS = [
    "acpi-table", "acpi-table-valid", "acpi-id-matches", "capabilities", "period",
    "timer-capabilities", "counter-halted", "counter-advances", "ioapic-routes",
    "oneshot-ioapic", "periodic", "oneshot-once", "32bit-comparator",
    "32bit-match-after-wrap", "level-held", "level-status-cleared", "level-released",
    "legacy-irq0-is-timer0", "legacy-irq8-is-timer1", "legacy-off-pit-back",
]


def hpet_guest_checks():
    return [Check("hpet guest: " + name, r"^\[hpet\] hpet: ok %s$" % re.escape(name))
            for name in HPET_CHECKS] + [
        Check("hpet guest: no check fails", r"^\[hpet\] hpet: FAIL", present=False),
        Check("VM hpet ends with status 0", r"^yakvm: vm hpet ended with status 0"),
    ]


# The guest waits for interrupts, never for time: it runs beside others.
SCENARIOS = [
    Scenario(name="qemu-hpet", timeout=180,
             grub=[YAKVM, "module2 /guests/hpet.elf name=hpet mem=16M hpet=on"],
             checks=hpet_guest_checks()),
    Scenario(name="bochs-hpet", emulator="bochs", timeout=400,
             grub=[YAKVM, "module2 /guests/hpet.elf name=hpet mem=16M hpet=on"],
             checks=hpet_guest_checks()),
]
if KERNEL:
    for hpet in ("on", "off"):
        SCENARIOS += [
            Scenario(name="linux-hpet-%s" % hpet, mem="1G", timeout=300,
                     extra_args=["-icount", "shift=0,sleep=off"],
                     grub=[YAKVM] + linux_vm("linux", 1, hpet),
                     checks=linux_checks("linux", 1, tsc_stable=True) +
                     hpet_linux_checks("linux", hpet == "on")),
            Scenario(name="linux-hpet-%s-2vcpus" % hpet, mem="1G", smp=2, timeout=300,
                     grub=[YAKVM] + linux_vm("linux", 2, hpet),
                     checks=linux_checks("linux", 2) + hpet_linux_checks("linux", hpet == "on")),
        ]
