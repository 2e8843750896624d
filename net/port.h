/*
 * net/port.h - a port of yakvm's switch (net/switch.c): what a VM's
 * virtio-net device, or an uplink through a host NIC (drivers/net/), is to
 * the switch. The owner fills in a struct net_port, attaches it, hands the
 * switch each frame it sends (net_switch_input), and gets the frames for
 * it through `deliver`.
 *
 * Rules (docs/net.md): a port may only send with its own MAC as source
 * (others are dropped and counted: spoofed); an uplink port
 * (NET_PORT_UPLINK) may send with any source, but only frames for a VM's
 * MAC, broadcast and multicast are delivered from it (the others are
 * counted as filtered), and no frame goes from the uplink back to it.
 *
 * Locking: one switch lock covers the port table, the MAC table and
 * every delivery. `deliver` runs under it, on the sender's CPU: it must
 * copy the frame (it is the sender's buffer) and must not take a lock
 * that is held while calling into the switch (a VM's device lock): it
 * queues the frame and kicks its owner. Counters are updated atomically
 * and read without the lock.
 */
#ifndef YAKVM_NET_PORT_H
#define YAKVM_NET_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include "net/eth.h"
#include "net/offload.h"

#define NET_PORTS_MAX     32
#define NET_PORT_NAME_MAX 16

/* net_port.flags */
#define NET_PORT_UPLINK (1u << 0)   /* any source; only VM MACs, group in */

/* net_port.rx_offload: what the owner takes as is (docs/net.md); frames
 * it does not take are completed or segmented by the switch. Atomic. */
#define NET_RX_CSUM (1u << 0)       /* partial checksums */
#define NET_RX_TSO4 (1u << 1)       /* TCP/IPv4 GSO frames (with NET_RX_CSUM) */
#define NET_RX_TSO6 (1u << 2)       /* TCP/IPv6 GSO frames (with NET_RX_CSUM) */

/* What a port did, for the monitor (net command) and its last log line. */
struct net_port_stats {
	uint64_t in_frames, in_bytes;     /* from the owner, accepted */
	uint64_t out_frames, out_bytes;   /* delivered to the owner */
	uint64_t drop_spoofed;            /* from the owner, another source MAC */
	uint64_t drop_malformed;          /* from the owner: too short or long, bad header or chain */
	uint64_t drop_no_room;            /* for the owner: its receive side was full or not ready */
	uint64_t drop_filtered;           /* of `in`: for nobody (its own MAC; from an
					   * uplink, not for a VM) */
	uint64_t drop_link_down;          /* from or for the owner while its link was down */
	/* Offload (net/offload.h). */
	uint64_t in_gso, in_csum;         /* from the owner: GSO frames, partial checksums */
	uint64_t out_gso, out_csum;       /* to the owner as is */
	uint64_t out_segmented;           /* GSO frames cut into segments for the owner */
	uint64_t out_completed;           /* partial checksums completed for the owner */
	uint64_t in_gso6, out_gso6;       /* of in_gso and out_gso: TCP/IPv6 */
};

struct net_port {
	char name[NET_PORT_NAME_MAX];     /* the VM's name, or the NIC's */
	uint8_t mac[ETH_ALEN];            /* its own (unused for an uplink) */
	unsigned flags;
	/* A frame for the owner (len bytes, ETH_HLEN..ETH_FRAME_MAX, or up
	 * to NET_GSO_FRAME_MAX with a GSO type), from port `from`, with its
	 * offload metadata (NULL: none; only what rx_offload takes). Under
	 * the switch lock: copy it, queue it, kick the owner; false if there
	 * was no room (the switch counts it). */
	bool (*deliver)(struct net_port *p, const struct net_port *from, const uint8_t *frame,
			uint32_t len, const struct net_offload *off);
	void *owner;
	unsigned rx_offload;              /* NET_RX_*, atomic */
	bool link_down;                   /* the cable out (monitor `link`): nothing in or
					   * out; changed under the switch lock */
	struct net_port_stats stats;

	/* The switch's. */
	bool attached;
	unsigned index;                   /* in the switch's table, while attached */
};

/* Attaches p. NULL, or why not (one phrase): another attached port has
 * its MAC, or the switch is full. */
const char *net_port_attach(struct net_port *p);
/* Detaches p: once this returns, `deliver` is never called again for it
 * and its MAC is free. Does nothing if it is not attached. */
void net_port_detach(struct net_port *p);

/* Plugs p's cable in (up) or pulls it out: while its link is down the
 * switch takes no frame from p and gives it none (each counted in
 * drop_link_down). True if that changed its state. */
bool net_port_set_link(struct net_port *p, bool up);

/* A frame the owner of `from` sends (it stays the caller's), with its
 * offload metadata (NULL: none). Checked (net_offload_check; else
 * counted malformed), counted and delivered to the ports it is for,
 * completed or segmented for those that do not take it (net/switch.c). */
void net_switch_input(struct net_port *from, const uint8_t *frame, uint32_t len,
		      const struct net_offload *off);

/* Adds n to a counter (atomic: counters are read without the lock). */
static inline void net_count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* A copy of the attached ports' names, MACs, flags and counters, for the
 * monitor; returns how many (at most max). */
unsigned net_switch_snapshot(struct net_port *out, unsigned max);

/* "52:54:00:12:34:56" into buf (18 bytes). */
void net_mac_format(const uint8_t *mac, char buf[18]);
/* One line of the port's name, MAC and counters (net/port_format.c). */
void net_port_format(const struct net_port *p, char *buf, unsigned size);
/* One line of its offload counters. */
void net_port_format_offload(const struct net_port *p, char *buf, unsigned size);
/* One line of its link: up or down, and what that dropped. */
void net_port_format_link(const struct net_port *p, char *buf, unsigned size);
/* Its line k of those three (counters, offload, link), for the monitor's
 * `net` and a VM port's closing lines; false past the last. */
bool net_port_format_line(const struct net_port *p, unsigned k, char *buf, unsigned size);

#endif
