/*
 * net/switch.c - yakvm's Ethernet switch between VMs' ports and an
 * uplink (port.h says the rules and the locking; docs/net.md why).
 *
 * Forwarding (IEEE 802.1Q-2018, 8.6: a bridge floods what it cannot
 * place, never sends a frame back where it came from): a group
 * destination goes to every other port; a unicast one to the VM port with
 * that MAC, else to the port the learning table has for it, else to every
 * other port. From an uplink, only frames for a VM's MAC and group frames
 * get in, never back to an uplink. A VM's source must be its own MAC;
 * learning (mac_table.c) is for the hosts behind an uplink, whose sources
 * may be anything but a group address or a VM's MAC.
 */
#include <stddef.h>
#include "net/port.h"
#include "net/mac_table.h"
#include "net/net_lock.h"

static struct spinlock lock;
static struct net_port *ports[NET_PORTS_MAX];
static struct mac_table learned;

static struct net_port *vm_port_with(const uint8_t *mac)
{
	for (unsigned i = 0; i < NET_PORTS_MAX; i++)
		if (ports[i] && !(ports[i]->flags & NET_PORT_UPLINK) && eth_same(ports[i]->mac, mac))
			return ports[i];
	return NULL;
}

const char *net_port_attach(struct net_port *p)
{
	const char *why = NULL;
	uint64_t f = net_lock(&lock);
	int slot = -1;
	for (unsigned i = 0; i < NET_PORTS_MAX; i++)
		if (!ports[i] && slot < 0)
			slot = (int)i;
	if (!(p->flags & NET_PORT_UPLINK) && (eth_is_group(p->mac) || eth_is_zero(p->mac)))
		why = "not a unicast MAC";
	else if (!(p->flags & NET_PORT_UPLINK) && vm_port_with(p->mac))
		why = "another port has this MAC";
	else if (slot < 0)
		why = "the switch has no free port";
	else {
		p->index = (unsigned)slot;
		p->attached = true;
		ports[slot] = p;
	}
	net_unlock(&lock, f);
	return why;
}

void net_port_detach(struct net_port *p)
{
	uint64_t f = net_lock(&lock);
	if (p->attached && p->index < NET_PORTS_MAX && ports[p->index] == p) {
		ports[p->index] = NULL;
		mac_table_forget_port(&learned, p->index);
	}
	p->attached = false;
	net_unlock(&lock, f);
}

static void deliver(struct net_port *to, const struct net_port *from, const uint8_t *frame,
		    uint32_t len)
{
	if (to->deliver(to, from, frame, len)) {
		net_count(&to->stats.out_frames, 1);
		net_count(&to->stats.out_bytes, len);
	} else {
		net_count(&to->stats.drop_no_room, 1);
	}
}

/* Every port but the sender (and from an uplink, no uplink). */
static void flood(struct net_port *from, const uint8_t *frame, uint32_t len)
{
	for (unsigned i = 0; i < NET_PORTS_MAX; i++) {
		struct net_port *p = ports[i];
		if (!p || p == from || ((from->flags & p->flags) & NET_PORT_UPLINK))
			continue;
		deliver(p, from, frame, len);
	}
}

static void forward(struct net_port *from, const uint8_t *frame, uint32_t len)
{
	const uint8_t *dst = eth_dst(frame);
	bool uplink = from->flags & NET_PORT_UPLINK;
	if (eth_is_group(dst)) {
		flood(from, frame, len);
		return;
	}
	struct net_port *to = vm_port_with(dst);
	if (!to && !uplink) {
		int i = mac_table_lookup(&learned, dst);
		to = i >= 0 ? ports[i] : NULL;
	}
	if (to && to != from)
		deliver(to, from, frame, len);
	else if (!to && !uplink)
		flood(from, frame, len);
	else
		net_count(&from->stats.drop_filtered, 1);	/* not for a VM, or for itself */
}

void net_switch_input(struct net_port *from, const uint8_t *frame, uint32_t len)
{
	uint64_t f = net_lock(&lock);
	if (!from->attached) {
		net_unlock(&lock, f);
		return;
	}
	if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
		net_count(&from->stats.drop_malformed, 1);
		net_unlock(&lock, f);
		return;
	}
	const uint8_t *src = eth_src(frame);
	bool uplink = from->flags & NET_PORT_UPLINK;
	if (uplink ? eth_is_group(src) || vm_port_with(src) : !eth_same(src, from->mac)) {
		net_count(&from->stats.drop_spoofed, 1);
		net_unlock(&lock, f);
		return;
	}
	if (uplink)
		mac_table_learn(&learned, src, from->index);
	net_count(&from->stats.in_frames, 1);
	net_count(&from->stats.in_bytes, len);
	forward(from, frame, len);
	net_unlock(&lock, f);
}

unsigned net_switch_snapshot(struct net_port *out, unsigned max)
{
	unsigned n = 0;
	uint64_t f = net_lock(&lock);
	for (unsigned i = 0; i < NET_PORTS_MAX && n < max; i++)
		if (ports[i])
			out[n++] = *ports[i];
	net_unlock(&lock, f);
	return n;
}
