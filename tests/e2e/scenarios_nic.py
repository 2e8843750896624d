"""
tests/e2e/scenarios_nic.py - yakvm's own host network card drivers
(drivers/net/, docs/hardware.md) against QEMU's virtio-net-pci and e1000e
(the Intel 82574L) on QEMU's user network. With net_selftest=net0 (tests
only) yakvm itself sends a DHCP DISCOVER and ARP requests through the
driver; QEMU's slirp is the outside oracle: the OFFER's address and server
and the ARP reply's MAC that yakvm logs, as it parsed them, must be what
this run's -netdev options make slirp say (a network other than slirp's
default, so nothing can be hard-coded). An ARP request sent from another
MAC is answered to that MAC: yakvm receives it only in promiscuous mode,
and not with promiscuous mode off (the 82574L's RCTL.UPE, virtio-net's
VIRTIO_NET_CTRL_RX_PROMISC command; a virtio-net without a control queue
cannot turn it off).
"""
import re

from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
HELLO = "module2 /guests/hello.elf name=alpha mem=16M vcpus=1 -- after the network cards"
OTHER_MAC = "02:79:61:6b:76:01"    # drivers/net/selftest.c


def slirp_mac(ip):
    """slirp answers ARP for its own addresses with 52:55 and the address."""
    return "52:55:" + ":".join("%02x" % int(b) for b in ip.split("."))


def nic_scenario(name, device, driver, mac, net, firmware="bios", promisc_off=True):
    """net: the third octet of 10.N.M.0/24 for this run's slirp."""
    prefix = "10.%d.%d" % net
    server, offered = prefix + ".2", prefix + ".%d" % (40 + net[1])
    m = re.escape(mac)
    checks = [
        Check("PCI: the network card is taken by its driver (and nothing else)",
              r"^yakvm: pci: \d+ functions on \d+ bus(es)?, 1 taken by a driver$"),
        Check("net0: the %s driver, the MAC given to QEMU, link up" % driver,
              r"^yakvm: net0: %s at [0-9a-f]{2}:[0-9a-f]{2}\.\d, MAC %s, link up$"
              % (re.escape(driver), m)),
        Check("slirp's DHCP OFFER: %s from %s, as yakvm parsed it" % (offered, server),
              r"^yakvm: net0: self-test: DHCP OFFER of %s from server %s \(xid 0x79616b76\)$"
              % (re.escape(offered), re.escape(server))),
        Check("slirp's ARP reply: %s is at %s" % (server, slirp_mac(server)),
              r"^yakvm: net0: self-test: ARP reply: %s is at %s$"
              % (re.escape(server), slirp_mac(server))),
        Check("promiscuous: the reply to another MAC is received",
              r"^yakvm: net0: self-test: promiscuous: received the ARP reply to %s "
              r"\(not our MAC\)$" % OTHER_MAC),
        Check("no network error", r"^yakvm: error: .*(net|e1000e|virtio-net)", present=False),
        Check("a VM still boots after the network card", r"^yakvm: vm alpha ended with status 0"),
        Check("the supported-card line is not printed", r"no supported network card",
              present=False),
    ]
    if promisc_off:
        checks.append(Check(
            "promiscuous off: the reply to the other MAC is filtered, ours comes through",
            r"^yakvm: net0: self-test: promiscuous off: the reply to %s was filtered, "
            r"ours came through$" % OTHER_MAC))
    else:
        checks.append(Check(
            "virtio-net without VIRTIO_NET_F_CTRL_RX: promiscuous mode cannot be turned off",
            r"^yakvm: net0: self-test: promiscuous mode cannot be turned off on virtio-net$"))
    args = ["-netdev", "user,id=n0,ipv6=off,net=%s.0/24,dhcpstart=%s" % (prefix, offered),
            "-device", "%s,netdev=n0,mac=%s" % (device, mac)]
    return Scenario(name=name, grub=[YAKVM + " net_selftest=net0", HELLO], firmware=firmware,
                    timeout=240 if firmware == "uefi" else 120, extra_args=args,
                    checks=checks)


SCENARIOS = [
    nic_scenario("qemu-nic-virtio", "virtio-net-pci,disable-legacy=on", "virtio-net",
                 "52:54:00:79:61:01", (9, 8)),
    # Transitional, and without a control queue: the device's own filter.
    nic_scenario("qemu-nic-virtio-transitional", "virtio-net-pci,ctrl_vq=off,ctrl_rx=off",
                 "virtio-net", "52:54:00:79:61:02", (7, 6), promisc_off=False),
    # OVMF drives virtio-net itself (VirtioNetDxe) before yakvm resets it.
    nic_scenario("qemu-uefi-nic-virtio", "virtio-net-pci,disable-legacy=on", "virtio-net",
                 "52:54:00:79:61:05", (11, 10), firmware="uefi"),
    nic_scenario("qemu-nic-e1000e", "e1000e", "e1000e", "52:54:00:79:61:03", (5, 4)),
    nic_scenario("qemu-uefi-nic-e1000e", "e1000e", "e1000e", "52:54:00:79:61:04", (3, 2),
                 firmware="uefi"),
    # QEMU's default card, the 82540EM (e1000): no yakvm driver, left alone.
    Scenario(name="qemu-nic-unsupported", grub=[YAKVM + " net_selftest=net0", HELLO],
             extra_args=["-nic", "user,model=e1000"], checks=[
                 Check("the boot says there is no supported card",
                       r"^yakvm: net: no supported network card \(virtio-net, Intel 82574L\): "
                       r"VMs get no uplink$"),
                 Check("the 82540EM is named and left alone",
                       r"^yakvm: pci 00:03\.0: network card 8086:100e: no yakvm driver, "
                       r"left alone$"),
                 Check("PCI: nothing taken", r"^yakvm: pci: \d+ functions on 1 bus, 0 taken "
                       r"by a driver$"),
                 Check("net_selftest= names a card that is not there",
                       r"^yakvm: error: net_selftest=net0: no network card of that name$"),
                 Check("a VM still boots", r"^yakvm: vm alpha ended with status 0"),
             ]),
]
