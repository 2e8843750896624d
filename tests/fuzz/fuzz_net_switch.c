/*
 * tests/fuzz/fuzz_net_switch.c - the switch (net/switch.c, mac_table.c)
 * driven by the input: four ports (three VMs and an uplink, port 3), each
 * input record one of: a frame from a port (destination and source picked
 * from the ports' MACs, outside hosts, broadcast and multicast, or taken
 * from the input; a length from the input), a detach or re-attach of a
 * port, a receiver turning full or not, a port's link down or up.
 * Properties: a frame is never handed back to its sender nor from an
 * uplink to an uplink; a frame from a VM port carries its own MAC as
 * source; one from an uplink is for a VM's own MAC or a group address and
 * has neither a VM's MAC nor a group address as source; every length is
 * 14 to ETH_FRAME_MAX; a detached port gets nothing and its frames are
 * ignored; each frame from an attached port moves exactly one of its
 * counters (in, spoofed, malformed); a unicast frame to a VM port's MAC
 * reaches that port only (or its no-room counter); a port whose link is
 * down gets nothing, and a frame for it or from it moves its link-down
 * counter instead.
 * Offload (op 4): a TCP/IPv4 frame with a partial checksum, or a GSO
 * frame, from the input's sizes; bit 6 instead cycles the port's
 * rx_offload (none, checksums, checksums and TSO4). A port gets offload
 * metadata only if it takes it; a frame the switch completed or cut for
 * it is at most ETH_FRAME_MAX bytes and its IP and TCP checksums verify.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/port.h"
#include "net/csum.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_net_switch: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define NP 4
static struct net_port port[NP];
static bool full[NP];
static unsigned got[NP];
static const struct net_port *sender;
static const uint8_t *sent_frame;

/* A TCP/IPv4 frame (no VLAN tag, IHL 5) the switch completed or cut. */
static void check_tcp4(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	uint32_t tcp_len = len - ETH_HLEN - 20;
	CHECK(len >= ETH_HLEN + 40);
	CHECK(net_be16(ip + 2) == len - ETH_HLEN);
	CHECK(net_csum_fold(net_csum_add(0, ip, 20)) == 0);
	uint64_t sum = net_csum_add(0, ip + 12, 8) + 6 + tcp_len;
	CHECK(net_csum_fold(net_csum_add(sum, ip + 20, tcp_len)) == 0);
}

static bool deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
		    uint32_t len, const struct net_offload *off)
{
	CHECK(p->attached && from == sender);
	CHECK(!p->link_down && !from->link_down);
	CHECK(p != from);
	CHECK(!((p->flags & from->flags) & NET_PORT_UPLINK));
	CHECK(len >= ETH_HLEN && len <= (off && off->gso_type ? NET_GSO_FRAME_MAX : ETH_FRAME_MAX));
	if (off) {
		CHECK(frame == sent_frame);
		CHECK(!off->needs_csum || (p->rx_offload & NET_RX_CSUM));
		CHECK(!off->gso_type || (p->rx_offload & NET_RX_TSO4));
	} else if (frame != sent_frame) {
		check_tcp4(frame, len);		/* completed or cut for p */
	}
	if (from->flags & NET_PORT_UPLINK) {
		CHECK(eth_is_group(eth_dst(frame)) || eth_same(eth_dst(frame), p->mac));
		CHECK(!(p->flags & NET_PORT_UPLINK));
		CHECK(!eth_is_group(eth_src(frame)));
		for (unsigned i = 0; i < NP; i++)
			if (port[i].attached && !(port[i].flags & NET_PORT_UPLINK))
				CHECK(!eth_same(eth_src(frame), port[i].mac));
	} else {
		CHECK(eth_same(eth_src(frame), from->mac));
	}
	got[p - port]++;
	return !full[p - port];
}

static const uint8_t MACS[8][6] = {
	{ 0x02, 0, 0, 0, 0, 1 }, { 0x02, 0, 0, 0, 0, 2 }, { 0x02, 0, 0, 0, 0, 3 },
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, { 0x00, 0x11, 0x22, 0x33, 0x44, 0x66 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x01, 0x00, 0x5e, 0, 0, 1 },
	{ 0x33, 0x33, 0, 0, 0, 1 },
};

/* A TCP/IPv4 frame of `payload` bytes to dst from src, its TCP checksum
 * field the pseudo-header's sum (as NEEDS_CSUM leaves it); its length. */
static uint32_t tcp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t payload,
			  uint8_t fill)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0;
	uint8_t *ip = f + ETH_HLEN, *tcp = ip + 20;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	net_put_be16(ip + 2, (uint16_t)((40 + payload) & 0xffff));
	ip[8] = 64;
	ip[9] = 6;
	ip[15] = fill;
	ip[19] = 2;
	net_put_be16(ip + 10, net_csum_fold(net_csum_add(0, ip, 20)));
	tcp[12] = 0x50;
	tcp[13] = fill | 0x10;
	for (uint32_t i = 0; i < payload; i++)
		tcp[20 + i] = (uint8_t)(i * 13 + fill);
	uint64_t pseudo = net_csum_add(0, ip + 12, 8) + 6 + 20 + payload;
	net_put_be16(tcp + 16, (uint16_t)~net_csum_fold(pseudo));
	return ETH_HLEN + 40 + payload;
}

static uint64_t moved(const struct net_port *p)
{
	return p->stats.in_frames + p->stats.drop_spoofed + p->stats.drop_malformed +
	       p->stats.drop_link_down;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(port, 0, sizeof(port));
	memset(full, 0, sizeof(full));
	for (unsigned i = 0; i < NP; i++) {
		memcpy(port[i].mac, MACS[i], 6);
		port[i].flags = i == 3 ? NET_PORT_UPLINK : 0;
		port[i].deliver = deliver;
		CHECK(net_port_attach(&port[i]) == NULL);
	}
	static uint8_t frame[NET_GSO_FRAME_MAX + 16];
	size_t at = 0;
	while (at + 4 <= size) {
		uint8_t op = data[at], a = data[at + 1], b = data[at + 2], c = data[at + 3];
		at += 4;
		unsigned from = op & 3;
		if ((op >> 2 & 7) == 7) {		/* detach, or attach again */
			if (port[from].attached)
				net_port_detach(&port[from]);
			else
				CHECK(net_port_attach(&port[from]) == NULL);
			continue;
		}
		if ((op >> 2 & 7) == 6 && (op & 0x40)) {
			CHECK(net_port_set_link(&port[from], port[from].link_down));
			continue;
		}
		if ((op >> 2 & 7) == 6) {
			full[from] = !full[from];
			continue;
		}
		if ((op >> 2 & 7) == 4 && (op & 0x40)) {
			static const unsigned takes[3] = { 0, NET_RX_CSUM, NET_RX_CSUM | NET_RX_TSO4 };
			unsigned k = port[from].rx_offload == takes[1] ? 2 : port[from].rx_offload ? 0 : 1;
			port[from].rx_offload = takes[k];
			continue;
		}
		if ((op >> 2 & 7) == 4) {
			uint32_t payload = 1 + (uint32_t)(a | b << 8) % 20000;
			uint32_t len = tcp_frame(frame, MACS[a & 7], port[from].mac, payload, c);
			struct net_offload o = { .needs_csum = true, .csum_start = ETH_HLEN + 20,
						 .csum_offset = 16 };
			if (op & 0x80) {
				o.gso_type = NET_GSO_TCPV4;
				o.gso_size = (uint16_t)(1 + c * 6);
			}
			sender = &port[from];
			sent_frame = frame;
			uint64_t before = moved(&port[from]);
			bool attached = port[from].attached;
			net_switch_input(&port[from], frame, len, &o);
			CHECK(moved(&port[from]) - before == (attached ? 1u : 0u));
			continue;
		}
		uint32_t len = (op & 0x80) ? (uint32_t)(a | b << 8) % (ETH_FRAME_MAX + 8) : 60;
		memset(frame, c, sizeof(frame));
		if (at + 12 <= size && (op & 0x40)) {
			memcpy(frame, data + at, 12);	/* addresses from the input */
			at += 12;
		} else {
			memcpy(frame, MACS[a & 7], 6);
			memcpy(frame + 6, MACS[b & 7], 6);
		}
		memset(got, 0, sizeof(got));
		uint64_t before = moved(&port[from]), in_before = port[from].stats.in_frames;
		uint64_t no_room[NP], link_down[NP];
		for (unsigned i = 0; i < NP; i++) {
			no_room[i] = port[i].stats.drop_no_room;
			link_down[i] = port[i].stats.drop_link_down;
		}
		sender = &port[from];
		sent_frame = frame;
		bool attached = port[from].attached;
		net_switch_input(&port[from], frame, len, NULL);
		CHECK(moved(&port[from]) - before == (attached ? 1u : 0u));
		if (!attached || port[from].link_down)
			for (unsigned i = 0; i < NP; i++)
				CHECK(got[i] == 0);
		if (attached && port[from].link_down)
			CHECK(port[from].stats.drop_link_down - link_down[from] == 1);
		/* Accepted unicast to an attached VM port other than the
		 * sender: that port only. */
		bool accepted = port[from].stats.in_frames != in_before;
		for (unsigned i = 0; i < 3; i++)
			if (accepted && i != from && port[i].attached && eth_same(frame, port[i].mac)) {
				bool down = port[i].link_down;
				for (unsigned k = 0; k < NP; k++)
					CHECK(got[k] == (k == i && !down));
				CHECK(port[i].stats.drop_link_down - link_down[i] == (down ? 1u : 0u));
				CHECK(port[i].stats.drop_no_room - no_room[i] == (full[i] && !down ? 1u : 0u));
			}
	}
	for (unsigned i = 0; i < NP; i++)
		net_port_detach(&port[i]);
	return 0;
}
