/*
 * tests/unit/test_net_offload.c - net/csum.c, net/offload.c and
 * net/segment.c, and the switch's use of them: the Internet checksum
 * (RFC 1071's example), a partial checksum completed, the consistency
 * checks of offload metadata (each rule broken once), TCP/IPv4
 * segmentation (lengths, IP id and checksum, sequence numbers, FIN/PSH on
 * the last only, CWR on the first only, TCP checksums, the payload
 * whole, with and without a VLAN tag), the same over IPv6 (payload
 * length, the IPv6 pseudo-header, the type matching the IP version, no
 * extension header), and the switch delivering a GSO frame as is to a
 * port that takes it and segmented to one that does not (TSO4 and TSO6
 * apart), a partial checksum as is or completed (docs/net.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/port.h"
#include "net/csum.h"
#include "net/segment.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

static uint8_t big[NET_GSO_FRAME_MAX + 16];

/* A TCP/IPv4 frame: Ethernet (+ a VLAN tag), IP (20 bytes), TCP (tcp_hl
 * bytes), `payload` bytes of pattern; the TCP checksum field holds the
 * pseudo-header's sum as a sender with NEEDS_CSUM leaves it. Returns its
 * length; *l4 is the TCP header's offset. */
static uint32_t tcp4_frame(uint8_t *f, bool vlan, uint32_t tcp_hl, uint32_t payload,
			   uint8_t flags, uint32_t *l4)
{
	uint32_t l3 = vlan ? 18 : 14;
	memset(f, 0, l3 + 20 + tcp_hl);
	memcpy(f, "\x02\x79\x6b\x00\x00\x02\x02\x79\x6b\x00\x00\x01", 12);
	if (vlan)
		memcpy(f + 12, "\x81\x00\x00\x05\x08\x00", 6);
	else
		memcpy(f + 12, "\x08\x00", 2);
	uint8_t *ip = f + l3;
	ip[0] = 0x45;
	net_put_be16(ip + 2, (uint16_t)(20 + tcp_hl + payload));
	net_put_be16(ip + 4, 0x1234);
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	net_put_be16(ip + 10, net_csum_fold(net_csum_add(0, ip, 20)));
	uint8_t *tcp = ip + 20;
	net_put_be16(tcp, 5001);
	net_put_be16(tcp + 2, 80);
	memcpy(tcp + 4, "\xff\xff\xff\x00", 4);	/* the sequence wraps in a segment */
	tcp[12] = (uint8_t)(tcp_hl / 4 << 4);
	tcp[13] = flags;
	net_put_be16(tcp + 14, 65535);
	for (uint32_t i = 0; i < payload; i++)
		tcp[tcp_hl + i] = (uint8_t)(i * 7 + i / 251);
	uint64_t pseudo = net_csum_add(0, ip + 12, 8) + 6 + tcp_hl + payload;
	net_put_be16(tcp + 16, (uint16_t)~net_csum_fold(pseudo));
	*l4 = l3 + 20;
	return l3 + 20 + tcp_hl + payload;
}

/* The same over IPv6 (RFC 8200 3): a 40-byte header, TCP next. */
static uint32_t tcp6_frame(uint8_t *f, uint32_t payload, uint8_t flags, uint32_t *l4)
{
	memset(f, 0, 14 + 40 + 20);
	memcpy(f, "\x02\x79\x6b\x00\x00\x02\x02\x79\x6b\x00\x00\x01\x86\xdd", 14);
	uint8_t *ip = f + 14;
	ip[0] = 0x60;
	net_put_be16(ip + 4, (uint16_t)(20 + payload));		/* payload length */
	ip[6] = 6;						/* next header: TCP */
	ip[7] = 64;
	ip[8] = ip[24] = 0xfd;
	ip[23] = 2;
	ip[39] = 1;
	uint8_t *tcp = ip + 40;
	net_put_be16(tcp, 5001);
	net_put_be16(tcp + 2, 80);
	memcpy(tcp + 4, "\xff\xff\xf0\x00", 4);
	tcp[12] = 0x50;
	tcp[13] = flags;
	net_put_be16(tcp + 14, 65535);
	for (uint32_t i = 0; i < payload; i++)
		tcp[20 + i] = (uint8_t)(i * 5 + i / 241);
	uint64_t pseudo = net_csum_add(0, ip + 8, 32) + 6 + 20 + payload;	/* RFC 8200 8.1 */
	net_put_be16(tcp + 16, (uint16_t)~net_csum_fold(pseudo));
	*l4 = 14 + 40;
	return 14 + 40 + 20 + payload;
}

/* Its payload length and TCP checksum (over the IPv6 pseudo-header). */
static void assert_checksums6_ok(const uint8_t *f, uint32_t len, uint32_t l4)
{
	const uint8_t *ip = f + l4 - 40;
	uint32_t tcp_len = len - l4;
	assert_int_equal(net_be16(ip + 4), tcp_len);
	uint64_t sum = net_csum_add(0, ip + 8, 32) + 6 + tcp_len;
	assert_int_equal(net_csum_fold(net_csum_add(sum, f + l4, tcp_len)), 0);
}

/* The frame's IP header and TCP checksum verify (sum to 0xffff). */
static void assert_checksums_ok(const uint8_t *f, uint32_t len, uint32_t l4)
{
	const uint8_t *ip = f + l4 - 20;
	assert_int_equal(net_csum_fold(net_csum_add(0, ip, 20)), 0);
	uint32_t tcp_len = len - l4;
	assert_int_equal(net_be16(ip + 2), 20 + tcp_len);
	uint64_t sum = net_csum_add(0, ip + 12, 8) + 6 + tcp_len;
	assert_int_equal(net_csum_fold(net_csum_add(sum, f + l4, tcp_len)), 0);
}

static struct net_offload gso(uint32_t l4, uint16_t mss)
{
	return (struct net_offload){ .needs_csum = true, .gso_type = NET_GSO_TCPV4,
				     .gso_size = mss, .csum_start = (uint16_t)l4,
				     .csum_offset = 16 };
}

static void test_rfc1071_example(void **state)
{
	/* RFC 1071 4.1: the sum of these words is ddf2 (folded). */
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(net_csum_fold(net_csum_add(0, b, sizeof(b))), (uint16_t)~0xddf2);
	const uint8_t odd[] = { 0x01 };		/* padded: 0x0100 */
	assert_int_equal(net_csum_fold(net_csum_add(0, odd, 1)), (uint16_t)~0x0100);
}

static void test_complete_partial(void **state)
{
	uint32_t l4;
	uint32_t len = tcp4_frame(big, false, 20, 999, TCP_ACK | TCP_PSH, &l4);
	struct net_offload o = { .needs_csum = true, .csum_start = (uint16_t)l4, .csum_offset = 16 };
	assert_true(net_offload_check(big, len, &o));
	assert_int_equal(o.hdr_len, 0);
	net_csum_complete(big, len, o.csum_start, o.csum_offset);
	assert_checksums_ok(big, len, l4);
}

static void test_check_rules(void **state)
{
	uint32_t l4;
	uint32_t len = tcp4_frame(big, false, 32, 4000, TCP_ACK, &l4);
	struct net_offload o = gso(l4, 1448);
	assert_true(net_offload_check(big, len, &o));
	assert_int_equal(o.hdr_len, l4 + 32);

	struct net_offload none = { 0 };
	assert_false(net_offload_check(big, len, &none));	/* a big frame needs GSO */
	assert_false(net_offload_check(big, 13, &none));
	assert_true(net_offload_check(big, ETH_FRAME_MAX, &none));
	assert_false(net_offload_check(big, ETH_FRAME_MAX + 1, &none));

	struct net_offload c = { .needs_csum = true, .csum_start = 1000, .csum_offset = 8 };
	assert_true(net_offload_check(big, 1010, &c));
	assert_false(net_offload_check(big, 1009, &c));		/* field past the end */
	c.csum_start = 65535;
	c.csum_offset = 65535;
	assert_false(net_offload_check(big, 1500, &c));		/* no wrap */

	o = gso(l4, 1448); o.needs_csum = false;
	assert_false(net_offload_check(big, len, &o));
	o = gso(l4, 0);
	assert_false(net_offload_check(big, len, &o));
	o = gso(l4, (uint16_t)(ETH_FRAME_MAX - (l4 + 32) + 1));	/* a segment too big */
	assert_false(net_offload_check(big, len, &o));
	o = gso(l4, (uint16_t)(ETH_FRAME_MAX - (l4 + 32)));
	assert_true(net_offload_check(big, len, &o));
	o = gso(l4 + 1, 1448);
	assert_false(net_offload_check(big, len, &o));		/* not the TCP header */
	o = gso(l4, 1448); o.csum_offset = 6;
	assert_false(net_offload_check(big, len, &o));
	o = gso(l4, 1448); o.gso_type = 3;			/* UDP: not ours */
	assert_false(net_offload_check(big, len, &o));
	o = gso(l4, 1448);
	assert_false(net_offload_check(big, l4 + 32, &o));	/* no payload */
	assert_false(net_offload_check(big, l4 + 20, &o));	/* TCP header cut */
	o = gso(l4, 31);					/* 130 segments */
	assert_false(net_offload_check(big, len, &o));
	o = gso(l4, 32);					/* 125 */
	assert_true(net_offload_check(big, len, &o));

	len = tcp4_frame(big, false, 20, 65535 - 40, TCP_ACK, &l4);
	o = gso(l4, 1460);
	assert_true(net_offload_check(big, len, &o));		/* the largest */
	assert_false(net_offload_check(big, NET_GSO_FRAME_MAX + 1, &o));

	len = tcp4_frame(big, false, 20, 3000, TCP_ACK, &l4);
	o = gso(l4, 1460);
	big[l4 - 20 + 6] = 0x20;				/* more fragments */
	assert_false(net_offload_check(big, len, &o));
	big[l4 - 20 + 6] = 0x40;
	big[l4 - 20 + 9] = 17;					/* UDP */
	assert_false(net_offload_check(big, len, &o));
	big[l4 - 20 + 9] = 6;
	big[l4 - 20] = 0x44;					/* IHL 4 */
	assert_false(net_offload_check(big, len, &o));
	big[l4 - 20] = 0x65;					/* version 6 */
	assert_false(net_offload_check(big, len, &o));
	big[l4 - 20] = 0x45;
	big[l4 + 12] = 0x40;					/* data offset 4 */
	assert_false(net_offload_check(big, len, &o));
	big[l4 + 12] = 0x50;
	big[12] = 0x86;						/* IPv6 ethertype */
	big[13] = 0xdd;
	assert_false(net_offload_check(big, len, &o));
}

static void check_segments(bool vlan, uint32_t payload, uint16_t mss)
{
	static uint8_t seg[ETH_FRAME_MAX];
	uint32_t l4;
	uint32_t len = tcp4_frame(big, vlan, 32, payload, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, &l4);
	struct net_offload o = gso(l4, mss);
	assert_true(net_offload_check(big, len, &o));
	unsigned n = net_segment_count(len, &o);
	assert_int_equal(n, (payload + mss - 1) / mss);
	uint32_t hdrs = l4 + 32, got = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t sl = net_segment(big, len, &o, i, seg);
		uint32_t chunk = i + 1 < n ? mss : payload - (n - 1) * mss;
		assert_int_equal(sl, hdrs + chunk);
		assert_true(sl <= ETH_FRAME_MAX);
		assert_memory_equal(seg, big, l4 - 20 + 2);		/* Ethernet, IP version to TOS */
		assert_int_equal(net_be16(seg + l4 - 20 + 4), 0x1234 + i);	/* identification */
		assert_checksums_ok(seg, sl, l4);
		uint8_t *tcp = seg + l4;
		uint32_t seq = (uint32_t)tcp[4] << 24 | tcp[5] << 16 | tcp[6] << 8 | tcp[7];
		assert_int_equal(seq, (uint32_t)(0xffffff00u + i * mss));
		uint8_t want = TCP_ACK | (i == 0 ? TCP_CWR : 0) |
			       (i + 1 == n ? TCP_PSH | TCP_FIN : 0);
		assert_int_equal(tcp[13], want);
		assert_memory_equal(seg + hdrs, big + hdrs + got, chunk);
		got += chunk;
	}
	assert_int_equal(got, payload);
}

static struct net_offload gso6(uint32_t l4, uint16_t mss)
{
	struct net_offload o = gso(l4, mss);
	o.gso_type = NET_GSO_TCPV6;
	return o;
}

static void test_ipv6(void **state)
{
	static uint8_t seg[ETH_FRAME_MAX];
	uint32_t l4;
	uint32_t len = tcp6_frame(big, 5000, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, &l4);
	struct net_offload o = gso6(l4, 1440);
	assert_true(net_offload_check(big, len, &o));
	assert_int_equal(o.hdr_len, l4 + 20);
	o = gso(l4, 1440);					/* typed TCPV4 */
	assert_false(net_offload_check(big, len, &o));
	unsigned n = net_segment_count(len, &o);
	o = gso6(l4, 1440);
	assert_true(net_offload_check(big, len, &o));
	n = net_segment_count(len, &o);
	assert_int_equal(n, 4);
	uint32_t got = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t sl = net_segment(big, len, &o, i, seg);
		uint32_t chunk = i + 1 < n ? 1440 : 5000 - 3 * 1440;
		assert_int_equal(sl, l4 + 20 + chunk);
		assert_memory_equal(seg, big, l4 - 40 + 4);		/* Ethernet, version to flow */
		assert_memory_equal(seg + l4 - 40 + 6, big + l4 - 40 + 6, 34);	/* next, hops, addresses */
		assert_checksums6_ok(seg, sl, l4);
		uint8_t *tcp = seg + l4;
		uint32_t seq = (uint32_t)tcp[4] << 24 | tcp[5] << 16 | tcp[6] << 8 | tcp[7];
		assert_int_equal(seq, (uint32_t)(0xfffff000u + i * 1440));
		assert_int_equal(tcp[13], TCP_ACK | (i == 0 ? TCP_CWR : 0) |
					  (i + 1 == n ? TCP_PSH | TCP_FIN : 0));
		assert_memory_equal(seg + l4 + 20, big + l4 + 20 + got, chunk);
		got += chunk;
	}
	assert_int_equal(got, 5000);

	len = tcp6_frame(big, 65535 - 20, TCP_ACK, &l4);	/* the largest */
	o = gso6(l4, 1440);
	assert_true(net_offload_check(big, len, &o));
	assert_true(len <= NET_GSO_FRAME_MAX);
	big[l4 - 40 + 6] = 0;					/* a hop-by-hop header */
	assert_false(net_offload_check(big, len, &o));
	big[l4 - 40 + 6] = 6;
	big[l4 - 40] = 0x40;					/* version 4 */
	assert_false(net_offload_check(big, len, &o));
	big[l4 - 40] = 0x60;
	assert_false(net_offload_check(big, l4 + 19, &o));	/* TCP header cut */

	struct net_offload c = { .needs_csum = true, .csum_start = (uint16_t)l4, .csum_offset = 16 };
	len = tcp6_frame(big, 700, TCP_ACK, &l4);
	assert_true(net_offload_check(big, len, &c));
	net_csum_complete(big, len, c.csum_start, c.csum_offset);
	assert_checksums6_ok(big, len, l4);
}

static void test_segmentation(void **state)
{
	check_segments(false, 4000, 1448);
	check_segments(true, 4000, 1448);
	check_segments(false, 1448, 1448);	/* one segment */
	check_segments(false, 65535 - 52, 1448);
	check_segments(false, 1449, 1448);	/* a last segment of 1 byte */
}

/* The switch: three ports; 1 takes TSO4, 2 takes checksums only, 3 none. */
static struct net_port port[4];
static unsigned got_frames[4];
static uint32_t got_len[4];
static bool got_off[4];
static uint8_t last[4][ETH_FRAME_MAX];

static bool rec(struct net_port *p, const struct net_port *from, const uint8_t *frame,
		uint32_t len, const struct net_offload *off)
{
	unsigned i = (unsigned)(p - port);
	got_frames[i]++;
	got_len[i] += len;
	got_off[i] = off != NULL;
	if (!off)
		memcpy(last[i], frame, len);
	return true;
}

static int setup(void **state)
{
	memset(port, 0, sizeof(port));
	memset(got_frames, 0, sizeof(got_frames));
	memset(got_len, 0, sizeof(got_len));
	for (unsigned i = 0; i < 4; i++) {
		memcpy(port[i].mac, "\x02\x79\x6b\x00\x00", 5);
		port[i].mac[5] = (uint8_t)(i + 1);
		port[i].deliver = rec;
		assert_null(net_port_attach(&port[i]));
	}
	port[1].rx_offload = NET_RX_CSUM | NET_RX_TSO4;
	port[2].rx_offload = NET_RX_CSUM;
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < 4; i++)
		net_port_detach(&port[i]);
	return 0;
}

/* The port's offload line, named `name`, is `want`. */
static void assert_offload_line(struct net_port *p, const char *name, const char *want)
{
	char line[192];
	strcpy(p->name, name);
	net_port_format_offload(p, line, sizeof(line));
	assert_string_equal(line, want);
}

static void test_switch_delivers_as_taken(void **state)
{
	uint32_t l4;
	uint32_t len = tcp4_frame(big, false, 20, 4000, TCP_ACK, &l4);
	memcpy(big, "\xff\xff\xff\xff\xff\xff", 6);	/* broadcast: to all three */
	struct net_offload o = gso(l4, 1460);
	net_switch_input(&port[0], big, len, &o);
	assert_int_equal(got_frames[1], 1);			/* as is */
	assert_true(got_off[1]);
	assert_int_equal(got_len[1], len);
	assert_int_equal(got_frames[2], 3);			/* segmented */
	assert_int_equal(got_frames[3], 3);
	assert_false(got_off[3]);
	assert_int_equal(got_len[3], len + 2 * (l4 + 20));
	assert_checksums_ok(last[3], len - 2 * 1460, l4);
	assert_int_equal(port[0].stats.in_gso, 1);
	assert_int_equal(port[1].stats.out_gso, 1);
	assert_int_equal(port[3].stats.out_segmented, 1);
	assert_int_equal(port[3].stats.out_frames, 3);

	len = tcp4_frame(big, false, 20, 500, TCP_ACK, &l4);
	memcpy(big, "\xff\xff\xff\xff\xff\xff", 6);
	struct net_offload c = { .needs_csum = true, .csum_start = (uint16_t)l4, .csum_offset = 16 };
	net_switch_input(&port[0], big, len, &c);
	assert_true(got_off[2]);				/* takes partial checksums */
	assert_false(got_off[3]);
	assert_checksums_ok(last[3], len, l4);			/* completed for it */
	assert_int_equal(port[3].stats.out_completed, 1);
	assert_int_equal(port[2].stats.out_csum, 1);
	assert_int_equal(port[0].stats.in_csum, 1);

	o = gso(l4, 0);						/* inconsistent: dropped */
	net_switch_input(&port[0], big, len, &o);
	assert_int_equal(port[0].stats.drop_malformed, 1);

	assert_offload_line(&port[3], "nc", "nc offload: in 0 gso 0 csum, out 0 gso 0 csum; "
			    "1 segmented 1 completed for it; IPv6 gso in 0 out 0");
}

/* A TCP/IPv6 GSO frame: as is to a port that takes TSO6, segmented for
 * one that takes TSO4 only and for one that takes nothing. */
static void test_switch_tso6(void **state)
{
	port[2].rx_offload = NET_RX_CSUM | NET_RX_TSO6;
	uint32_t l4;
	uint32_t len = tcp6_frame(big, 3000, TCP_ACK, &l4);
	memcpy(big, "\xff\xff\xff\xff\xff\xff", 6);
	struct net_offload o = gso6(l4, 1440);
	net_switch_input(&port[0], big, len, &o);
	assert_int_equal(got_frames[2], 1);
	assert_true(got_off[2]);
	assert_int_equal(port[2].stats.out_gso6, 1);
	assert_int_equal(got_frames[1], 3);			/* TSO4 only: segmented */
	assert_false(got_off[1]);
	assert_checksums6_ok(last[1], len - 2 * 1440, l4);
	assert_int_equal(got_frames[3], 3);
	assert_int_equal(port[0].stats.in_gso, 1);
	assert_int_equal(port[0].stats.in_gso6, 1);
	assert_offload_line(&port[0], "na", "na offload: in 1 gso 0 csum, out 0 gso 0 csum; "
			    "0 segmented 0 completed for it; IPv6 gso in 1 out 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_complete_partial),
		cmocka_unit_test(test_check_rules),
		cmocka_unit_test(test_segmentation),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test_setup_teardown(test_switch_delivers_as_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_tso6, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
