/*
 * tests/unit/test_nic.c - the pure parts of the host NIC drivers: the
 * checks of what a card writes back (drivers/net/nic_ring.c), the split
 * virtqueue from the driver's side (drivers/net/virtio_ring.c, virtio 1.1,
 * 2.6) with a device played here, and the self-test's frames
 * (drivers/net/probe_frames.c): a DISCOVER built, an OFFER and an ARP
 * reply parsed, and broken ones refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "drivers/net/nic_ring.h"
#include "drivers/net/virtio_ring.h"
#include "drivers/net/probe_frames.h"

static void test_used_count(void **state)
{
	assert_int_equal(nic_virtq_new_used(0, 0, 64), 0);
	assert_int_equal(nic_virtq_new_used(5, 2, 64), 3);
	assert_int_equal(nic_virtq_new_used(2, 65534, 64), 4);	/* the counters wrap */
	assert_int_equal(nic_virtq_new_used(64, 0, 64), 64);
	assert_int_equal(nic_virtq_new_used(65, 0, 64), -1);	/* more than the queue */
	assert_int_equal(nic_virtq_new_used(0, 1, 64), -1);	/* backwards */
}

static void test_virtio_rx_len(void **state)
{
	assert_int_equal(nic_virtio_rx_len(12 + 60, 12, 2048, 1514), 60);
	assert_int_equal(nic_virtio_rx_len(12 + 14, 12, 2048, 1514), 14);
	assert_int_equal(nic_virtio_rx_len(12 + 13, 12, 2048, 1514), 0);	/* no Ethernet header */
	assert_int_equal(nic_virtio_rx_len(0, 12, 2048, 1514), 0);
	assert_int_equal(nic_virtio_rx_len(12 + 1514, 12, 2048, 1514), 1514);
	assert_int_equal(nic_virtio_rx_len(12 + 1515, 12, 2048, 1514), 0);	/* too long a frame */
	assert_int_equal(nic_virtio_rx_len(2049, 12, 2048, 4096), 0);	/* past the buffer */
	assert_int_equal(nic_virtio_rx_len(0xffffffffu, 12, 2048, 1514), 0);
}

static void test_e1000_rx_len(void **state)
{
	const uint8_t ok = E1000_RXD_STA_DD | E1000_RXD_STA_EOP;
	assert_int_equal(nic_e1000_rx_len(ok, 0, 60, 2048, 1514), 60);
	assert_int_equal(nic_e1000_rx_len(E1000_RXD_STA_DD, 0, 60, 2048, 1514), 0);	/* no EOP */
	assert_int_equal(nic_e1000_rx_len(E1000_RXD_STA_EOP, 0, 60, 2048, 1514), 0);	/* no DD */
	assert_int_equal(nic_e1000_rx_len(ok, 0x01, 60, 2048, 1514), 0);	/* an error bit */
	assert_int_equal(nic_e1000_rx_len(ok, 0, 0, 2048, 1514), 0);
	assert_int_equal(nic_e1000_rx_len(ok, 0, 13, 2048, 1514), 0);
	assert_int_equal(nic_e1000_rx_len(ok, 0, 1514, 2048, 1514), 1514);
	assert_int_equal(nic_e1000_rx_len(ok, 0, 1515, 2048, 1514), 0);
	assert_int_equal(nic_e1000_rx_len(ok, 0, 0xffff, 2048, 0xffff), 0);	/* past the buffer */
}

static void test_ring_next(void **state)
{
	assert_int_equal(nic_ring_next(0, 64), 1);
	assert_int_equal(nic_ring_next(63, 64), 0);
}

/* A queue with host memory; the test plays the device. */
struct fixture {
	struct vring q;
	void *page;
	uint8_t *bufs;
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->page = aligned_alloc(4096, 4096);
	f->bufs = malloc(VRING_SIZE * VRING_BUF);
	vring_init(&f->q, f->page, f->bufs, 0x100000);
	return f;
}

static void fixture_free(struct fixture *f)
{
	free(f->page);
	free(f->bufs);
	free(f);
}

static void device_uses(struct fixture *f, uint32_t id, uint32_t len)
{
	uint16_t i = f->q.used->idx;
	f->q.used->ring[i % VRING_SIZE].id = id;
	f->q.used->ring[i % VRING_SIZE].len = len;
	f->q.used->idx = (uint16_t)(i + 1);
}

static void test_vring_offer_and_take(void **state)
{
	struct fixture *f = fixture_new();
	struct vring *q = &f->q;
	assert_int_equal(q->nfree, VRING_SIZE);
	uint16_t id = q->free[--q->nfree];
	assert_int_equal(id, 0);
	vring_offer(q, id, 100, VRING_DESC_F_WRITE);
	assert_int_equal(q->avail->idx, 1);
	assert_int_equal(q->avail->ring[0], 0);
	assert_int_equal(q->desc[0].addr, 0x100000);
	assert_int_equal(q->desc[0].len, 100);
	assert_int_equal(q->desc[0].flags, VRING_DESC_F_WRITE);
	uint32_t len;
	assert_false(vring_take_used(q, &id, &len));	/* nothing used yet */
	/* The device changes the descriptor's address: rewritten on reuse. */
	q->desc[0].addr = 0xdead0000;
	device_uses(f, 0, 77);
	assert_true(vring_take_used(q, &id, &len));
	assert_int_equal(id, 0);
	assert_int_equal(len, 77);
	vring_offer(q, id, 100, 0);
	assert_int_equal(q->desc[0].addr, 0x100000);
	assert_false(q->broken);
	fixture_free(f);
}

static void test_vring_chain(void **state)
{
	struct fixture *f = fixture_new();
	struct vring *q = &f->q;
	vring_offer_chain(q, 0, 3, 1, 1);
	assert_int_equal(q->avail->idx, 1);
	assert_int_equal(q->avail->ring[0], 0);			/* the head only */
	assert_int_equal(q->desc[0].flags, VRING_DESC_F_NEXT);
	assert_int_equal(q->desc[0].next, 1);
	assert_int_equal(q->desc[0].len, 3);
	assert_int_equal(q->desc[1].flags, VRING_DESC_F_WRITE);
	assert_int_equal(q->desc[1].addr, 0x100000 + VRING_BUF);
	uint16_t id;
	uint32_t len;
	device_uses(f, 1, 1);		/* the tail is not what was offered */
	assert_false(vring_take_used(q, &id, &len));
	assert_true(q->broken);
	fixture_free(f);

	f = fixture_new();
	vring_offer_chain(&f->q, 0, 3, 1, 1);
	device_uses(f, 0, 1);
	assert_true(vring_take_used(&f->q, &id, &len));
	assert_int_equal(id, 0);
	fixture_free(f);
}

static void test_vring_device_lies(void **state)
{
	struct fixture *f = fixture_new();
	uint16_t id;
	uint32_t len;
	/* An id the driver never gave. */
	vring_offer(&f->q, 3, 10, 0);
	device_uses(f, 4, 10);
	assert_false(vring_take_used(&f->q, &id, &len));
	assert_true(f->q.broken);
	fixture_free(f);

	f = fixture_new();
	vring_offer(&f->q, 3, 10, 0);
	device_uses(f, VRING_SIZE, 10);		/* out of the table */
	assert_false(vring_take_used(&f->q, &id, &len));
	assert_true(f->q.broken);
	fixture_free(f);

	f = fixture_new();
	vring_offer(&f->q, 3, 10, 0);
	device_uses(f, 3, 10);
	device_uses(f, 3, 10);			/* the same buffer twice */
	assert_true(vring_take_used(&f->q, &id, &len));
	assert_false(vring_take_used(&f->q, &id, &len));
	assert_true(f->q.broken);
	fixture_free(f);

	f = fixture_new();
	f->q.used->idx = VRING_SIZE + 1;	/* more than the queue holds */
	assert_false(vring_take_used(&f->q, &id, &len));
	assert_true(f->q.broken);
	assert_false(vring_take_used(&f->q, &id, &len));	/* and it stays so */
	fixture_free(f);
}

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void test_discover(void **state)
{
	uint8_t f[PROBE_FRAME_MAX];
	uint32_t len = probe_dhcp_discover(f, mac, 0x11223344);
	assert_int_equal(len, 590);
	assert_memory_equal(f, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(f + 6, mac, 6);
	assert_int_equal(get16(f + 12), 0x0800);
	assert_int_equal(probe_ip_checksum(f + 14, 20), 0);	/* a correct header sums to 0 */
	assert_int_equal(get16(f + 16), 576);			/* IP total length */
	assert_int_equal(get16(f + 34), 68);
	assert_int_equal(get16(f + 36), 67);
	assert_int_equal(get16(f + 38), 556);			/* UDP length */
	const uint8_t *b = f + 42;
	assert_int_equal(b[0], 1);
	assert_memory_equal(b + 4, "\x11\x22\x33\x44", 4);
	assert_memory_equal(b + 28, mac, 6);
	assert_memory_equal(b + 236, "\x63\x82\x53\x63\x35\x01\x01", 7);	/* cookie, DISCOVER */
}

/* slirp's answer, played here: the DISCOVER turned into an OFFER. */
static uint32_t make_offer(uint8_t *f, const uint8_t *options, uint32_t n)
{
	uint32_t len = probe_dhcp_discover(f, mac, 0x11223344);
	f[35] = 67;		/* from port 67 */
	f[37] = 68;		/* to 68 */
	uint8_t *b = f + 42;
	b[0] = 2;		/* BOOTREPLY */
	memcpy(b + 16, "\x0a\x00\x02\x0f", 4);	/* yiaddr 10.0.2.15 */
	memset(b + 240, 0, 312 - 4);
	memcpy(b + 240, options, n);
	return len;
}

static void test_offer(void **state)
{
	uint8_t f[PROBE_FRAME_MAX];
	struct dhcp_offer o;
	static const uint8_t good[] = { 0, 53, 1, 2, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 255 };
	uint32_t len = make_offer(f, good, sizeof(good));
	assert_true(probe_parse_dhcp_offer(f, len, mac, 0x11223344, &o));
	assert_int_equal(o.yiaddr, 0x0a00020f);
	assert_int_equal(o.server, 0x0a000202);
	assert_false(probe_parse_dhcp_offer(f, len, mac, 0x11223345, &o));	/* another xid */
	uint8_t other[6] = { 2 };
	assert_false(probe_parse_dhcp_offer(f, len, other, 0x11223344, &o));	/* another client */
	assert_false(probe_parse_dhcp_offer(f, 42 + 240, mac, 0x11223344, &o));	/* cut */
	static const uint8_t ack[] = { 53, 1, 5, 255 };
	len = make_offer(f, ack, sizeof(ack));
	assert_false(probe_parse_dhcp_offer(f, len, mac, 0x11223344, &o));	/* not an OFFER */
	/* The UDP payload ends after option 53's length byte: its value lies
	 * outside, and the option is refused (whatever the frame holds). */
	len = make_offer(f, good, sizeof(good));
	f[38] = 0;
	f[39] = 8 + 240 + 3;
	assert_false(probe_parse_dhcp_offer(f, len, mac, 0x11223344, &o));
	f[39] = 8 + 240 + 4;	/* one byte more: the value is inside */
	assert_true(probe_parse_dhcp_offer(f, len, mac, 0x11223344, &o));
}

static void test_arp(void **state)
{
	uint8_t f[PROBE_FRAME_MAX];
	uint32_t len = probe_arp_request(f, mac, 0x0a00020f, 0x0a000202);
	assert_int_equal(len, 42);
	assert_int_equal(get16(f + 12), 0x0806);
	assert_int_equal(get16(f + 20), 1);
	struct arp_reply r;
	assert_false(probe_parse_arp_reply(f, len, 0x0a000202, &r));	/* a request */
	/* slirp's reply: to us, from 52:55:0a:00:02:02. */
	static const uint8_t slirp[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
	memcpy(f, mac, 6);
	memcpy(f + 6, slirp, 6);
	f[21] = 2;
	memcpy(f + 22, slirp, 6);
	memcpy(f + 28, "\x0a\x00\x02\x02", 4);
	assert_true(probe_parse_arp_reply(f, len, 0x0a000202, &r));
	assert_memory_equal(r.eth_dst, mac, 6);
	assert_memory_equal(r.sha, slirp, 6);
	assert_false(probe_parse_arp_reply(f, len, 0x0a000203, &r));	/* another address */
	assert_false(probe_parse_arp_reply(f, 41, 0x0a000202, &r));	/* short */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_used_count),
		cmocka_unit_test(test_virtio_rx_len),
		cmocka_unit_test(test_e1000_rx_len),
		cmocka_unit_test(test_ring_next),
		cmocka_unit_test(test_vring_offer_and_take),
		cmocka_unit_test(test_vring_chain),
		cmocka_unit_test(test_vring_device_lies),
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_offer),
		cmocka_unit_test(test_arp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
