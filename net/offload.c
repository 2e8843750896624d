/*
 * net/offload.c - parsing a TCP frame's headers (over IPv4 or IPv6) and
 * checking a frame's offload metadata before the switch takes it
 * (net/offload.h).
 * What a sender hands in is untrusted: every offset is checked against
 * the frame's length here, so completing or segmenting it (net/csum.c,
 * net/segment.c) never reads or writes outside it.
 */
#include "net/offload.h"
#include "net/csum.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_TCP    6
#define TCP_CSUM_OFF   16           /* RFC 9293 3.1: the checksum field */

/* The TCP header at l4, whole: its payload's offset, or 0. */
static uint32_t tcp_payload(const uint8_t *frame, uint32_t len, uint32_t l4)
{
	if (len < l4 + 20)
		return 0;
	uint32_t doff = (frame[l4 + 12] >> 4) * 4u;	/* RFC 9293 3.1: data offset */
	return doff >= 20 && len >= l4 + doff ? l4 + doff : 0;
}

bool net_tcp_parse(const uint8_t *frame, uint32_t len, struct net_tcp *t)
{
	uint32_t l3 = ETH_HLEN;
	if (len < ETH_HLEN)
		return false;
	uint16_t type = net_be16(frame + 12);
	if (type == ETHERTYPE_VLAN) {
		if (len < ETH_HLEN + ETH_VLAN_HLEN)
			return false;
		type = net_be16(frame + 16);
		l3 += ETH_VLAN_HLEN;
	}
	const uint8_t *ip = frame + l3;
	if (type == ETHERTYPE_IPV6) {
		/* RFC 8200 3: version 6, a 40-byte header; TCP next (no
		 * extension header is taken). */
		uint32_t payload = len >= l3 + 40 && (ip[0] >> 4) == 6 && ip[6] == IPPROTO_TCP ?
				   tcp_payload(frame, len, l3 + 40) : 0;
		if (!payload)
			return false;
		*t = (struct net_tcp){ .l3 = l3, .l4 = l3 + 40, .payload = payload, .v6 = true };
		return true;
	}
	if (type != ETHERTYPE_IPV4 || len < l3 + 20)
		return false;
	uint32_t ihl = (ip[0] & 15) * 4u;
	/* RFC 791 3.1: version 4, IHL >= 5; no fragment (MF clear, offset 0). */
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != IPPROTO_TCP ||
	    (net_be16(ip + 6) & 0x3fff) || len < l3 + ihl)
		return false;
	uint32_t payload = tcp_payload(frame, len, l3 + ihl);
	if (!payload)
		return false;
	*t = (struct net_tcp){ .l3 = l3, .l4 = l3 + ihl, .payload = payload };
	return true;
}

bool net_offload_check(const uint8_t *frame, uint32_t len, struct net_offload *o)
{
	o->hdr_len = 0;
	if (len < ETH_HLEN)
		return false;
	if (o->gso_type == NET_GSO_NONE) {
		if (len > ETH_FRAME_MAX)
			return false;
		return !o->needs_csum || (uint32_t)o->csum_start + o->csum_offset + 2 <= len;
	}
	struct net_tcp t;
	if (!o->needs_csum || len > NET_GSO_FRAME_MAX || !net_tcp_parse(frame, len, &t) ||
	    o->gso_type != net_gso_type_of(&t) || o->csum_start != t.l4 ||
	    o->csum_offset != TCP_CSUM_OFF || o->gso_size == 0 ||
	    t.payload + o->gso_size > ETH_FRAME_MAX || len <= t.payload)
		return false;
	uint32_t segs = (len - t.payload + o->gso_size - 1) / o->gso_size;
	if (segs > NET_GSO_SEGS_MAX)
		return false;
	o->hdr_len = (uint16_t)t.payload;
	return true;
}
