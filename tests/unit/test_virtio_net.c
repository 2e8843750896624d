/*
 * tests/unit/test_virtio_net.c - devices/virtio/virtio_net*.c over the
 * switch (net/): two devices, A and B, with their queues in a fake RAM
 * each and a fake transport (virtio_used, virtio_needs_reset recorded).
 * The test plays both drivers: descriptors, available rings and frames as
 * bytes, a notify, then the used rings, the bytes written and the
 * counters are checked (virtio 1.1, 5.1.6).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "devices/virtio/virtio_net.h"
#include "lib/log.h"
#include "tests/unit/fake_platform.h"
#include "tests/fakes/flat_ram.h"
#include "tests/fakes/vnet_side.h"
#include "tests/fakes/idle_poll.h"

#define SPACE 0x10000ull
#define QSIZE 8
/* receiveq1 at 0x0000 (table), 0x0100 (avail), 0x0200 (used);
 * transmitq1 at 0x1000, 0x1100, 0x1200; buffers from 0x4000. */
#define QBASE(q) ((uint64_t)(q) * 0x1000)

struct side {
	uint8_t ram[SPACE];
	struct flat_ram guest;            /* over ram; the queues keep a pointer */
	struct vnet vn;
	struct vnet *ptr;
	struct virtio_dev vd;
	unsigned used_calls[2];
	unsigned resets;
	unsigned config_changes;
	uint16_t avail_idx[2];
	uint16_t next_desc[2];
};
static struct side S[2];
#define A (&S[0])
#define B (&S[1])

void log_msg(enum log_level level, const char *fmt, ...) { }
uint64_t device_lock(struct device *d) { return 0; }
void device_unlock(struct device *d, uint64_t f) { }
bool device_trylock(struct device *d, uint64_t *f) { *f = 0; return true; }
void virtio_used(struct virtio_dev *vd, unsigned q)
{
	assert_true(q < 2);
	(vd == &A->vd ? A : B)->used_calls[q]++;
}
void virtio_config_changed(struct virtio_dev *vd)
{
	(vd == &A->vd ? A : B)->config_changes++;
}
void virtio_needs_reset(struct virtio_dev *vd, const char *why)
{
	(vd == &A->vd ? A : B)->resets++;
}

static void put16(struct side *s, uint64_t gpa, uint16_t v) { memcpy(s->ram + gpa, &v, 2); }
static uint16_t get16(struct side *s, uint64_t gpa) { uint16_t v; memcpy(&v, s->ram + gpa, 2); return v; }
static uint32_t get32(struct side *s, uint64_t gpa) { uint32_t v; memcpy(&v, s->ram + gpa, 4); return v; }

static void desc(struct side *s, unsigned q, unsigned i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t *d = s->ram + QBASE(q) + 16 * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Offers the chain starting at descriptor head on queue q. */
static void offer(struct side *s, unsigned q, uint16_t head)
{
	put16(s, QBASE(q) + 0x100 + 4 + 2 * (s->avail_idx[q] % QSIZE), head);
	put16(s, QBASE(q) + 0x100 + 2, ++s->avail_idx[q]);
}

static uint16_t used_idx(struct side *s, unsigned q) { return get16(s, QBASE(q) + 0x202); }
static uint32_t used_len(struct side *s, unsigned q, unsigned k)
{
	return get32(s, QBASE(q) + 0x204 + 8 * (k % QSIZE) + 4);
}

static void setup_side_features(struct side *s, unsigned i, bool mrg, uint64_t more)
{
	memset(s, 0, sizeof(*s));
	s->guest = (struct flat_ram){ s->ram, SPACE };
	const uint8_t mac[6] = { 0x02, 0x79, 0x6b, 0, 0, (uint8_t)(0xa + i) };
	struct vnet_side side = {
		.vd = &s->vd, .vn = &s->vn, .ptr = &s->ptr, .guest = &s->guest, .mac = mac,
		.deliver = vnet_deliver,
		.features = more | (mrg ? 1ull << VIRTIO_NET_F_MRG_RXBUF : 0),
		.queue_size = QSIZE,
	};
	for (unsigned q = 0; q < 2; q++)
		side.queue[q] = (struct vq_layout){ QBASE(q), QBASE(q) + 0x100, QBASE(q) + 0x200 };
	assert_true(vnet_side_up(&side));
}

static void setup_side(struct side *s, unsigned i, bool mrg)
{
	setup_side_features(s, i, mrg, 0);
}

#define TX_OFFLOAD4 (1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_HOST_TSO4)
#define RX_OFFLOAD4 (1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_GUEST_TSO4)
#define TX_OFFLOAD (TX_OFFLOAD4 | 1ull << VIRTIO_NET_F_HOST_TSO6)
#define RX_OFFLOAD (RX_OFFLOAD4 | 1ull << VIRTIO_NET_F_GUEST_TSO6)

/* A with CSUM, HOST_TSO4 and HOST_TSO6; B with GUEST_CSUM, GUEST_TSO4,
 * GUEST_TSO6, MRG_RXBUF. */
static int setup_offload(void **state)
{
	fake_platform_reset();
	fake_idle_poll_reset();
	setup_side_features(A, 0, false, TX_OFFLOAD);
	setup_side_features(B, 1, true, RX_OFFLOAD);
	return 0;
}

/* A with CSUM, HOST_TSO4 and HOST_TSO6; B with nothing. */
/* Both without the TSO6 bits. */
static int setup_offload_tso4(void **state)
{
	fake_platform_reset();
	fake_idle_poll_reset();
	setup_side_features(A, 0, false, TX_OFFLOAD4);
	setup_side_features(B, 1, true, RX_OFFLOAD4);
	return 0;
}

static int setup_offload_plain(void **state)
{
	fake_platform_reset();
	fake_idle_poll_reset();
	setup_side_features(A, 0, false, TX_OFFLOAD);
	setup_side(B, 1, false);
	return 0;
}

static int setup(void **state)
{
	fake_platform_reset();
	fake_idle_poll_reset();
	setup_side(A, 0, false);
	setup_side(B, 1, false);
	return 0;
}

static int setup_mrg(void **state)
{
	fake_platform_reset();
	fake_idle_poll_reset();
	setup_side(A, 0, false);
	setup_side(B, 1, true);
	return 0;
}

static int teardown(void **state)
{
	net_port_detach(&A->vn.port);
	net_port_detach(&B->vn.port);
	return 0;
}

/* A sends: header (flags, gso) + a frame of len bytes to dst, from src,
 * in one descriptor at 0x4000 + 0x800 * slot; then notifies. */
/* A frame in transmitq1, without a notification. */
static void stage(struct side *s, unsigned slot, const uint8_t *dst, const uint8_t *src,
		  uint32_t len, uint8_t flags, uint8_t gso)
{
	uint64_t at = 0x4000 + 0x800ull * slot;
	uint8_t *p = s->ram + at;
	memset(p, 0, VNET_HDR_LEN);
	p[0] = flags;
	p[1] = gso;
	for (uint32_t k = 0; k < len; k++)
		p[VNET_HDR_LEN + k] = (uint8_t)(k * 7 + 3);
	if (len >= 12) {
		memcpy(p + VNET_HDR_LEN, dst, 6);
		memcpy(p + VNET_HDR_LEN + 6, src, 6);
	}
	desc(s, 1, slot, at, VNET_HDR_LEN + len, 0, 0);
	offer(s, 1, (uint16_t)slot);
}

static void transmit(struct side *s, unsigned slot, const uint8_t *dst, const uint8_t *src,
		     uint32_t len, uint8_t flags, uint8_t gso)
{
	stage(s, slot, dst, src, len, flags, gso);
	virtio_net_type.notify(&s->vd, VNET_TXQ);
}

/* A receive buffer of len bytes at 0xa000 + 0x800 * slot. */
static void rx_buffer(struct side *s, unsigned slot, uint32_t len)
{
	desc(s, 0, slot, 0xa000 + 0x800ull * slot, len, VIRTQ_DESC_F_WRITE, 0);
	offer(s, 0, (uint16_t)slot);
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void check_frame(struct side *s, uint64_t at, uint32_t len, uint32_t from)
{
	for (uint32_t k = from < 12 ? 12 : from; k < len; k++)
		assert_int_equal(s->ram[at + k - from], (uint8_t)(k * 7 + 3));
}

static void test_a_frame_from_a_to_b(void **state)
{
	rx_buffer(B, 0, 2048);
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 100, 0, 0);
	assert_int_equal(used_idx(A, 1), 1);          /* the chain went back */
	assert_int_equal(A->used_calls[1], 1);
	assert_int_equal(B->vn.count, 1);             /* in B's backlog, B kicked */
	assert_true(B->vn.kick.armed);
	fake_advance(0);                            /* the kick drains it */
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(used_idx(B, 0), 1);
	assert_int_equal(used_len(B, 0, 0), VNET_HDR_LEN + 100);
	assert_int_equal(B->used_calls[0], 1);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_NUM_BUFFERS), 1);   /* 5.1.6.4.1 */
	assert_int_equal(B->ram[0xa000], 0);                           /* flags */
	assert_memory_equal(B->ram + 0xa000 + VNET_HDR_LEN, B->vn.port.mac, 6);
	assert_memory_equal(B->ram + 0xa000 + VNET_HDR_LEN + 6, A->vn.port.mac, 6);
	check_frame(B, 0xa000 + VNET_HDR_LEN, 100, 0);
	assert_int_equal(A->vn.port.stats.in_frames, 1);
	assert_int_equal(B->vn.port.stats.out_frames, 1);
}

/* Transmit polling (virtio_net_tx_poll.c). With no CPU idle a
 * notification leaves notifications on. With one, they go off and the
 * chains are taken by the idle CPU, at the VM's exits, or by the timer
 * when neither comes; quiet for VNET_TX_POLL_NS, or with no CPU idle any
 * more, they are back on. A reset ends polling. */
static void test_tx_polling(void **state)
{
	const uint8_t *to = B->vn.port.mac, *from = A->vn.port.mac;
	uint64_t flags = QBASE(1) + 0x200;
	for (unsigned k = 0; k < 8; k++)
		rx_buffer(B, k, 2048);
	transmit(A, 0, to, from, 100, 0, 0);		/* no CPU idle */
	assert_int_equal(used_idx(A, 1), 1);
	assert_false(A->vn.tx_poll.wanted);
	assert_int_equal(get16(A, flags), 0);
	assert_false(A->vn.tx_timer.armed);
	fake_idle_cpu = true;
	transmit(A, 1, to, from, 100, 0, 0);
	assert_int_equal(used_idx(A, 1), 2);
	assert_true(A->vn.tx_poll.wanted);
	assert_int_equal(fake_idle_wakes, 1);
	assert_int_equal(get16(A, flags), VIRTQ_USED_F_NO_NOTIFY);
	assert_true(A->vn.tx_timer.armed);
	stage(A, 2, to, from, 100, 0, 0);
	fake_idle_cpu_round();				/* the idle CPU */
	assert_int_equal(used_idx(A, 1), 3);
	assert_int_equal(A->vn.tx_polled[VNET_TX_BY_IDLE_CPU], 1);
	fake_idle_cpu_round();				/* nothing new */
	assert_int_equal(A->vn.tx_polled[VNET_TX_BY_IDLE_CPU], 1);
	stage(A, 3, to, from, 100, 0, 0);
	vnet_tx_exit_poll(&A->vn);			/* an exit of A's */
	assert_int_equal(used_idx(A, 1), 4);
	assert_int_equal(A->vn.tx_polled[VNET_TX_BY_EXIT], 1);
	stage(A, 4, to, from, 100, 0, 0);
	fake_advance(VNET_TX_POLL_NS);			/* neither: the timer */
	assert_int_equal(used_idx(A, 1), 5);
	assert_int_equal(A->vn.tx_polled[VNET_TX_BY_TIMER], 1);
	assert_true(A->vn.tx_poll.wanted);
	fake_advance(VNET_TX_POLL_NS);			/* quiet: notifications on */
	assert_false(A->vn.tx_poll.wanted);
	assert_false(A->vn.tx_timer.armed);
	assert_int_equal(get16(A, flags), 0);
	assert_int_equal(A->vn.notified[VNET_TXQ], 2);
	assert_int_equal(B->vn.port.stats.out_frames, 5);
	/* off: neither the idle CPU nor an exit takes chains */
	stage(A, 5, to, from, 100, 0, 0);
	fake_idle_cpu_round();
	vnet_tx_exit_poll(&A->vn);
	assert_int_equal(used_idx(A, 1), 5);
	virtio_net_type.notify(&A->vd, VNET_TXQ);
	assert_int_equal(used_idx(A, 1), 6);
	assert_true(A->vn.tx_poll.wanted);
	/* the CPU is busy now: the next exit takes what came and turns
	 * notifications on */
	fake_idle_cpu = false;
	stage(A, 6, to, from, 100, 0, 0);
	vnet_tx_exit_poll(&A->vn);
	assert_int_equal(used_idx(A, 1), 7);
	assert_false(A->vn.tx_poll.wanted);
	assert_int_equal(get16(A, flags), 0);
	assert_false(A->vn.tx_timer.armed);
	fake_idle_cpu = true;
	virtio_net_type.notify(&A->vd, VNET_TXQ);
	assert_true(A->vn.tx_poll.wanted);
	virtio_net_type.reset(&A->vd);
	assert_false(A->vn.tx_poll.wanted);
	assert_false(A->vn.tx_timer.armed);
	assert_int_equal(B->vn.port.stats.out_frames, 7);
}

static void test_malformed_dropped_chain_returned(void **state)
{
	rx_buffer(B, 0, 2048);
	transmit(A, 0, BCAST, A->vn.port.mac, 60, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
	transmit(A, 1, BCAST, A->vn.port.mac, 60, 0, 1);              /* GSO_TCPV4 */
	transmit(A, 2, BCAST, A->vn.port.mac, 0, 0, 0);               /* empty */
	transmit(A, 3, BCAST, A->vn.port.mac, ETH_HLEN - 1, 0, 0);    /* short */
	transmit(A, 4, BCAST, A->vn.port.mac, ETH_FRAME_MAX + 1, 0, 0); /* oversized */
	assert_int_equal(used_idx(A, 1), 5);
	assert_int_equal(A->vn.port.stats.drop_malformed, 5);
	assert_int_equal(A->vn.port.stats.in_frames, 0);
	assert_int_equal(B->vn.count, 0);
	transmit(A, 5, BCAST, A->vn.port.mac, ETH_FRAME_MAX, 0, 0);   /* the largest */
	assert_int_equal(A->vn.port.stats.in_frames, 1);
	assert_int_equal(A->resets, 0);
}

static void test_spoofed_source(void **state)
{
	transmit(A, 0, BCAST, B->vn.port.mac, 60, 0, 0);
	assert_int_equal(A->vn.port.stats.drop_spoofed, 1);
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(used_idx(A, 1), 1);
}

static void test_waits_for_buffers(void **state)
{
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 80, 0, 0);
	fake_advance(0);
	assert_int_equal(B->vn.count, 1);             /* no buffer yet: kept */
	assert_int_equal(used_idx(B, 0), 0);
	rx_buffer(B, 0, 2048);
	virtio_net_type.notify(&B->vd, VNET_RXQ);     /* the driver added one */
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(used_len(B, 0, 0), VNET_HDR_LEN + 80);
}

static void test_mergeable_buffers(void **state)
{
	for (unsigned k = 0; k < 4; k++)
		rx_buffer(B, k, 600);
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 1500, 0, 0);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 3);          /* 12 + 1500 in 600-byte buffers */
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_NUM_BUFFERS), 3);
	assert_int_equal(used_len(B, 0, 0), 600);
	assert_int_equal(used_len(B, 0, 1), 600);
	assert_int_equal(used_len(B, 0, 2), VNET_HDR_LEN + 1500 - 1200);
	check_frame(B, 0xa000 + VNET_HDR_LEN, 588, 0);
	check_frame(B, 0xa800, 1188, 588);
	check_frame(B, 0xb000, 1500, 1188);
}

static void test_too_small_without_mrg(void **state)
{
	rx_buffer(B, 0, 600);
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 1500, 0, 0);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 1);          /* returned empty */
	assert_int_equal(used_len(B, 0, 0), 0);
	assert_int_equal(B->vn.port.stats.drop_no_room, 1);
	assert_int_equal(B->vn.count, 0);
}

/* A sends a TCP GSO frame of len bytes to B, with NEEDS_CSUM at the TCP
 * checksum: over IPv4 (54 bytes of headers, GSO type TCPV4, gso_size
 * 1448) or IPv6 (74, TCPV6, 1440: a 1500-byte MTU's MSS). */
static void transmit_gso_ip(uint32_t len, bool v6)
{
	uint8_t *p = A->ram + 0x4000;
	uint8_t l4 = v6 ? 54 : 34;
	uint16_t mss = v6 ? 1440 : 1448;
	const uint8_t hdr[VNET_HDR_LEN] = { 1, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
					    (uint8_t)(l4 + 20), 0, (uint8_t)mss, (uint8_t)(mss >> 8),
					    l4, 0, 16, 0 };
	memcpy(p, hdr, VNET_HDR_LEN);
	uint8_t *f = p + VNET_HDR_LEN;
	for (uint32_t k = 0; k < len; k++)
		f[k] = (uint8_t)(k * 7 + 3);
	memcpy(f, B->vn.port.mac, 6);
	memcpy(f + 6, A->vn.port.mac, 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0;
	memset(f + 14, 0, l4 + 20 - 14);
	f[14] = v6 ? 0x60 : 0x45;
	f[14 + (v6 ? 6 : 9)] = 6;		/* TCP */
	f[l4 + 12] = 0x50;
	desc(A, 1, 0, 0x4000, VNET_HDR_LEN + len, 0, 0);
	offer(A, 1, 0);
	virtio_net_type.notify(&A->vd, VNET_TXQ);
}

static void transmit_gso(uint32_t len)
{
	transmit_gso_ip(len, false);
}

/* Over IPv6 with HOST_TSO6 and GUEST_TSO6: as is, GSO type TCPV6 in B's
 * header (5.1.6.4.1); without them, A's frame is refused. */
static void test_gso6_as_is(void **state)
{
	for (unsigned k = 0; k < 3; k++)
		rx_buffer(B, k, 2048);
	transmit_gso_ip(5000, true);
	assert_int_equal(A->vn.port.stats.in_gso6, 1);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 3);
	const uint8_t *h = B->ram + 0xa000;
	assert_int_equal(h[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h[1], VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_HDR_LEN), 74);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_GSO_SIZE), 1440);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_CSUM_START), 54);
	assert_int_equal(B->vn.port.stats.out_gso6, 1);
}

static void test_gso6_not_negotiated(void **state)
{
	transmit_gso_ip(5000, true);
	assert_int_equal(A->vn.port.stats.drop_malformed, 1);
	assert_int_equal(A->vn.port.stats.in_gso, 0);
	transmit_gso_ip(5000, false);			/* TSO4 still is */
	assert_int_equal(A->vn.port.stats.in_gso, 1);
}

static void test_gso_as_is_over_held_buffers(void **state)
{
	rx_buffer(B, 0, 2048);
	rx_buffer(B, 1, 2048);
	transmit_gso(5000);
	assert_int_equal(A->vn.port.stats.in_gso, 1);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 0);          /* 2 buffers cannot hold it: held */
	assert_int_equal(B->vn.held, 2);
	assert_int_equal(B->vn.count, 1);
	rx_buffer(B, 2, 2048);
	virtio_net_type.notify(&B->vd, VNET_RXQ);
	assert_int_equal(used_idx(B, 0), 3);
	assert_int_equal(B->vn.held, 0);
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(used_len(B, 0, 0), 2048);
	assert_int_equal(used_len(B, 0, 2), VNET_HDR_LEN + 5000 - 4096);
	const uint8_t *h = B->ram + 0xa000;           /* 5.1.6.4.1 */
	assert_int_equal(h[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h[1], VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_HDR_LEN), 54);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_GSO_SIZE), 1448);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_CSUM_START), 34);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_CSUM_OFFSET), 16);
	assert_int_equal(get16(B, 0xa000 + VNET_HDR_NUM_BUFFERS), 3);
	check_frame(B, 0xa000 + VNET_HDR_LEN + 54, 2036, 54);
	check_frame(B, 0xb000, 5000, 4084);
	assert_int_equal(B->vn.port.stats.out_gso, 1);
}

static void test_gso_segmented_for_plain(void **state)
{
	for (unsigned k = 0; k < 4; k++)
		rx_buffer(B, k, 2048);
	transmit_gso(5000);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 4);          /* 4946 bytes of payload: 4 segments */
	for (unsigned k = 0; k < 3; k++)
		assert_int_equal(used_len(B, 0, k), VNET_HDR_LEN + 54 + 1448);
	assert_int_equal(used_len(B, 0, 3), VNET_HDR_LEN + 54 + 4946 - 3 * 1448);
	for (unsigned k = 0; k < 4; k++) {
		const uint8_t *h = B->ram + 0xa000 + 0x800 * k;
		assert_int_equal(h[0] | h[1], 0);          /* whole checksums, no GSO */
	}
	assert_int_equal(B->vn.port.stats.out_segmented, 1);
	assert_int_equal(B->vn.port.stats.out_frames, 4);
}

static void test_offload_not_negotiated_malformed(void **state)
{
	/* B did not negotiate CSUM or HOST_TSO4: its GSO frame is dropped. */
	uint8_t *p = B->ram + 0x4000;
	memset(p, 0, VNET_HDR_LEN + 100);
	p[0] = 1;
	p[1] = 1;
	desc(B, 1, 0, 0x4000, VNET_HDR_LEN + 100, 0, 0);
	offer(B, 1, 0);
	virtio_net_type.notify(&B->vd, VNET_TXQ);
	assert_int_equal(B->vn.port.stats.drop_malformed, 1);
	/* A did; a GSO frame whose gso_size is 0 is dropped all the same. */
	transmit_gso(5000);
	assert_int_equal(A->vn.port.stats.in_gso, 1);
	A->ram[0x4000 + 4] = A->ram[0x4000 + 5] = 0;
	offer(A, 1, 0);
	virtio_net_type.notify(&A->vd, VNET_TXQ);
	assert_int_equal(A->vn.port.stats.drop_malformed, 1);
}

static void test_backlog_share(void **state)
{
	/* No receive buffers at B: A can fill half the backlog, no more. */
	for (unsigned k = 0; k < VNET_SRC_SHARE + 5; k++) {
		transmit(A, k % QSIZE, B->vn.port.mac, A->vn.port.mac, 60, 0, 0);
	}
	assert_int_equal(B->vn.count, VNET_SRC_SHARE);
	assert_int_equal(B->vn.port.stats.drop_no_room, 5);
	assert_int_equal(A->vn.port.stats.in_frames, VNET_SRC_SHARE + 5);
}

static void test_not_ready_and_stop(void **state)
{
	virtio_net_type.reset(&B->vd);
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 60, 0, 0);
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(B->vn.port.stats.drop_no_room, 1);
	virtio_net_type.driver_ok(&B->vd);
	transmit(A, 1, B->vn.port.mac, A->vn.port.mac, 60, 0, 0);
	assert_int_equal(B->vn.count, 1);
	virtio_net_type.stop(&B->vd);
	assert_false(B->vn.port.attached);
	assert_false(B->vn.kick.armed);
	assert_int_equal(B->vn.count, 0);
	transmit(A, 2, B->vn.port.mac, A->vn.port.mac, 60, 0, 0);   /* flooded to nobody */
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(B->vn.port.stats.out_frames, 1);
}

/* A driver may make receiveq1 as small as 1: each frame still gets in,
 * one per round, and the kick never spins while no buffer is there. */
static void test_queue_of_one(void **state)
{
	struct virtq *vq = &B->vd.vq[VNET_RXQ];
	struct virtq_mem m = vq->mem;
	virtq_reset(vq);
	vq->size = 1;
	vq->desc = QBASE(0);
	vq->avail = QBASE(0) + 0x100;
	vq->used = QBASE(0) + 0x200;
	assert_true(virtq_enable(vq, &m, B->vd.driver_features));
	for (unsigned k = 0; k < 3; k++)
		transmit(A, k, B->vn.port.mac, A->vn.port.mac, 60, 0, 0);
	assert_int_equal(B->vn.count, 3);
	fake_advance(VNET_TX_POLL_NS);	/* A's transmit polling ends */
	assert_int_equal(fake_armed_timers(), 0);
	for (unsigned k = 0; k < 3; k++) {
		desc(B, 0, 0, 0xa000, 2048, VIRTQ_DESC_F_WRITE, 0);
		put16(B, QBASE(0) + 0x104, 0);
		put16(B, QBASE(0) + 0x102, (uint16_t)(k + 1));
		virtio_net_type.notify(&B->vd, VNET_RXQ);
		assert_int_equal(used_idx(B, 0), k + 1);
		fake_advance(0);
	}
	assert_int_equal(B->vn.count, 0);
	assert_int_equal(fake_armed_timers(), 0);
}

static void test_config_space(void **state)
{
	for (unsigned k = 0; k < 6; k++)
		assert_int_equal(virtio_net_type.config_read(&A->vd, k, 1), A->vn.port.mac[k]);
	assert_int_equal(virtio_net_type.config_read(&A->vd, VIRTIO_NET_CFG_STATUS, 2),
			 VIRTIO_NET_S_LINK_UP);
	virtio_net_type.config_write(&A->vd, 0, 4, 0);
	assert_int_equal(virtio_net_type.config_read(&A->vd, 0, 1), A->vn.port.mac[0]);
}

/* The link down (the monitor's `link`): status reads 0 after one
 * configuration change, frames neither way; up again: both back. */
static void test_link_down_and_up(void **state)
{
	assert_true(vnet_set_link(&B->vn, false));
	assert_false(vnet_set_link(&B->vn, false));
	assert_int_equal(B->config_changes, 1);
	assert_int_equal(virtio_net_type.config_read(&B->vd, VIRTIO_NET_CFG_STATUS, 2), 0);
	rx_buffer(B, 0, 2048);
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 100, 0, 0);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 0);
	assert_int_equal(B->vn.port.stats.drop_link_down, 1);
	assert_true(vnet_set_link(&B->vn, true));
	assert_int_equal(B->config_changes, 2);
	assert_int_equal(virtio_net_type.config_read(&B->vd, VIRTIO_NET_CFG_STATUS, 2),
			 VIRTIO_NET_S_LINK_UP);
	transmit(A, 0, B->vn.port.mac, A->vn.port.mac, 100, 0, 0);
	fake_advance(0);
	assert_int_equal(used_idx(B, 0), 1);
	check_frame(B, 0xa000 + VNET_HDR_LEN, 100, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_frame_from_a_to_b, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_polling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_dropped_chain_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_for_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mergeable_buffers, setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_too_small_without_mrg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gso_as_is_over_held_buffers, setup_offload, teardown),
		cmocka_unit_test_setup_teardown(test_gso_segmented_for_plain, setup_offload_plain, teardown),
		cmocka_unit_test_setup_teardown(test_gso6_as_is, setup_offload, teardown),
		cmocka_unit_test_setup_teardown(test_gso6_not_negotiated, setup_offload_tso4, teardown),
		cmocka_unit_test_setup_teardown(test_offload_not_negotiated_malformed, setup_offload_plain,
						teardown),
		cmocka_unit_test_setup_teardown(test_backlog_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ready_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_of_one, setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_down_and_up, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
