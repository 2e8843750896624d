"""
tests/e2e/scenarios_offload.py - checksum and segmentation offload on
yakvm's switch (docs/net.md). Three Linux VMs on Debian's standard kernel
(tests/linux/net.sh brings eth0 up, tests/linux/netbench.sh with
yakvm.netvia=http does the copy): `ob` (net=on: CSUM, GUEST_CSUM,
HOST_TSO4, GUEST_TSO4 offered and taken by its virtio_net) serves 16 MiB
of random bytes with busybox httpd, which puts whole files into the
socket, so its TCP sends GSO frames of up to 64 KiB whatever the host's
speed; `oc` (net=on, offload) and `oa` (net=on,offload=off: none
offered) fetch them with wget, over IPv4 and then over IPv6 (TSO6), and
tell ob each md5, which must be ob's.
ob's frames come with partial checksums and as GSO frames; oc takes them
as is, and for oa yakvm cuts the GSO frames into segments and completes
the checksums (oa's kernel checks every TCP checksum and drops a bad
segment: a wrong one would stall its copy). The ports' closing lines show
it. The VMs wait for each other by events (a ping answered, a connection
accepted), never by time. yakvm runs with idle_poll=off: every frame is
notified, and no CPU polls a transmit queue (linux-net-switch has
polling on; here its off switch is shown). Imported by scenarios.py.
"""
from harness import Scenario, Check
from scenarios_net import YAKVM, net_vm, p, port_line, mac_of_name


def nb(vm):
    return r"^\[%s\] yakvm-linux: netbench " % vm


def offload_line(vm, pattern, v6=r"IPv6 gso in \d+ out \d+"):
    return r"^yakvm: vm %s: net port off the switch: %s offload: %s; %s$" % (vm, vm, pattern, v6)


def counts(*conds):
    """verify: each group's number against its condition."""
    def verify(m):
        ok = all(c(int(m.group(i + 1))) for i, c in enumerate(conds))
        return ok, " ".join(m.groups())
    return verify


def clean_port(vm):
    return Check("%s's port: nothing spoofed or malformed" % vm,
                 port_line(vm, mac_of_name(vm)),
                 verify=lambda m: (m.group(3) == "0" and m.group(4) == "0",
                                   "spoofed %s malformed %s" % m.group(3, 4)))


def checks():
    c = [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no virtio device needs reset", r"needs reset", present=False),
        Check("oa: its port without offload (offload=off)",
              r"^yakvm: vm oa: net: virtio-net, MAC %s, switch port \d+, no offload$" %
              mac_of_name("oa")),
        Check("ob: its port with offload",
              r"^yakvm: vm ob: net: virtio-net, MAC %s, switch port \d+$" % mac_of_name("ob")),
        Check("ob sent GSO frames (over IPv4 and IPv6) and partial checksums (CSUM, "
              "HOST_TSO4, HOST_TSO6 negotiated)",
              offload_line("ob", r"in (\d+) gso (\d+) csum, out \d+ gso \d+ csum; "
                           r"\d+ segmented \d+ completed for it",
                           r"IPv6 gso in (\d+) out \d+"),
              verify=counts(lambda n: n >= 2, lambda n: n >= 1, lambda n: n >= 1)),
        Check("oc took GSO frames (IPv6 ones too) and partial checksums as is (GUEST_TSO4, "
              "GUEST_TSO6, GUEST_CSUM)",
              offload_line("oc", r"in \d+ gso \d+ csum, out (\d+) gso (\d+) csum; "
                           r"0 segmented 0 completed for it", r"IPv6 gso in \d+ out (\d+)"),
              verify=counts(lambda n: n >= 2, lambda n: n >= 1, lambda n: n >= 1)),
        Check("oa got nothing as is: GSO frames segmented, checksums completed for it",
              offload_line("oa", r"in 0 gso 0 csum, out 0 gso 0 csum; (\d+) segmented "
                           r"(\d+) completed for it", r"IPv6 gso in 0 out 0"),
              verify=counts(lambda n: n >= 2, lambda n: n >= 1)),
        Check("ob heard that md5 back from both, over IPv4 and IPv6",
              nb("ob") + r"send md5 ([0-9a-f]{32})$" +
              (r"(?:.*\n)*?" + nb("ob")[1:] + r"a peer received md5 \1$") * 4),
        clean_port("ob"), clean_port("oa"), clean_port("oc"),
        Check("idle_poll=off: the boot says so",
              r"^yakvm: idle_poll=off: idle CPUs halt; guests notify every frame they send$"),
        Check("all VMs end", r"^yakvm: all VMs have ended"),
    ]
    for vm in ("ob", "oa", "oc"):
        c.append(Check(
            "idle_poll=off: %s's frames were taken after its notifications (or by the timer), "
            "none by an idle CPU or at an exit" % vm,
            r"^yakvm: vm %s: net: transmitq1's chains taken in [1-9]\d* rounds after "
            r"notifications, 0 by idle CPUs, 0 after exits, \d+ by its timer$" % vm))
    for vm in ("oa", "oc"):
        c += [
            Check("%s fetched 16 MiB from ob with ob's md5" % vm,
                  nb("ob") + r"send md5 ([0-9a-f]{32})$(?:.*\n)*?" + nb(vm)[1:] +
                  r"recv md5 \1$"),
            Check("%s: 16777216 bytes" % vm, nb(vm) + r"recv done 16777216 bytes$"),
            Check("%s fetched them again over IPv6 with ob's md5" % vm,
                  nb("ob") + r"send md5 ([0-9a-f]{32})$(?:.*\n)*?" + nb(vm)[1:] +
                  r"recv6 md5 \1$"),
            Check("%s: 16777216 bytes over IPv6" % vm, nb(vm) + r"recv6 done 16777216 bytes$"),
        ]
    return c


def bench_vm(name, opts, args):
    return net_vm(name, "192M", opts, "yakvm.netmib=16 yakvm.netvia=http " + args)


SCENARIOS = [
    Scenario(
        name="linux-net-offload", mem="1G", smp=2, timeout=1200,
        grub=[YAKVM + " idle_poll=off"] +
        bench_vm("ob", "net=on", "yakvm.net=10.0.0.2 yakvm.net6=fd00::2 yakvm.peer=10.0.0.1 "
                 "yakvm.netbench=send yakvm.netpeers=4") +
        bench_vm("oa", "net=on,offload=off", "yakvm.net=10.0.0.1 yakvm.net6=fd00::1 "
                 "yakvm.peer=10.0.0.2 yakvm.peer6=fd00::2 yakvm.netbench=recv") +
        bench_vm("oc", "net=on", "yakvm.net=10.0.0.3 yakvm.net6=fd00::3 yakvm.peer=10.0.0.2 "
                 "yakvm.peer6=fd00::2 yakvm.netbench=recv"),
        checks=checks()),
]
