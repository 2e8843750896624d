#!/bin/sh
# tests/linux/netbench.sh - the network measurements of `make bench`
# (scripts/bench_net.py), run by /init when the kernel command line has
# yakvm.netbench=ROLE[,wait]; yakvm.netmib=N sets the size (MiB).
#   recv   yakvm.net=ADDRESS: pings yakvm.peer 20 times, then takes N MiB
#          over TCP (busybox nc -l, port 5000) and counts them
#   send   yakvm.net=ADDRESS: sends N MiB to yakvm.peer (nc, retrying the
#          connection until the listener is up)
# With yakvm.netvia=http, send serves N MiB of random bytes with busybox
# httpd until yakvm.netpeers (1) fetchers told their md5, and recv
# fetches them with wget and tells yakvm.peer the md5 (port 5001); with
# yakvm.peer6=ADDRESS recv fetches them a second time over IPv6 (recv6
# lines) and tells that md5 too.
#   fetch  DHCP (udhcpc), then wget of N MiB from 10.0.2.2:yakvm.netport
# The phase is timed on the host between the start and done lines. With
# ",wait" a line is read from the console before the start (send, fetch)
# and after the done line (the bench takes yakvm's exit counts meanwhile).
arg() { sed -n "s/.*yakvm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
say() { echo "yakvm-linux: netbench $*"; }
bench=$(arg netbench)
role=${bench%%,*}
mib=$(arg netmib)
netpeers=$(arg netpeers)
peer=$(arg peer)
hold() { case $bench in *,wait) read -r go ;; esac; }
# $1 (recv or recv6) fetches $2 into /tmp/got, until the peer's httpd is
# up (a refused connection fails fast), and says how many bytes.
fetch() {
	until wget -q -O /tmp/got "$2"; do :; done
	say "$1 done $(wc -c < /tmp/got) bytes"
}
# $1 tells the peer the md5 of /tmp/got (port 5001).
tell_md5() {
	sum=$(md5sum < /tmp/got | cut -c1-32)
	say "$1 md5 $sum"
	until echo "$sum" | nc "$peer" 5001; do :; done
}
# recv and send have yakvm.net= too: /init ran net.sh, which loaded
# virtio_net and brought eth0 up with that address.
if [ "$role" = fetch ]; then
	. /netif.sh
	netif_up || { return 0 2>/dev/null || exit 0; }
	ip link set lo up
	ip link set eth0 up
	udhcpc -i eth0 -f -q -s /udhcpc.sh >/dev/null 2>&1
else
	until ping -c 1 -W 60 "$peer" >/dev/null 2>&1; do :; done
fi
case "$role" in
recv)
	ping -c 20 -W 60 "$peer" | grep -E 'transmitted|round-trip' | sed 's/^/yakvm-linux: netbench ping: /'
	say "recv listening"
	if [ "$(arg netvia)" = http ]; then
		hold
		fetch recv "http://$peer:8080/data"
		tell_md5 recv
		peer6=$(arg peer6)
		if [ -n "$peer6" ]; then
			fetch recv6 "http://[$peer6]:8080/data"
			tell_md5 recv6
		fi
	else
		rm -f /tmp/fifo && mkfifo /tmp/fifo
		say "recv done $(nc -l -p 5000 3<>/tmp/fifo <&3 | wc -c) bytes"
	fi
	hold
	;;
send)
	# yakvm.tsosegs=N: TCP builds GSO frames of at least N segments (its
	# autosizing gives ~1 ms of data a frame, 2 segments at TCG's pace).
	tso=$(arg tsosegs)
	if [ -n "$tso" ]; then
		echo "$tso" > /proc/sys/net/ipv4/tcp_min_tso_segs
		say "tcp_min_tso_segs $(cat /proc/sys/net/ipv4/tcp_min_tso_segs)"
	fi
	# yakvm.netvia=http: random bytes that busybox httpd serves (whole
	# files into the socket) and the peers fetch with wget; else nc
	# (small writes).
	if [ "$(arg netvia)" = http ]; then
		mkdir -p /tmp/www
		dd if=/dev/urandom of=/tmp/www/data bs=1M count="$mib" 2>/dev/null
		say "send md5 $(md5sum < /tmp/www/data | cut -c1-32)"
		httpd -p 8080 -h /tmp/www
	else
		yes yakvm-bench-data | head -c $((mib * 1048576)) > /tmp/data
	fi
	say "send ready"
	hold
	say "send start"
	if [ "$(arg netvia)" != http ]; then
		until nc "$peer" 5000 < /tmp/data; do :; done
	fi
	say "send done"
	hold
	# With http, httpd serves until each of yakvm.netpeers (1) fetchers
	# told its md5 (port 5001).
	if [ "$(arg netvia)" = http ]; then
		rm -f /tmp/fifo1 && mkfifo /tmp/fifo1
		n=0
		while [ $n -lt "${netpeers:-1}" ]; do
			say "a peer received md5 $(nc -l -p 5001 3<>/tmp/fifo1 <&3)"
			n=$((n + 1))
		done
	fi
	;;
fetch)
	say "fetch ready $(ip -4 addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
	hold
	say "fetch start"
	got=$(wget -q -O - "http://10.0.2.2:$(arg netport)/data.bin" | wc -c)
	say "fetch done $got bytes"
	hold
	;;
esac
