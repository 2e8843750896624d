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
 *
 * Offload (net/offload.h, docs/net.md): a frame with a partial checksum
 * or a GSO type goes as is to a port whose rx_offload takes it; for any
 * other port (the uplink included) the switch completes the checksum or
 * cuts the frame into segments (net/csum.c, net/segment.c) in its own
 * buffer, under its lock, and delivers plain frames.
 */
#include <stddef.h>
#include "net/port.h"
#include "net/mac_table.h"
#include "net/net_lock.h"
#include "net/csum.h"
#include "net/segment.h"
#include "lib/string.h"

static struct spinlock lock;
static struct net_port *ports[NET_PORTS_MAX];
static struct mac_table learned;
static uint8_t scratch[ETH_FRAME_MAX];	/* under the lock: a completed or cut frame */

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

static void deliver_one(struct net_port *to, const struct net_port *from, const uint8_t *frame,
			uint32_t len, const struct net_offload *off)
{
	if (to->deliver(to, from, frame, len, off)) {
		net_count(&to->stats.out_frames, 1);
		net_count(&to->stats.out_bytes, len);
	} else {
		net_count(&to->stats.drop_no_room, 1);
	}
}

/* The rx_offload bit that takes GSO frames of this type. */
static unsigned tso_taken(uint8_t gso_type)
{
	return gso_type == NET_GSO_TCPV6 ? NET_RX_TSO6 : NET_RX_TSO4;
}

/* The frame as `to` takes it: as is, completed, or cut into segments. */
static void deliver(struct net_port *to, const struct net_port *from, const uint8_t *frame,
		    uint32_t len, const struct net_offload *off)
{
	unsigned takes = __atomic_load_n(&to->rx_offload, __ATOMIC_RELAXED);
	if (to->link_down) {
		net_count(&to->stats.drop_link_down, 1);
	} else if (net_offload_none(off)) {
		deliver_one(to, from, frame, len, NULL);
	} else if ((takes & NET_RX_CSUM) && (off->gso_type == NET_GSO_NONE ||
					     (takes & tso_taken(off->gso_type)))) {
		net_count(off->gso_type ? &to->stats.out_gso : &to->stats.out_csum, 1);
		if (off->gso_type == NET_GSO_TCPV6)
			net_count(&to->stats.out_gso6, 1);
		deliver_one(to, from, frame, len, off);
	} else if (off->gso_type != NET_GSO_NONE) {
		net_count(&to->stats.out_segmented, 1);
		unsigned n = net_segment_count(len, off);
		for (unsigned i = 0; i < n; i++)
			deliver_one(to, from, scratch, net_segment(frame, len, off, i, scratch), NULL);
	} else {
		net_count(&to->stats.out_completed, 1);
		memcpy(scratch, frame, len);
		net_csum_complete(scratch, len, off->csum_start, off->csum_offset);
		deliver_one(to, from, scratch, len, NULL);
	}
}

/* Every port but the sender (and from an uplink, no uplink). */
static void flood(struct net_port *from, const uint8_t *frame, uint32_t len,
		  const struct net_offload *off)
{
	for (unsigned i = 0; i < NET_PORTS_MAX; i++) {
		struct net_port *p = ports[i];
		if (!p || p == from || ((from->flags & p->flags) & NET_PORT_UPLINK))
			continue;
		deliver(p, from, frame, len, off);
	}
}

static void forward(struct net_port *from, const uint8_t *frame, uint32_t len,
		    const struct net_offload *off)
{
	const uint8_t *dst = eth_dst(frame);
	bool uplink = from->flags & NET_PORT_UPLINK;
	if (eth_is_group(dst)) {
		flood(from, frame, len, off);
		return;
	}
	struct net_port *to = vm_port_with(dst);
	if (!to && !uplink) {
		int i = mac_table_lookup(&learned, dst);
		to = i >= 0 ? ports[i] : NULL;
	}
	if (to && to != from)
		deliver(to, from, frame, len, off);
	else if (!to && !uplink)
		flood(from, frame, len, off);
	else
		net_count(&from->stats.drop_filtered, 1);	/* not for a VM, or for itself */
}

/* Why the switch does not take a frame from `from` (attached): the
 * counter it is dropped in, or NULL if it is taken. Sets o->hdr_len. */
static uint64_t *refusal(struct net_port *from, const uint8_t *frame, uint32_t len,
			 struct net_offload *o)
{
	if (from->link_down)
		return &from->stats.drop_link_down;
	if (!net_offload_check(frame, len, o))	/* the bounds, any offload */
		return &from->stats.drop_malformed;
	const uint8_t *src = eth_src(frame);
	if (from->flags & NET_PORT_UPLINK ? eth_is_group(src) || vm_port_with(src)
					  : !eth_same(src, from->mac))
		return &from->stats.drop_spoofed;
	return NULL;
}

void net_switch_input(struct net_port *from, const uint8_t *frame, uint32_t len,
		      const struct net_offload *off)
{
	struct net_offload o = off ? *off : (struct net_offload){ 0 };
	uint64_t f = net_lock(&lock);
	if (!from->attached) {
		net_unlock(&lock, f);
		return;
	}
	uint64_t *drop = refusal(from, frame, len, &o);
	if (drop) {
		net_count(drop, 1);
		net_unlock(&lock, f);
		return;
	}
	if (from->flags & NET_PORT_UPLINK)
		mac_table_learn(&learned, eth_src(frame), from->index);
	net_count(&from->stats.in_frames, 1);
	net_count(&from->stats.in_bytes, len);
	if (o.gso_type)
		net_count(&from->stats.in_gso, 1);
	else if (o.needs_csum)
		net_count(&from->stats.in_csum, 1);
	if (o.gso_type == NET_GSO_TCPV6)
		net_count(&from->stats.in_gso6, 1);
	forward(from, frame, len, &o);
	net_unlock(&lock, f);
}

bool net_port_set_link(struct net_port *p, bool up)
{
	uint64_t f = net_lock(&lock);
	bool changed = p->link_down == up;
	p->link_down = !up;
	net_unlock(&lock, f);
	return changed;
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
