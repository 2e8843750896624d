"""
tests/e2e/scenarios_uplink.py - the uplink (net/uplink.c, docs/net.md): a
Debian Linux VM on yakvm's switch reaches QEMU's user network through the
host's network card, driven by yakvm (virtio-net-pci, and the Intel 82574L
as QEMU's e1000e). The VM (tests/linux/uplink.sh) gets its address by DHCP
from slirp with busybox udhcpc, runs busybox httpd, which the test fetches
from the host through a hostfwd port on 127.0.0.1, and fetches a file of
random bytes with busybox wget from an HTTP server the test runs on the
host's loopback (10.0.2.2:PORT from the guest): the md5 it prints must be
the file's. The test's fetch waits for the guest's "httpd up" line and
retries a refused or dropped connection; the guest waits for the test's
server to say the page was fetched: events, never a time. Then the
monitor's `net` shows the uplink's counters and the VM powers off.
Imported by scenarios.py.
"""
import hashlib
import http.client
import http.server
import os
import re
import socket
import threading
import urllib.error
import urllib.request

from harness import Scenario, Check, ToVM, free_port, CTRL_A3
from scenarios_net import mac_of_name, port_line

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check nowatchdog"
DATA_BYTES = 2 << 20
PAGE_LINE = r"^\[web\] yakvm-linux: uplink httpd up on \S+, page token ([0-9a-f]{16})$"


class UplinkHost:
    """The host's side: data.bin and /done on 127.0.0.1, the hostfwd port,
    and the fetch of the guest's page once its httpd is up."""

    def __init__(self, workdir, device, mac):
        self.workdir = workdir
        self.data = os.urandom(DATA_BYTES)
        self.got = None           # the guest's page, once fetched
        self.out = ["serving %d bytes md5 %s" % (len(self.data),
                                                 hashlib.md5(self.data).hexdigest())]
        self.lock = threading.Lock()
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/data.bin":
                    body = host.data
                elif self.path == "/done" and host.got is not None:
                    body = host.got
                else:
                    body = None
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, fmt, *args):
                if self.path != "/done":   # the guest asks until it is there
                    host.say("server: %s" % (fmt % args))

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server_thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.server_thread.start()
        self.fwd_port = free_port()
        self.words = {"@HTTP_PORT@": str(self.server.server_address[1])}
        self.args = ["-netdev", "user,id=n0,ipv6=off,hostfwd=tcp:127.0.0.1:%d-10.0.2.15:80"
                     % self.fwd_port, "-device", "%s,netdev=n0,mac=%s" % (device, mac)]

    def say(self, line):
        with self.lock:
            self.out.append(line)

    def run(self, serial_log, stop):
        token = None
        while token is None and not stop.wait(0.2):
            try:
                with open(serial_log, errors="replace") as f:
                    m = re.search(PAGE_LINE, f.read().replace("\r", ""), re.M)
            except FileNotFoundError:
                continue
            token = m and m.group(1)
        if token is None:
            return
        url = "http://127.0.0.1:%d/" % self.fwd_port
        tries = 0
        while not stop.is_set():
            tries += 1
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    page = r.read()
                break
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                    socket.timeout):
                stop.wait(0.5)   # slirp took the connection before the guest did
        else:
            return
        self.say("fetched %s after %d tries: %s" % (url, tries, page.decode(errors="replace")
                                                    .strip()))
        self.got = page

    def lines(self):
        with self.lock:
            return list(self.out)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        with open(os.path.join(self.workdir, "host.log"), "w") as f:
            f.write("".join(line + "\n" for line in self.lines()))


def uplink_scenario(name, device, driver, mac, smp):
    """smp=2: under TCG the VM runs on CPU 1 and the boot CPU polls the card
    from its idle loop; smp=1: it polls between the VM's exits."""
    vm_mac = re.escape(mac_of_name("web"))
    g = r"^\[web\] yakvm-linux: uplink "
    checks = [
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no virtio device needs reset", r"needs reset", present=False),
        Check("no network error", r"^yakvm: error: .*(net|e1000e|virtio-net|uplink)",
              present=False),
        Check("net0 is the switch's uplink (%s), promiscuous" % driver,
              r"^yakvm: net: net0 \(%s, MAC %s\) is the switch's uplink, port 0, promiscuous$"
              % (re.escape(driver), re.escape(mac))),
        Check("the VM's port on the switch",
              r"^yakvm: vm web: net: virtio-net, MAC %s, switch port 1$" % vm_mac),
        Check("the VM gets 10.0.2.15/24 from slirp's DHCP server (udhcpc)",
              g + r"udhcpc: dhcp bound 10\.0\.2\.15/24 router 10\.0\.2\.2 dns 10\.0\.2\.3 "
              r"server 10\.0\.2\.2$"),
        Check("udhcpc says it got the lease", g + r"udhcpc: .*lease of 10\.0\.2\.15 obtained"),
        Check("eth0 configured by the udhcpc script, default route via 10.0.2.2",
              g + r"eth0 has 10\.0\.2\.15, default route 10\.0\.2\.2$"),
        Check("httpd is up with a fresh token", PAGE_LINE),
        Check("the host fetched the VM's page through hostfwd: the same token",
              PAGE_LINE + r"(?:.*\n)*?host: fetched http://127\.0\.0\.1:\d+/ after \d+ "
              r"tries: yakvm uplink page \1$"),
        Check("the VM fetched data.bin from the host's server: the same md5",
              g + r"fetched (\d+) bytes md5 ([0-9a-f]{32})$(?:.*\n)*?"
              r"host: serving \1 bytes md5 \2$"),
        Check("the host's server served data.bin to the VM (via slirp, from 127.0.0.1)",
              r"^host: server: \"GET /data\.bin HTTP/1\.[01]\" 200 -$"),
        Check("the VM heard from the host's server that its page was fetched",
              g + r"the host got: yakvm uplink page [0-9a-f]{16}$"),
        Check("the monitor's net: the uplink's counters, frames both ways, none dropped "
              "as spoofed or malformed",
              r"^  net net0 uplink: in ([1-9]\d*) frames \d+ bytes, out ([1-9]\d*) frames \d+ "
              r"bytes; dropped 0 spoofed 0 malformed \d+ no-room \d+ filtered$"),
        Check("the monitor's net: the VM's partial checksums were completed for the uplink "
              "(slirp checks them: the fetches above prove them right)",
              r"^  net net0 offload: in 0 gso 0 csum, out 0 gso 0 csum; \d+ segmented "
              r"([1-9]\d*) completed for it; IPv6 gso in 0 out 0$"),
        Check("the VM's port when it stopped: frames both ways, nothing spoofed or malformed",
              port_line("web", mac_of_name("web")),
              verify=lambda m: (int(m.group(1)) > 100 and int(m.group(2)) > 1000 and
                                m.group(3) == "0" and m.group(4) == "0",
                                "in %s out %s spoofed %s malformed %s" % m.group(1, 2, 3, 4))),
        Check("all VMs end", r"^yakvm: all VMs have ended"),
    ]
    return Scenario(
        name=name, mem="512M", smp=smp, timeout=600,
        grub=[YAKVM,
              "module2 /guests/vmlinuz-std name=web mem=192M vcpus=1 net=on -- %s "
              "yakvm.uplink=@HTTP_PORT@" % CMDLINE,
              "module2 /guests/initrd.cpio attach=web"],
        beside=lambda workdir: UplinkHost(workdir, device, mac),
        input=[(g + r"done; waiting for a key", ToVM("web", b"")), (lambda log: True, CTRL_A3),
               (r"console input goes to yakvm's monitor", b"net\r"),
               (r"^  net net0 uplink.*\n", ToVM("web", b"\r"))],
        checks=checks)


def option_scenario(name, option, line):
    """uplink=: the line it makes yakvm say, no uplink, a VM with net=on boots."""
    return Scenario(
        name=name, grub=[YAKVM + " " + option,
                         "module2 /guests/hello.elf name=alpha mem=16M net=on -- no uplink"],
        extra_args=["-netdev", "user,id=n0,ipv6=off",
                    "-device", "virtio-net-pci,disable-legacy=on,netdev=n0"],
        checks=[
            Check("the card is found", r"^yakvm: net0: virtio-net at "),
            Check("the boot says why there is no uplink", line),
            Check("no uplink joins the switch", r"the switch's uplink", present=False),
            Check("the VM's port is the switch's first",
                  r"^yakvm: vm alpha: net: virtio-net, MAC \S+, switch port 0$"),
            Check("the VM ends", r"^yakvm: vm alpha ended with status 0"),
        ])


SCENARIOS = [
    option_scenario("qemu-uplink-none", "uplink=none",
                    r"^yakvm: net: uplink=none: the switch has VMs only$"),
    option_scenario("qemu-uplink-missing", "uplink=net1",
                    r"^yakvm: error: uplink=net1: no network card of that name: the switch "
                    r"has VMs only$"),
    uplink_scenario("linux-uplink-virtio", "virtio-net-pci,disable-legacy=on", "virtio-net",
                    "52:54:00:79:75:01", smp=2),
    uplink_scenario("linux-uplink-e1000e", "e1000e", "e1000e", "52:54:00:79:75:02", smp=1),
]
