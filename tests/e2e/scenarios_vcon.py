"""
tests/e2e/scenarios_vcon.py - virtio-console (hvc=on, issue 18): Debian's
standard kernel loads virtio_console from the initramfs (tests/linux/init,
yakvm.hvc). A line typed before the driver binds reaches the UART (the
guest reads it from ttyS0); once the driver has opened the port, a typed
line reaches hvc0 (the guest reads it from /dev/hvc0 and writes it back
there), and what the guest writes to hvc0 comes out with the VM's
`[name]` prefix. If input still went to the UART, the read of hvc0 would
never return. Imported by scenarios.py.
"""
from harness import Scenario, Check
from scenarios_linux import YAKVM, STD_EXTRA, STD_RELEASE, linux_vm, linux_checks

P = r"^\[hvc\] yakvm-linux: "

SCENARIOS = [
    Scenario(name="linux-virtio-console", mem="1G", timeout=300,
             grub=[YAKVM] + linux_vm("hvc", 1, extra=STD_EXTRA + " yakvm.hvc",
                                     kernel="vmlinuz-std", opts="hvc=on"),
             input=[(P + r"uart waits for a line", b"typed-to-the-uart\n"),
                    (P + r"hvc0 says hello", b"typed-to-hvc0\n")],
             checks=linux_checks("hvc", 1, release=STD_RELEASE) + [
                 Check("before the driver, a typed line reaches the UART",
                       P + r"uart read: typed-to-the-uart$"),
                 Check("virtio-pci binds the console at 00:02.0 (1af4:1043)",
                       P + r"virtio 0000:00:02\.0 0x1af4:0x1043 rev 0x01 driver virtio-pci "
                       r"msi_irqs [1-9]"),
                 Check("the guest's write to hvc0 comes out with the VM's prefix",
                       P + r"hvc0 says hello$"),
                 Check("once hvc0 is open, a typed line reaches it, not the UART",
                       P + r"hvc0 read: typed-to-hvc0$"),
                 Check("... and the guest goes on (its UART line after the read)",
                       P + r"uart: hvc0 read a line of 13 bytes$"),
                 Check("the typed line never reached the UART's reader",
                       P + r"uart read: typed-to-hvc0", present=False),
                 Check("no device needs reset", r"needs reset", present=False),
             ]),
]
