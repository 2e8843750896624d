#!/bin/sh
# tests/linux/net.sh - the network part of the test initramfs, run by
# /init when the kernel command line has yakvm.net=ADDRESS (docs/net.md,
# tests/e2e/scenarios_net.py). Loads virtio_net and what it needs, brings
# eth0 up with ADDRESS/24, then plays its yakvm.role against yakvm.peer:
#   recv   pings the peer, then takes 16 MiB over TCP (nc -l) and tells
#          the peer its md5 back (port 5001)
#   send   pings the peer, then sends 16 MiB of random bytes (port 5000)
#          until a connection succeeds, and waits for the peer's md5
#   spoof  takes yakvm.spoofmac as its MAC before the link is up, then
#          pings the peer: nothing may come back; waits for a key
#   flood  floods broadcast frames (/bin/flood) until each of
#          yakvm.pingers has told it that it is done (port 5100 + the
#          pinger's last address byte: one listener per pinger, since a
#          second connection queued on one listener is lost when it closes)
#   fping  waits until the flood reaches it (1000 frames in), pings the
#          peer 20 times, tells the flooder (yakvm.flooder), and ends only
#          once the peer has said it is done too (port 5003): a pinger that
#          ended early would leave its peer's last pings unanswered
#   link   once its peer is ready (port 5004), asks for its link to go
#          down, waits for carrier 0 (the monitor's `link`), then for
#          carrier 1, pings the peer and tells it that it is done (5003)
#   linkpeer tells the peer it is ready, pings it once when a key comes
#          (typed once the peer's carrier is 0: nothing may come back),
#          and waits for the peer to be done
# The two sides wait for each other by events: a ping answered, a
# connection accepted; never by a fixed sleep.
arg() { sed -n "s/.*yakvm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
say() { echo "yakvm-linux: net $*"; }
addr=$(arg net)
peer=$(arg peer)
role=$(arg role)
. /netif.sh
netif_up || { return 0 2>/dev/null || exit 0; }
if [ "$role" = spoof ]; then
	ip link set eth0 address "$(arg spoofmac)"
	say "eth0 mac set to $(cat $e/address)"
fi
ip link set lo up
ip addr add "$addr/24" dev eth0
ip link set eth0 up
# yakvm.net6=ADDRESS: an IPv6 address too (/64; without duplicate
# detection, a wall-time wait, so that it is usable at once).
addr6=$(arg net6)
if [ -n "$addr6" ]; then
	echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad
	ip -6 addr add "$addr6/64" dev eth0
fi
say "up $addr${addr6:+ $addr6} carrier $(cat $e/carrier)"

# Until the peer answers once (its link may come up later than ours);
# then its ARP entry is made permanent: Linux gives up on a neighbour after
# 3 probes 1 s apart, a wall-time bound that a VM starved by a loaded host
# (or by a flood) can miss, and the ping waiting on it is then lost.
wait_peer() {
	until ping -c 1 -W 60 "$peer" >/dev/null 2>&1; do :; done
	arp -s "$peer" "$(ip neigh show "$peer" | sed -n 's/.*lladdr \([^ ]*\).*/\1/p')"
	say "peer $peer answers: $(ip neigh show "$peer")"
}
# $1 pings, one at a time, and how many were answered. Not `ping -c N`:
# once a reply has come, busybox waits only about two round trips (at
# least 1 s) for the last one, a wall-time bound a loaded host can miss;
# `ping -c 1 -W 60` waits for its one reply.
pings() {
	n=0 i=0
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		if ping -c 1 -W 60 "$peer" >/dev/null 2>&1; then
			n=$((n + 1))
		else
			say "ping $i lost: neighbour $(ip neigh show "$peer")"
			grep '^Icmp: [0-9]' /proc/net/snmp | sed 's/^/yakvm-linux: net /'
		fi
	done
	say "ping: $1 packets transmitted, $n packets received"
}
# A listener whose stdin never ends (busybox nc quits at its stdin's EOF).
listen() {
	rm -f /tmp/fifo$1 && mkfifo /tmp/fifo$1
	nc -l -p "$1" 3<>/tmp/fifo$1 <&3
}

case "$role" in
recv|send)
	wait_peer
	pings 10
	;;
esac
case "$role" in
recv)
	listen 5000 > /tmp/got
	sum=$(md5sum < /tmp/got | cut -c1-32)
	say "received $(wc -c < /tmp/got) bytes md5 $sum"
	until echo "$sum" | nc "$peer" 5001; do :; done
	say "told the peer"
	;;
send)
	dd if=/dev/urandom of=/tmp/data bs=1M count=16 2>/dev/null
	say "sending $(wc -c < /tmp/data) bytes md5 $(md5sum < /tmp/data | cut -c1-32)"
	tries=1
	until nc "$peer" 5000 < /tmp/data; do tries=$((tries + 1)); done
	say "sent after $tries connection attempts"
	say "the peer received md5 $(listen 5001)"
	;;
flood)
	flood eth0 &
	flooder=$!
	say "flooding"
	pids=
	for a in $(arg pingers | tr , ' '); do
		listen $((5100 + ${a##*.})) > /tmp/done${a##*.} &
		pids="$pids $!"
	done
	wait $pids
	for a in $(arg pingers | tr , ' '); do
		say "a pinger is done: $(cat /tmp/done${a##*.})"
	done
	kill $flooder
	wait
	;;
fping)
	until [ "$(cat $e/statistics/rx_packets)" -ge 1000 ]; do sleep 1; done
	say "the flood reached us"
	listen 5003 > /tmp/peer_done &
	peer_listener=$!
	wait_peer
	rx=$(cat $e/statistics/rx_packets)
	pings 20
	say "frames in during the pings: $(($(cat $e/statistics/rx_packets) - rx))"
	until echo "$addr" | nc "$(arg flooder)" $((5100 + ${addr##*.})); do :; done
	say "told the flooder"
	until echo "$addr" | nc "$peer" 5003; do :; done
	wait $peer_listener
	say "the peer is done: $(cat /tmp/peer_done)"
	;;
link)
	listen 5004 > /tmp/peer_ready &
	ready_listener=$!
	wait_peer
	pings 3
	wait $ready_listener
	say "the peer is ready: $(cat /tmp/peer_ready)"
	say "waiting for the link to go down"
	until [ "$(cat $e/carrier)" = 0 ]; do sleep 1; done
	say "carrier 0"
	until [ "$(cat $e/carrier)" = 1 ]; do sleep 1; done
	say "carrier 1"
	pings 3
	until echo "$addr" | nc "$peer" 5003; do :; done
	say "told the peer"
	;;
linkpeer)
	listen 5003 > /tmp/peer_done &
	peer_listener=$!
	wait_peer
	until echo "$addr" | nc "$peer" 5004; do :; done
	say "told the peer we are ready; waiting for a key"
	read -r key
	say "ping to the peer while its link is down: $(ping -c 1 -W 5 "$peer" | grep transmitted)"
	wait $peer_listener
	say "the peer is done: $(cat /tmp/peer_done)"
	;;
spoof)
	ping -c 3 -W 10 "$peer" | grep transmitted | sed 's/^/yakvm-linux: net spoof ping: /'
	say "spoof done; waiting for a key"
	read -r key
	;;
esac
say "tx $(cat $e/statistics/tx_packets) rx $(cat $e/statistics/rx_packets) rx_errors $(cat $e/statistics/rx_errors) rx_dropped $(cat $e/statistics/rx_dropped)"
