#!/bin/sh
# tests/linux/udhcpc.sh - the script busybox udhcpc runs (udhcpc -s) on
# each DHCP event, with the lease in its environment ($interface, $ip,
# $mask as a prefix length, $router, $dns...): configures the interface
# and the default route, and says what it got (tests/linux/uplink.sh).
case "$1" in
deconfig)
	ip addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	for r in $router; do
		ip route add default via "$r" dev "$interface"
		break
	done
	echo "dhcp $1 $ip/$mask router $router dns $dns server $serverid"
	;;
esac
