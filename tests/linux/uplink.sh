#!/bin/sh
# tests/linux/uplink.sh - the uplink part of the test initramfs, run by
# /init when the kernel command line has yakvm.uplink=PORT (docs/net.md,
# tests/e2e/scenarios_uplink.py): a VM on yakvm's switch, whose uplink is
# the host's network card on QEMU's user network. Loads virtio_net, gets
# an address by DHCP (busybox udhcpc with /udhcpc.sh), serves a page with
# a fresh token on port 80 (busybox httpd: the test fetches it through
# QEMU's hostfwd), fetches data.bin from the test's server at
# 10.0.2.2:PORT (the host's loopback) and prints its md5, then waits until
# that server says the test got our page (an event: its /done answers),
# and for a key.
arg() { sed -n "s/.*yakvm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
say() { echo "yakvm-linux: uplink $*"; }
port=$(arg uplink)
. /netif.sh
netif_up || { return 0 2>/dev/null || exit 0; }
ip link set lo up
ip link set eth0 up
# Without -n udhcpc tries until it has a lease; -q: then it quits.
udhcpc -i eth0 -f -q -s /udhcpc.sh 2>&1 | sed 's/^/yakvm-linux: uplink udhcpc: /'
addr=$(ip -4 addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')
say "eth0 has $addr, default route $(ip route | sed -n 's/^default via \([0-9.]*\).*/\1/p')"

token=$(head -c 16 /dev/urandom | md5sum | cut -c1-16)
mkdir -p /www
echo "yakvm uplink page $token" > /www/index.html
httpd -p 80 -h /www
say "httpd up on $addr:80, page token $token"

if wget -q -O /tmp/data "http://10.0.2.2:$port/data.bin"; then
	say "fetched $(wc -c < /tmp/data) bytes md5 $(md5sum < /tmp/data | cut -c1-32)"
else
	say "wget of data.bin failed"
fi
until got=$(wget -q -O - "http://10.0.2.2:$port/done" 2>/dev/null); do sleep 1; done
say "the host got: $got"
say "tx $(cat $e/statistics/tx_packets) rx $(cat $e/statistics/rx_packets) rx_errors $(cat $e/statistics/rx_errors) rx_dropped $(cat $e/statistics/rx_dropped)"
say "done; waiting for a key"
read -r key
