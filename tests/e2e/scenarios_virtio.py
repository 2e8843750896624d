"""
tests/e2e/scenarios_virtio.py - a hostile driver of the virtio PCI
transport (tests/guests/hostile_virtio.c, virtio-rng with rng=on) beside a
heartbeat neighbour: wrong access sizes, status bits out of order, queues
and buffers outside the guest's RAM, notifications of queues that do not
exist, a head past the table, a descriptor loop; each refused or ended in
DEVICE_NEEDS_RESET, and a reset gives back a working device
(docs/virtio.md). QEMU's CPU has RDRAND, which virtio-rng draws from.
Imported by scenarios.py.
"""
import re

from harness import Scenario, Check
from scenarios_hostile import YAKVM, HEARTBEAT, alive_checks, guest_checks
from harness import stop_when_others_end

CASES = [
    "virtio-rng at 00:02.0 (1af4:1044)", "revision 1 (modern only)", "BAR 0 at 0xc0200000",
    "common, notify and ISR capabilities in BAR 0",
    "a 4-byte write over device_status is ignored", "a 4-byte read of device_status reads 0",
    "a 1-byte write of queue_select is ignored",
    "DRIVER_OK before the steps before it is refused", "FEATURES_OK without VERSION_1 is refused",
    "FEATURES_OK with VERSION_1 is kept", "clearing status bits is ignored",
    "descriptors on the LAPIC page: DEVICE_NEEDS_RESET, queue not enabled",
    "a reset clears DEVICE_NEEDS_RESET", "a used ring past the top of RAM: DEVICE_NEEDS_RESET",
    "notifications of queues that do not exist are ignored",
    "a request gets 32 random bytes", "the ISR says queue interrupt, reading clears it",
    "a second request gets other bytes",
    "a buffer on the device's own BAR: DEVICE_NEEDS_RESET, nothing used",
    "and a configuration interrupt (ISR bit 1)", "a broken device serves no more notifications",
    "a head index past the table: DEVICE_NEEDS_RESET", "a descriptor loop: DEVICE_NEEDS_RESET",
    "after a reset the device works again",
]

# tests/guests/hostile_vblk.c: virtio-blk on a read-only module disk (the
# guest's own ELF), a driver that ignores VIRTIO_BLK_F_RO and the rules.
VBLK_CASES = [
    "virtio-blk at 00:02.0 (1af4:1042)", "common, notify, ISR and device capabilities in BAR 0",
    "capacity: the image's sectors", "the device offers VIRTIO_BLK_F_RO",
    "a read of sector 0 gets the image (its ELF magic)",
    "a write to the read-only disk, F_RO not negotiated: IOERR", "the disk is unchanged after it",
    "a read past the capacity: IOERR, the buffer untouched", "a read at sector 2^64 - 1: IOERR",
    "a read of 100 bytes (not whole sectors): IOERR", "an unknown request type: UNSUPP",
    "a header of 8 bytes: IOERR", "GET_ID gives the serial",
    "a chain with no writable status byte: DEVICE_NEEDS_RESET, nothing used",
    "after a reset the disk reads again",
]

SCENARIOS = [
    Scenario(
        name="qemu-hostile-virtio", timeout=150, cpu="qemu64,+svm,+npt,+vgif,+rdrand",
        grub=[YAKVM, HEARTBEAT,
              "module2 /guests/hostile_virtio.elf name=vhostile mem=16M rng=on"],
        input=[stop_when_others_end(["vhostile"])],
        checks=[
            Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        ] + alive_checks(2) + guest_checks("vhostile", "virtio", CASES) + [
            Check("yakvm logs the first break once, naming VM, device, slot and reason",
                  r"^yakvm: warning: vm vhostile: virtio-rng 00:02\.0 needs reset: \S"),
            Check("and only once", r"needs reset: [^\n]*\n(?:.*\n)*.*needs reset:",
                  present=False),
        ]),
    Scenario(
        name="qemu-hostile-vblk", timeout=150,
        grub=[YAKVM, HEARTBEAT,
              "module2 /guests/hostile_vblk.elf name=vblk mem=16M "
              "disk=module:self,ro,serial=hostile-ro",
              "module2 /guests/hostile_vblk.elf image=self"],
        input=[stop_when_others_end(["vblk"])],
        checks=[
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        ] + alive_checks(2) + guest_checks("vblk", "vblk", VBLK_CASES) + [
            Check("yakvm logs the chain without a status byte once, naming VM, device, slot "
                  "and reason",
                  r"^yakvm: warning: vm vblk: virtio-blk 00:02\.0 needs reset: a request "
                  r"with no writable status byte \(5\.2\.6\.1\)$"),
        ]),
]

