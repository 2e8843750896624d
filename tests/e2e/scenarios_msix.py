"""
tests/e2e/scenarios_msix.py - PCI capabilities, MSI-X and INTx from inside
a 2-vCPU guest (tests/guests/msix.c) with the test device (testdev=1, PCI
00:01.0): the capability list walked to MSI-X, vectors to vCPU 0 and vCPU 1
by APIC ID (physical and logical), pending bits and the unmask, the function
mask, INTA# through the IOAPIC with MSI-X off, and messages yakvm must drop
(docs/bus.md, "MSI-X and INTx"). Imported by scenarios.py.
"""
from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
VM = "msix"

CASES = [
    ("status bit 4 and a capability list that leads to MSI-X", "capability-list"),
    ("MSI-X table size 4, nothing enabled or masked at reset", "msix-table-size"),
    ("table and PBA in BAR 1", "msix-table-and-pba-in-bar1"),
    ("every entry masked at reset, nothing pending", "msix-entries-masked-at-reset"),
    ("the second vCPU is up", "second-vcpu-up"),
    ("an entry to APIC ID 0 arrives on vCPU 0 with its vector", "msix-vector-to-cpu0"),
    ("an entry to APIC ID 1 arrives on vCPU 1 with its vector", "msix-vector-to-cpu1"),
    ("neither vector reaches the other vCPU", "msix-only-the-target"),
    ("a logical destination (flat model)", "msix-logical-destination"),
    ("a masked vector sets its pending bit and is not delivered", "msix-masked-sets-pending"),
    ("the unmask delivers it and clears the bit", "msix-unmask-delivers"),
    ("the same for vCPU 1: pending while masked", "msix-masked-sets-pending-cpu1"),
    ("the same for vCPU 1: delivered on unmask", "msix-unmask-delivers-cpu1"),
    ("the function mask holds a vector pending", "msix-function-mask-holds"),
    ("clearing the function mask delivers it", "msix-function-unmask-delivers"),
    ("INTA#, interrupt line 17 (devices/pci_layout.h)", "intx-pin-and-line"),
    ("no INTx while MSI-X is on", "intx-silent-while-msix-on"),
    ("INTx through the IOAPIC with MSI-X off", "intx-through-ioapic"),
    ("INTx lowered by the device's acknowledgement: no second interrupt",
     "intx-lowered-after-ack"),
    ("command bit 10 holds INTx", "intx-disable-holds-pin"),
    ("clearing command bit 10 delivers it", "intx-enable-delivers"),
    ("a message outside 0xfee00000-0xfeefffff reaches no vCPU", "msi-bad-address-dropped"),
    ("a message with a reserved delivery mode reaches no vCPU", "msi-reserved-mode-dropped"),
    ("MSI-X still works after the drops", "msix-works-after-drops"),
]


def checks(emulator_cpus):
    p = r"^\[%s\] %s: " % (VM, VM)
    return ([
        Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("%d host CPUs up" % emulator_cpus, r"^yakvm: %d CPUs up" % emulator_cpus),
    ] + [Check("%s: %s" % (VM, desc), p + r"ok %s$" % name) for desc, name in CASES] + [
        Check("%s: no check fails" % VM, p + r"FAIL", present=False),
        Check("%s: every check passes" % VM, p + r"%d passed, 0 failed$" % len(CASES)),
        Check("yakvm logs the first dropped MSI, with its address",
              r"^yakvm: warning: vm %s: MSI dropped: address 0xfed00000 data 0x50 "
              r"\(not in 0xfee00000-0xfeefffff\)" % VM),
        Check("the later drops are counted, not logged",
              r"MSI dropped: address 0x1fee00000|MSI dropped: .*reserved", present=False),
        Check("VM %s ends with status 0" % VM, r"^yakvm: vm %s ended with status 0" % VM),
    ])


GRUB = [YAKVM, "module2 /guests/msix.elf name=%s mem=16M vcpus=2 testdev=1" % VM]

SCENARIOS = [
    Scenario(name="qemu-msix", smp=2, timeout=240, grub=GRUB, checks=checks(2)),
    Scenario(name="bochs-msix", emulator="bochs", smp=2, timeout=400, grub=GRUB,
             checks=checks(2)),
]
