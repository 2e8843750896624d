/*
 * net/segment.c - TCP segmentation of a GSO frame over IPv4 or IPv6.
 * Segment i carries payload bytes [i * gso_size, (i + 1) * gso_size)
 * behind a copy of the headers, with its own IPv4 total length, the
 * identification plus i and a new header checksum (RFC 791 3.1), or its
 * own IPv6 payload length (RFC 8200 3), and (RFC 9293 3.1)
 * the sequence number plus i * gso_size, FIN and PSH only on the last
 * segment, CWR only on the first (RFC 3168 6.1.2), and a checksum over
 * the pseudo-header (RFC 9293 3.1, RFC 8200 8.1), the TCP header and its
 * payload. The partial sum the sender left in the TCP checksum field is
 * not used: it is recomputed.
 */
#include "net/segment.h"
#include "net/csum.h"
#include "lib/string.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

unsigned net_segment_count(uint32_t len, const struct net_offload *o)
{
	uint32_t payload = len - o->hdr_len;
	return (payload + o->gso_size - 1) / o->gso_size;
}

uint32_t net_segment(const uint8_t *frame, uint32_t len, const struct net_offload *o,
		     unsigned i, uint8_t *out)
{
	struct net_tcp t;
	net_tcp_parse(frame, len, &t);		/* checked: it parses */
	unsigned n = net_segment_count(len, o);
	uint32_t from = t.payload + i * (uint32_t)o->gso_size;
	uint32_t chunk = len - from < o->gso_size ? len - from : o->gso_size;
	memcpy(out, frame, t.payload);
	memcpy(out + t.payload, frame + from, chunk);
	uint32_t seg_len = t.payload + chunk;

	uint8_t *ip = out + t.l3;
	uint32_t ihl = t.l4 - t.l3;
	if (t.v6) {
		net_put_be16(ip + 4, (uint16_t)(seg_len - t.l4));	/* payload length */
	} else {
		net_put_be16(ip + 2, (uint16_t)(seg_len - t.l3));	/* total length */
		net_put_be16(ip + 4, (uint16_t)(net_be16(ip + 4) + i));	/* identification */
		net_put_be16(ip + 10, 0);
		net_put_be16(ip + 10, net_csum_fold(net_csum_add(0, ip, ihl)));
	}

	uint8_t *tcp = out + t.l4;
	uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	seq += i * (uint32_t)o->gso_size;
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	if (i + 1 < n)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	uint32_t tcp_len = seg_len - t.l4;
	/* The pseudo-header: source, destination, protocol (next header),
	 * TCP length (RFC 9293 3.1; RFC 8200 8.1, whose 32-bit length has
	 * 0 as its high half here). */
	uint64_t sum = (t.v6 ? net_csum_add(0, ip + 8, 32) : net_csum_add(0, ip + 12, 8)) +
		       6 + tcp_len;
	net_put_be16(tcp + 16, 0);
	sum = net_csum_add(sum, tcp, tcp_len);
	net_put_be16(tcp + 16, net_csum_fold(sum));
	return seg_len;
}
