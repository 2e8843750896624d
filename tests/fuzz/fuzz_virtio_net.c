/*
 * tests/fuzz/fuzz_virtio_net.c - virtio-net (devices/virtio/virtio_net*.c)
 * and the switch (net/) between two devices, A and B, each with its
 * receive and transmit queues in a guest RAM built from the input.
 * Input: byte 0 the features (bit 0 MRG_RXBUF for A, bit 1 for B, bit 2
 * INDIRECT_DESC for both), the spoofing bit (bit 3: A's frames may carry
 * any source), the queues' size (bits 4-5: 8, 1, 2 or 4), offload
 * (bit 6: CSUM, GUEST_CSUM, HOST_TSO4, GUEST_TSO4 for A; bit 7 for B),
 * byte 1 how
 * many rounds (1-8); then A's RAM, then B's (16 KiB each): receiveq1 at
 * 0/0x80/0x100, transmitq1 at 0x200/0x280/0x300; frames and buffers
 * wherever the input puts them. A round: both transmit, both drain their
 * backlog, in an order from the input's bytes; then the due timers (the
 * kicks) run: a kick that re-armed itself for ever would hang here.
 * Properties: every chain popped is pushed back (none leaks) unless the
 * device stopped for a reset; each frame the switch hands a port is from
 * the other, carries the other's MAC as source and is 14 to ETH_FRAME_MAX
 * bytes (a GSO frame, only to a port that took GUEST_TSO4, up to
 * NET_GSO_FRAME_MAX; offload metadata only to one that took GUEST_CSUM,
 * and consistent); a backlog never holds more than VNET_BACKLOG frames
 * nor more than VNET_SRC_SHARE from one port or VNET_SRC_BYTES of its
 * store, its frames inside the store, and its per-port counts add up;
 * receive chains stay popped only while held for a frame; each
 * transmitted chain is counted once (accepted, spoofed or malformed);
 * reset is reported at most once per device; the configuration space
 * reads in bounds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_net.h"
#include "lib/log.h"
#include "tests/unit/fake_platform.h"
#include "tests/fakes/flat_ram.h"
#include "tests/fakes/vnet_side.h"
#include "tests/fakes/idle_poll.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_virtio_net: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define SPACE 0x4000ull
#define QSIZE 8

struct side {
	uint8_t ram[SPACE];
	struct flat_ram guest;            /* over ram; the queues keep a pointer */
	struct vnet vn;
	struct vnet *ptr;
	struct virtio_dev vd;
	bool needs_reset;
};
static struct side sides[2];

void log_msg(enum log_level level, const char *fmt, ...) { }
uint64_t device_lock(struct device *d) { return 0; }
void device_unlock(struct device *d, uint64_t f) { }
bool device_trylock(struct device *d, uint64_t *f) { *f = 0; return true; }
void virtio_used(struct virtio_dev *vd, unsigned q) { CHECK(q < 2); }
void virtio_config_changed(struct virtio_dev *vd) { }
void virtio_needs_reset(struct virtio_dev *vd, const char *why)
{
	struct side *s = vd == &sides[0].vd ? &sides[0] : &sides[1];
	CHECK(why && !s->needs_reset);
	s->needs_reset = true;
	vd->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* The port's deliver, watched: from the other side, its MAC, a sane length. */
static bool watched_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
			    uint32_t len, const struct net_offload *off)
{
	struct side *to = p == &sides[0].vn.port ? &sides[0] : &sides[1];
	struct side *other = to == &sides[0] ? &sides[1] : &sides[0];
	CHECK(from == &other->vn.port);
	CHECK(len >= ETH_HLEN && len <= (off && off->gso_type ? NET_GSO_FRAME_MAX : ETH_FRAME_MAX));
	if (off) {
		CHECK(virtio_has(&to->vd, VIRTIO_NET_F_GUEST_CSUM));
		CHECK(!off->gso_type || virtio_has(&to->vd, VIRTIO_NET_F_GUEST_TSO4));
		struct net_offload o = *off;
		CHECK(net_offload_check(frame, len, &o) && o.hdr_len == off->hdr_len);
	}
	CHECK(eth_same(eth_src(frame), other->vn.port.mac));
	return vnet_deliver(p, from, frame, len, off);
}

static void backlog_ok(const struct vnet *vn)
{
	CHECK(vn->count <= VNET_BACKLOG && vn->head < VNET_BACKLOG);
	unsigned sum = 0;
	uint64_t bytes = 0, in_slots = 0;
	for (unsigned i = 0; i < NET_PORTS_MAX; i++) {
		CHECK(vn->per_src[i] <= VNET_SRC_SHARE);
		CHECK(vn->per_src_bytes[i] <= VNET_SRC_BYTES);
		sum += vn->per_src[i];
		bytes += vn->per_src_bytes[i];
	}
	CHECK(sum == vn->count);
	for (unsigned k = 0; k < vn->count; k++) {
		const struct vnet_slot *sl = &vn->backlog[(vn->head + k) % VNET_BACKLOG];
		CHECK(sl->at + sl->len <= VNET_STORE_BYTES);
		in_slots += sl->len;
	}
	CHECK(bytes == in_slots);
	CHECK(vn->held <= VNET_RX_CHAINS);
}

static uint64_t sent(const struct net_port_stats *s)
{
	return s->in_frames + s->drop_spoofed + s->drop_malformed;	/* filtered: of in */
}

static void setup(struct side *s, unsigned i, uint8_t f)
{
	s->needs_reset = false;
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) };
	uint64_t feat = 0;
	if (f >> i & 1)
		feat |= 1ull << VIRTIO_NET_F_MRG_RXBUF;
	if (f & 4)
		feat |= 1ull << VIRTIO_F_INDIRECT_DESC;
	if (f >> (6 + i) & 1)
		feat |= 1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_GUEST_CSUM |
			1ull << VIRTIO_NET_F_HOST_TSO4 | 1ull << VIRTIO_NET_F_GUEST_TSO4;
	s->guest = (struct flat_ram){ s->ram, SPACE };
	struct vnet_side side = {
		.vd = &s->vd, .vn = &s->vn, .ptr = &s->ptr, .guest = &s->guest, .mac = mac,
		.deliver = watched_deliver, .features = feat,
		.queue_size = (f >> 4 & 3) ? (uint16_t)(1u << ((f >> 4 & 3) - 1)) : QSIZE,
	};
	for (unsigned q = 0; q < 2; q++)
		side.queue[q] = (struct vq_layout){ 0x200 * q, 0x200 * q + 0x80, 0x200 * q + 0x100 };
	CHECK(vnet_side_up(&side));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t f = data[0];
	unsigned rounds = 1 + data[1] % 8;
	fake_platform_reset();
	fake_idle_poll_reset();
	for (unsigned i = 0; i < 2; i++) {
		struct side *s = &sides[i];
		memset(s->ram, 0, SPACE);
		size_t at = 2 + i * SPACE;
		if (size > at)
			memcpy(s->ram, data + at, size - at < SPACE ? size - at : SPACE);
		setup(s, i, f);
	}
	if (f & 8)	/* A may send with any source: the switch drops it */
		sides[0].vn.port.mac[5] = (uint8_t)(data[1] | 0x80) & 0xfe;
	for (unsigned r = 0; r < rounds; r++) {
		uint8_t order = size > 2 + r ? data[2 + r] : 0;
		fake_idle_cpu = order & 0x20;	/* transmit polling on or off */
		for (unsigned k = 0; k < 4; k++) {
			struct side *s = &sides[(order >> k) & 1];
			if (s->needs_reset)
				continue;
			uint64_t before = sent(&s->vn.port.stats);
			uint16_t popped = s->vd.vq[VNET_TXQ].last_avail_idx;
			if ((k & 1) && (order >> (4 + k)) & 1)
				vnet_tx_exit_poll(&s->vn);	/* an exit while polling */
			else if ((k & 2) && (order >> (4 + k)) & 1)
				fake_idle_cpu_round();		/* an idle CPU */
			else if (k & 1)
				virtio_net_type.notify(&s->vd, VNET_TXQ);
			else
				vnet_rx_drain(&s->vn);
			popped = (uint16_t)(s->vd.vq[VNET_TXQ].last_avail_idx - popped);
			/* Each transmitted chain counted once. */
			if (!s->vd.vq[VNET_TXQ].broken)
				CHECK(sent(&s->vn.port.stats) - before == popped);
			for (unsigned q = 0; q < 2; q++)
				CHECK(s->needs_reset || s->vd.vq[q].broken ||
				      s->vd.vq[q].in_flight == (q == VNET_RXQ ? s->vn.held : 0));
			backlog_ok(&sides[0].vn);
			backlog_ok(&sides[1].vn);
		}
		fake_advance(order & 0x10 ? VNET_TX_POLL_NS : 0);	/* the poll timer too */
		backlog_ok(&sides[0].vn);
		backlog_ok(&sides[1].vn);
	}
	for (unsigned i = 0; i < 2; i++) {
		for (uint32_t off = 0; off < VIRTIO_NET_CFG_SIZE; off++)
			(void)virtio_net_type.config_read(&sides[i].vd, off, 1);
		virtio_net_type.stop(&sides[i].vd);
		CHECK(!sides[i].vn.port.attached);
		CHECK(!sides[i].vn.tx_poll.wanted && !sides[i].vn.tx_timer.armed);
	}
	return 0;
}
