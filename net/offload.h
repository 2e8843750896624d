/*
 * net/offload.h - a frame's checksum and segmentation offload metadata as
 * it travels through the switch (docs/net.md): neutral, not virtio's
 * header. A partial checksum (needs_csum) is the one's-complement sum of
 * the bytes from csum_start to the frame's end, to be stored at
 * csum_start + csum_offset (its field already holds the pseudo-header's
 * sum). A GSO frame (gso_type TCPV4 or TCPV6) is one TCP segment over
 * IPv4 or IPv6 of up to 64 KiB that stands for several of at most
 * gso_size payload bytes each.
 */
#ifndef YAKVM_NET_OFFLOAD_H
#define YAKVM_NET_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include "net/eth.h"

#define NET_GSO_NONE  0
#define NET_GSO_TCPV4 1
#define NET_GSO_TCPV6 2

/* The largest GSO frame: an IPv6 header and a payload of 65535 bytes
 * (an IPv4 packet is at most 65535 bytes in all), the Ethernet header
 * and one VLAN tag. */
#define NET_GSO_FRAME_MAX (ETH_HLEN + ETH_VLAN_HLEN + 40 + 65535)
/* The most segments one GSO frame may stand for: bounds the work the
 * switch does for it under its lock (an MSS of 512 for a full frame). */
#define NET_GSO_SEGS_MAX  128

struct net_offload {
	bool needs_csum;
	uint8_t gso_type;             /* NET_GSO_* */
	uint16_t gso_size;            /* payload bytes per segment */
	uint16_t csum_start, csum_offset;
	uint16_t hdr_len;             /* set by net_offload_check: Ethernet + IP + TCP */
};

/* Where a TCP frame's headers are (Ethernet, one optional 802.1Q tag;
 * IPv4 without fragmentation, RFC 791 3.1, or IPv6 without extension
 * headers, RFC 8200 3; TCP, RFC 9293 3.1). */
struct net_tcp {
	uint32_t l3, l4, payload;     /* offsets of the IP and TCP headers, the payload */
	bool v6;
};

/* Parses frame[0..len) as TCP over unfragmented IPv4 or over IPv6 with
 * TCP as its next header, headers whole; false if it is neither. */
bool net_tcp_parse(const uint8_t *frame, uint32_t len, struct net_tcp *t);

/* The GSO type of a TCP frame over t's IP version. */
static inline uint8_t net_gso_type_of(const struct net_tcp *t)
{
	return t->v6 ? NET_GSO_TCPV6 : NET_GSO_TCPV4;
}

/* Whether `o` is consistent with frame[0..len): no offload and len <=
 * ETH_FRAME_MAX; a partial checksum whose field (2 bytes at csum_start +
 * csum_offset) is inside the frame, len <= ETH_FRAME_MAX; a TCPV4 (or
 * TCPV6) GSO frame of TCP over IPv4 (IPv6) with a partial checksum at its
 * TCP checksum field, parseable headers, a payload, gso_size > 0 with
 * headers + gso_size <= ETH_FRAME_MAX, len <= NET_GSO_FRAME_MAX and at
 * most NET_GSO_SEGS_MAX segments. Sets o->hdr_len (0 but for GSO). */
bool net_offload_check(const uint8_t *frame, uint32_t len, struct net_offload *o);

static inline bool net_offload_none(const struct net_offload *o)
{
	return !o || (!o->needs_csum && o->gso_type == NET_GSO_NONE);
}

#endif
