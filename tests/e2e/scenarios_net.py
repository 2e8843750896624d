"""
tests/e2e/scenarios_net.py - virtio-net and yakvm's switch (issue 20,
docs/net.md). Three Linux VMs on Debian's standard kernel, each loading
virtio_net (and failover, net_failover) from the initramfs and run by
tests/linux/net.sh: `na` (mac= from its line) and `nb` (its MAC derived
from its name) ping each other ten times, every ping answered, then copy
16 MiB of random bytes over TCP with busybox nc, the md5 the same on both
sides; `spoof` takes na's MAC with `ip link set address` and pings nb:
nothing comes back, and the monitor's `net` shows its frames dropped as
spoofed and none taken in. A fourth VM asks for na's MAC: refused, it
boots without the device. The VMs wait for each other by events (a ping
answered, a connection accepted), never by time.
Imported by scenarios.py.
"""
import re

from harness import Scenario, Check, ToVM
from scenarios_hostile import guest_checks

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check nowatchdog"
MAC_A = "52:54:00:00:00:0a"
CTRL_A3 = b"\x01" * 3


def mac_of_name(name):
    """virtio_net_mac_of_name(): 02:79:6b and 24 bits of the name's FNV-1a."""
    h = 2166136261
    for c in name.encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    return "02:79:6b:%02x:%02x:%02x" % ((h >> 16) & 255, (h >> 8) & 255, h & 255)


def net_vm(name, mem, opts, args):
    return ["module2 /guests/vmlinuz-std name=%s mem=%s vcpus=1 %s -- %s %s" %
            (name, mem, opts, CMDLINE, args),
            "module2 /guests/initrd.cpio attach=%s" % name]


def ended(*names):
    """The log shows each VM in names ended."""
    def cond(log):
        return all(re.search(r"^yakvm: vm %s ended" % n, log, re.M) for n in names)
    return cond


def spoof_ready(log):
    return ended("na", "nb")(log) and re.search(r"^\[spoof\] yakvm-linux: net spoof done",
                                                 log, re.M) is not None


def p(vm):
    return r"^\[%s\] yakvm-linux: net " % vm


def port_line(vm, mac):
    return (r"^yakvm: vm %s: net port off the switch: %s %s: in (\d+) frames \d+ bytes, "
            r"out (\d+) frames \d+ bytes; dropped (\d+) spoofed (\d+) malformed (\d+) no-room "
            r"(\d+) filtered$" % (vm, vm, re.escape(mac)))


def port_bytes_line(vm, mac):
    """port_line with the bytes: in frames, bytes, out frames, bytes, drops."""
    return (r"^yakvm: vm %s: net port off the switch: %s %s: in (\d+) frames (\d+) bytes, "
            r"out (\d+) frames (\d+) bytes; dropped (\d+) spoofed (\d+) malformed (\d+) no-room "
            r"(\d+) filtered$" % (vm, vm, re.escape(mac)))


def busy_port(m):
    """16 MiB went through it (in frames of up to 64 KiB with TSO)."""
    ok = int(m.group(2)) > 16 << 20 or int(m.group(4)) > 16 << 20
    ok = ok and m.group(5) == "0" and m.group(6) == "0"
    return ok, "in %s bytes out %s bytes spoofed %s malformed %s" % m.group(2, 4, 5, 6)


def polled(m):
    frames, notified, idle = (int(g) for g in m.groups())
    return (idle > 0 and notified < frames,
            "%d frames, %d notifications, %d rounds by idle CPUs" % (frames, notified, idle))


def checks():
    mac_b = mac_of_name("nb")
    return [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no virtio device needs reset", r"needs reset", present=False),
        Check("na: its MAC from mac=, a port on the switch",
              r"^yakvm: vm na: net: virtio-net, MAC %s, switch port \d+$" % MAC_A),
        Check("nb: its MAC from its name (locally administered)",
              r"^yakvm: vm nb: net: virtio-net, MAC %s, switch port \d+$" % re.escape(mac_b)),
        Check("a duplicate MAC is refused with one line; that VM boots without the device",
              r"^yakvm: error: vm dup: net=: MAC %s refused: another port has this MAC; "
              r"no network device$" % MAC_A),
        Check("na: virtio_net drives eth0 with that MAC",
              p("na") + r"eth0 driver virtio_net mac %s mtu 1500$" % MAC_A),
        Check("nb: virtio_net drives eth0 with that MAC",
              p("nb") + r"eth0 driver virtio_net mac %s mtu 1500$" % re.escape(mac_b)),
        Check("na: the link is up (VIRTIO_NET_S_LINK_UP)", p("na") + r"up 10\.0\.0\.1 carrier 1$"),
        Check("na pings nb: 10 of 10 answered",
              p("na") + r"ping: 10 packets transmitted, 10 packets received"),
        Check("nb pings na: 10 of 10 answered",
              p("nb") + r"ping: 10 packets transmitted, 10 packets received"),
        Check("16 MiB go from nb to na over TCP with the same md5",
              p("nb") + r"sending 16777216 bytes md5 ([0-9a-f]{32})$(?:.*\n)*?"
              r"\[na\] yakvm-linux: net received 16777216 bytes md5 \1$"),
        Check("... and na's md5 comes back to nb",
              p("nb") + r"sending 16777216 bytes md5 ([0-9a-f]{32})$(?:.*\n)*?"
              r"\[nb\] yakvm-linux: net the peer received md5 \1$"),
        Check("na: its port's counters when it stopped: busy, nothing spoofed or malformed",
              port_bytes_line("na", MAC_A), verify=busy_port),
        Check("nb: its port's counters when it stopped: busy, nothing spoofed or malformed",
              port_bytes_line("nb", mac_b), verify=busy_port),
        Check("offload: nb sent partial checksums (CSUM negotiated)",
              r"^yakvm: vm nb: net port off the switch: nb offload: in \d+ gso "
              r"[1-9]\d* csum, "),
        Check("offload: na took them as is (GUEST_CSUM; GSO frames too if any): none segmented",
              r"^yakvm: vm na: net port off the switch: na offload: in \d+ gso \d+ csum, "
              r"out \d+ gso [1-9]\d* csum; 0 segmented 0 completed for it;"),
        # QEMU's CPU 0 runs no vCPU under TCG (core/run/sched.c): it is idle.
        Check("transmit polling: an idle CPU took nb's frames, and nb notified fewer times "
              "than it sent frames",
              r"^yakvm: vm nb: net port off the switch: nb \S+: in (\d+) frames(?:.*\n)*?"
              r"yakvm: vm nb: net: the driver notified (\d+) times for transmitq1.*\n"
              r"yakvm: vm nb: net: transmitq1's chains taken in \d+ rounds after "
              r"notifications, (\d+) by idle CPUs", verify=polled),
        Check("spoof takes na's MAC", p("spoof") + r"eth0 mac set to %s$" % MAC_A),
        Check("spoof's pings get nothing back",
              p("spoof") + r"spoof ping: 3 packets transmitted, 0 packets received"),
        Check("the monitor's net: spoof's frames all dropped as spoofed, none taken in",
              r"^  net spoof %s: in 0 frames 0 bytes, out \d+ frames \d+ bytes; dropped "
              r"[1-9]\d* spoofed 0 malformed" % mac_of_name("spoof")),
        Check("all VMs end", r"^yakvm: all VMs have ended"),
    ]


def flood_checks():
    checks = [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no virtio device needs reset", r"needs reset", present=False),
        Check("fl floods", p("fl") + r"flooding$"),
        Check("the flooder's port took many frames in (it flooded), none spoofed",
              r"^yakvm: vm fl: net port off the switch: fl \S+: in (\d+) frames \d+ bytes, "
              r"out \d+ frames \d+ bytes; dropped 0 spoofed 0 malformed",
              # Each pinger waits for 1000 of its broadcasts before it pings.
              verify=lambda m: (int(m.group(1)) >= 1000, "in %s frames" % m.group(1))),
        Check("fl stops only after both pingers are done",
              p("fl") + r"a pinger is done: 10\.0\.0\.\d$(?:.*\n)*?.*" + p("fl")[1:] +
              r"a pinger is done: 10\.0\.0\.\d$(?:.*\n)*?.*" + p("fl")[1:] +
              r"flood stopped after \d+ frames$"),
        Check("all VMs end", r"^yakvm: all VMs have ended"),
    ]
    for vm in ("fa", "fb"):
        checks += [
            Check("%s: the flood reaches it before it pings" % vm,
                  p(vm) + r"the flood reached us$"),
            Check("%s: 20 of 20 pings answered during the flood" % vm,
                  p(vm) + r"ping: 20 packets transmitted, 20 packets received",
                  after=p(vm) + r"the flood reached us$"),
            # 20 replies and at most about 20 of the peer's requests: the
            # rest is the flood, going on while it pings.
            Check("%s: the flood goes on during its pings" % vm,
                  p(vm) + r"frames in during the pings: (\d+)$",
                  verify=lambda m: (int(m.group(1)) > 60, "%s frames" % m.group(1))),
            Check("%s: ends only once its peer is done pinging" % vm,
                  p(vm) + r"the peer is done: 10\.0\.0\.\d$",
                  after=p(vm) + r"ping: 20 packets transmitted"),
        ]
    return checks


def link_checks():
    la = p("la")
    return [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no virtio device needs reset", r"needs reset", present=False),
        Check("la: the link is up at first", la + r"up 10\.0\.0\.1 carrier 1$"),
        Check("la pings lb: 3 of 3 answered", la + r"ping: 3 packets transmitted, 3 packets received",
              before=la + r"waiting for the link to go down$"),
        Check("link: a wrong word gets the usage", r"^error: usage: link N up\|down$"),
        Check("link: an unknown VM is named", r"^error: no VM nosuch$"),
        Check("link la down: the monitor says so", r"^  vm la: link down$"),
        Check("la's driver sees the link go down (status, configuration interrupt)",
              la + r"carrier 0$", after=r"^  vm la: link down$"),
        Check("lb's ping while la's link is down gets nothing back",
              p("lb") + r"ping to the peer while its link is down: 1 packets transmitted, "
              r"0 packets received"),
        Check("the monitor's net: la's link down, lb's ping dropped at its port",
              r"^  net la link: down; [1-9]\d* frames dropped while down$"),
        Check("link la up: the monitor says so", r"^  vm la: link up$"),
        Check("la's driver sees the link come back", la + r"carrier 1$",
              after=r"^  vm la: link up$"),
        Check("la pings lb again: 3 of 3 answered",
              la + r"ping: 3 packets transmitted, 3 packets received", after=la + r"carrier 1$"),
        Check("lb ends once la is done", p("lb") + r"the peer is done: 10\.0\.0\.1$"),
        Check("la's port when it stopped: link up, what was dropped while down",
              r"^yakvm: vm la: net port off the switch: la link: up; [1-9]\d* frames dropped "
              r"while down$"),
        Check("lb's link was never down: nothing dropped for it",
              r"^yakvm: vm lb: net port off the switch: lb link: up; 0 frames dropped while down$"),
        Check("all VMs end", r"^yakvm: all VMs have ended"),
    ]


# tests/guests/hostile_vnet.c, run by two VMs.
VNET_CASES = [
    "virtio-net at 00:02.0 (1af4:1041)", "MAC and MRG_RXBUF offered",
    "CSUM, GUEST_CSUM, HOST_TSO4, GUEST_TSO4 offered",
    "STATUS offered (bit 16) and VERSION_1", "its MAC from its name: 02:79:6b:...",
    "the link is up", "a header with NEEDS_CSUM: the chain comes back",
    "a header with a GSO type: the chain comes back", "a header and no frame: the chain comes back",
    "13 bytes of frame: the chain comes back", "1519 bytes of frame: the chain comes back",
    "another source MAC: the chain comes back", "nothing written into a transmit chain",
    "a checksum field past the frame: the chain comes back",
    "GSO of a frame that is not TCP/IPv4: the chain comes back",
    "GSO type UDP (not offered): the chain comes back",
    "GSO with the ECN bit: the chain comes back",
    "a hello from the other VM arrives",
    "each received header: flags 0, GSO_NONE, num_buffers 1",
    "none of the other's bad frames arrived", "no frame with the spoofed source arrived",
    "a TCP GSO frame (3000 bytes, gso_size 1000) is taken",
    "a TCP frame with a partial checksum is taken",
    "the other's 4 TCP segments arrive, checksums complete",
    "... with all 3500 bytes of payload",
    "their headers: flags 0, GSO_NONE (GUEST_CSUM not negotiated)",
]


def hostile_vnet_checks():
    checks = [Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
              Check("no virtio device needs reset", r"needs reset", present=False)]
    for vm in ("va", "vb"):
        checks += guest_checks(vm, "vnet", VNET_CASES) + [
            Check("%s: its port counted 1 spoofed and 9 malformed frames" % vm,
                  r"^yakvm: vm %s: net port off the switch: %s %s: in [1-9]\d* frames \d+ bytes, "
                  r"out \d+ frames \d+ bytes; dropped 1 spoofed 9 malformed" %
                  (vm, vm, re.escape(mac_of_name(vm)))),
            Check("%s: its port took 1 GSO frame and 1 partial checksum; the other's 1 GSO "
                  "frame was segmented and 1 checksum completed for it" % vm,
                  r"^yakvm: vm %s: net port off the switch: %s offload: in 1 gso 1 csum, "
                  r"out 0 gso 0 csum; 1 segmented 1 completed for it; IPv6 gso in 0 out 0$"
                  % (vm, vm))]
    return checks


SCENARIOS = [
    # Two drivers of ours sending what the device must drop, then hellos.
    Scenario(
        name="qemu-hostile-vnet", timeout=150,
        grub=[YAKVM] + ["module2 /guests/hostile_vnet.elf name=%s mem=16M net=on" % vm
                        for vm in ("va", "vb")],
        checks=hostile_vnet_checks()),
    Scenario(
        name="linux-net-switch", mem="1G", smp=2, timeout=1200,
        grub=[YAKVM] +
        net_vm("na", "192M", "net=mac=%s" % MAC_A,
               "yakvm.net=10.0.0.1 yakvm.peer=10.0.0.2 yakvm.role=recv") +
        net_vm("nb", "192M", "net=on",
               "yakvm.net=10.0.0.2 yakvm.peer=10.0.0.1 yakvm.role=send") +
        net_vm("spoof", "128M", "net=on",
               "yakvm.net=10.0.0.3 yakvm.peer=10.0.0.2 yakvm.role=spoof "
               "yakvm.spoofmac=%s" % MAC_A) +
        ["module2 /guests/hello.elf name=dup mem=16M net=mac=%s" % MAC_A],
        input=[(spoof_ready, ToVM("spoof", b"")), (lambda log: True, CTRL_A3),
               (r"console input goes to yakvm's monitor", b"net\r"),
               (r"^  net spoof .*\n", ToVM("spoof", b"\r"))],
        checks=checks()),
    # The monitor's `link` pulls la's cable and puts it back: la's virtio_net
    # follows (carrier 0, then 1), lb's ping meanwhile is dropped at la's port.
    Scenario(
        name="linux-net-link", mem="512M", smp=2, timeout=900,
        grub=[YAKVM] +
        net_vm("la", "128M", "net=on", "yakvm.net=10.0.0.1 yakvm.peer=10.0.0.2 yakvm.role=link") +
        net_vm("lb", "128M", "net=on",
               "yakvm.net=10.0.0.2 yakvm.peer=10.0.0.1 yakvm.role=linkpeer"),
        input=[(p("la") + r"waiting for the link to go down$",
                ToVM(None, b"link la sideways\rlink nosuch up\rlink la down\r")),
               (p("la") + r"carrier 0$", ToVM("lb", b"\r")),
               (p("lb") + r"ping to the peer while its link is down: .*$",
                ToVM(None, b"net\rlink la up\r"))],
        checks=link_checks()),
    # A flooding VM beside a ping between two others: every ping answered.
    Scenario(
        name="linux-net-flood", mem="1G", smp=2, timeout=1200,
        grub=[YAKVM] +
        net_vm("fa", "128M", "net=on", "yakvm.net=10.0.0.1 yakvm.peer=10.0.0.2 yakvm.role=fping "
               "yakvm.flooder=10.0.0.3") +
        net_vm("fb", "128M", "net=on", "yakvm.net=10.0.0.2 yakvm.peer=10.0.0.1 yakvm.role=fping "
               "yakvm.flooder=10.0.0.3") +
        net_vm("fl", "128M", "net=on",
               "yakvm.net=10.0.0.3 yakvm.role=flood yakvm.pingers=10.0.0.1,10.0.0.2"),
        checks=flood_checks()),
]
