/*
 * tests/fuzz/fuzz_net_offload.c - net/offload.c, net/csum.c and
 * net/segment.c on untrusted frames and metadata. Input: byte 0 flags
 * (bit 0 needs_csum), byte 1 gso_type, bytes 2-7 gso_size, csum_start,
 * csum_offset (le16), then the frame (at most NET_GSO_FRAME_MAX bytes).
 * Properties, when net_offload_check accepts: a partial checksum is
 * completed inside the frame and then verifies (the sum from csum_start,
 * with the partial sum the field held, folds to 0); a GSO frame gives 1 to NET_GSO_SEGS_MAX segments, each at
 * most ETH_FRAME_MAX bytes with the frame's headers (hdr_len) and a
 * payload, whose IPv4 header checksum and total length (or IPv6 payload
 * length) are right, whose TCP checksum verifies (over the IPv4 or IPv6
 * pseudo-header: the GSO type matches the IP version), whose
 * sequence numbers advance by gso_size, and whose payloads put together
 * are the frame's. Out-of-bounds access is ASan's to find.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/csum.h"
#include "net/segment.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_net_offload: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

static uint8_t seg[ETH_FRAME_MAX];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8 || size - 8 > NET_GSO_FRAME_MAX)
		return 0;
	uint32_t len = (uint32_t)(size - 8);
	uint8_t *frame = malloc(len ? len : 1);	/* exactly len: ASan sees overruns */
	memcpy(frame, data + 8, len);
	struct net_offload o = {
		.needs_csum = data[0] & 1, .gso_type = data[1],
		.gso_size = (uint16_t)(data[2] | data[3] << 8),
		.csum_start = (uint16_t)(data[4] | data[5] << 8),
		.csum_offset = (uint16_t)(data[6] | data[7] << 8),
	};
	if (!net_offload_check(frame, len, &o)) {
		free(frame);
		return 0;
	}
	if (o.gso_type == NET_GSO_NONE) {
		CHECK(len <= ETH_FRAME_MAX && o.hdr_len == 0);
		if (o.needs_csum) {
			uint16_t partial = net_be16(frame + o.csum_start + o.csum_offset);
			net_csum_complete(frame, len, o.csum_start, o.csum_offset);
			/* With the partial sum (the pseudo-header's) it verifies;
			 * a field at an odd distance is the sender's nonsense. */
			if (!(o.csum_offset & 1))
				CHECK(net_csum_fold(net_csum_add(partial, frame + o.csum_start,
								 len - o.csum_start)) == 0);
		}
		free(frame);
		return 0;
	}
	struct net_tcp t;
	CHECK(net_tcp_parse(frame, len, &t) && t.payload == o.hdr_len);
	CHECK(o.gso_type == (t.v6 ? NET_GSO_TCPV6 : NET_GSO_TCPV4));
	unsigned n = net_segment_count(len, &o);
	CHECK(n >= 1 && n <= NET_GSO_SEGS_MAX);
	uint32_t seq0 = be32(frame + t.l4 + 4), payload = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t sl = net_segment(frame, len, &o, i, seg);
		CHECK(sl > o.hdr_len && sl <= ETH_FRAME_MAX);
		CHECK(i + 1 == n || sl - o.hdr_len == o.gso_size);
		CHECK(memcmp(seg, frame, t.l3) == 0);
		CHECK(memcmp(seg + o.hdr_len, frame + o.hdr_len + payload, sl - o.hdr_len) == 0);
		const uint8_t *ip = seg + t.l3;
		uint32_t ihl = t.l4 - t.l3, tcp_len = sl - t.l4;
		uint64_t sum;
		if (t.v6) {
			CHECK(ihl == 40 && net_be16(ip + 4) == tcp_len);
			sum = net_csum_add(0, ip + 8, 32) + 6 + tcp_len;
		} else {
			CHECK(net_csum_fold(net_csum_add(0, ip, ihl)) == 0);
			CHECK(net_be16(ip + 2) == sl - t.l3);
			sum = net_csum_add(0, ip + 12, 8) + 6 + tcp_len;
		}
		CHECK(net_csum_fold(net_csum_add(sum, seg + t.l4, tcp_len)) == 0);
		CHECK(be32(seg + t.l4 + 4) == seq0 + payload);
		payload += sl - o.hdr_len;
	}
	CHECK(payload == len - o.hdr_len);
	free(frame);
	return 0;
}
