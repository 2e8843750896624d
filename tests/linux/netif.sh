#!/bin/sh
# tests/linux/netif.sh - sourced by net.sh, uplink.sh and netbench.sh:
# netif_up loads virtio_net and the modules it needs, and says (with the
# caller's `say`) eth0's driver, MAC and MTU, or "no eth0" (then false).
# It leaves $e, eth0's sysfs directory, for the caller.
netif_up() {
	mods=/lib/modules/$(uname -r)
	for m in failover net_failover virtio_net; do
		insmod $mods/$m.ko || say "insmod $m failed"
	done
	e=/sys/class/net/eth0
	if [ ! -e $e ]; then
		say "no eth0"
		return 1
	fi
	say "eth0 driver $(basename "$(readlink $e/device/driver)") mac $(cat $e/address) mtu $(cat $e/mtu)"
}
