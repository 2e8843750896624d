"""
tests/e2e/scenarios_offload.py - checksum and segmentation offload on
yakvm's switch (docs/net.md). Two Linux VMs on Debian's standard kernel
run tests/linux/net.sh: `ob` (net=on: CSUM, GUEST_CSUM, HOST_TSO4,
GUEST_TSO4 offered; its virtio_net takes them) sends 16 MiB of random
bytes over TCP to `oa` (net=on,offload=off: none offered), whose md5 must
match. ob's frames come with partial checksums and as TCP GSO frames of
up to 64 KiB; yakvm completes the checksums and cuts the GSO frames into
segments for oa (its kernel checks every TCP checksum and drops a bad
segment, so a wrong one stalls the copy: it would not finish). The ports'
closing lines show it: ob took GSO frames and partial checksums in, oa
had GSO frames segmented and checksums completed for it and got none as
is. Imported by scenarios.py.
"""
from harness import Scenario, Check
from scenarios_net import YAKVM, net_vm, p, port_line, mac_of_name


def offload_line(vm, pattern):
    return r"^yakvm: vm %s: net port off the switch: %s offload: %s$" % (vm, vm, pattern)


def counts(*conds):
    """verify: each group's number against its condition."""
    def verify(m):
        ok = all(c(int(m.group(i + 1))) for i, c in enumerate(conds))
        return ok, " ".join(m.groups())
    return verify


def checks():
    return [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no virtio device needs reset", r"needs reset", present=False),
        Check("oa: its port without offload (offload=off)",
              r"^yakvm: vm oa: net: virtio-net, MAC %s, switch port \d+, no offload$" %
              mac_of_name("oa")),
        Check("ob: its port with offload",
              r"^yakvm: vm ob: net: virtio-net, MAC %s, switch port \d+$" % mac_of_name("ob")),
        Check("16 MiB go from ob (offload) to oa (none) over TCP with the same md5",
              p("ob") + r"sending 16777216 bytes md5 ([0-9a-f]{32})$(?:.*\n)*?"
              r"\[oa\] yakvm-linux: net received 16777216 bytes md5 \1$"),
        Check("... and oa's md5 comes back to ob",
              p("ob") + r"sending 16777216 bytes md5 ([0-9a-f]{32})$(?:.*\n)*?"
              r"\[ob\] yakvm-linux: net the peer received md5 \1$"),
        Check("ob's port: nothing spoofed or malformed",
              port_line("ob", mac_of_name("ob")),
              verify=lambda m: (m.group(5) == "0" and m.group(6) == "0",
                                "spoofed %s malformed %s" % m.group(5, 6))),
        Check("ob sent GSO frames and partial checksums (CSUM, HOST_TSO4 negotiated)",
              offload_line("ob", r"in (\d+) gso (\d+) csum, out \d+ gso \d+ csum; "
                           r"\d+ segmented \d+ completed for it"),
              verify=counts(lambda n: n >= 1, lambda n: n >= 1)),
        Check("oa got nothing as is: ob's GSO frames segmented, checksums completed for it",
              offload_line("oa", r"in 0 gso 0 csum, out 0 gso 0 csum; (\d+) segmented "
                           r"(\d+) completed for it"),
              verify=counts(lambda n: n >= 1, lambda n: n >= 1)),
        Check("all VMs end", r"^yakvm: all VMs have ended"),
    ]


SCENARIOS = [
    Scenario(
        name="linux-net-offload", mem="1G", smp=2, timeout=1200,
        grub=[YAKVM] +
        net_vm("oa", "192M", "net=on,offload=off",
               "yakvm.net=10.0.0.1 yakvm.peer=10.0.0.2 yakvm.role=recv") +
        net_vm("ob", "192M", "net=on",
               "yakvm.net=10.0.0.2 yakvm.peer=10.0.0.1 yakvm.role=send"),
        checks=checks()),
]
