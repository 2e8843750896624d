/*
 * tests/guests/hostile_vnet.c - a driver of yakvm's virtio-net (virtio
 * 1.1, 5.1; devices/virtio/virtio_net*.c) that sends what the device must
 * drop: two VMs run it, each with net=on (tests/e2e/scenarios_net.py
 * checks each line and the ports' counters).
 *
 * It reads its MAC and the link status from the configuration space,
 * negotiates VERSION_1 and MAC only (no MRG_RXBUF: num_buffers must be 1),
 * and sends, as broadcasts with the marker type 0x88b6: a header with
 * NEEDS_CSUM, one with a GSO type, a header and no frame, 13 bytes of
 * frame, 1519 bytes (one more than the largest), and a frame with another
 * source MAC. Each chain must come back used (yakvm serves a notification
 * before the notifying write completes). Then it sends hello frames (type
 * 0x88b5, its own MAC) until one of the other VM's arrives, and one more
 * (the other was ready then); no 0x88b6 frame may arrive, ever.
 * Output: "vnet: ok NAME" / "vnet: FAIL NAME (...)", "vnet: N failures".
 */
#include "rt.h"
#include "hw.h"
#include "virtio_guest.h"

static const char *const TAG = "vnet";

#define QSIZE   4
#define F_NEXT  1
#define F_WRITE 2
#define HDR     12
#define BUF     2048

static uint32_t common, notify, devcfg, mult;
static uint8_t mac[6];

struct ring {
	struct desc d[QSIZE] __attribute__((aligned(16)));
	volatile uint16_t avail[2 + QSIZE + 1] __attribute__((aligned(4)));
	volatile uint32_t used[1 + 2 * QSIZE + 1] __attribute__((aligned(4096)));
	uint16_t seen;
};
static struct ring rx __attribute__((aligned(4096))), tx __attribute__((aligned(4096)));
static uint8_t rxbuf[QSIZE][BUF] __attribute__((aligned(64)));
static uint8_t txbuf[HDR + 1600] __attribute__((aligned(64)));
static const uint8_t other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x66 };	/* not ours */
static unsigned marker_frames, spoofed_frames, hellos;
static bool bad_header;

static void check(bool ok, const char *name, const char *fmt, uint32_t a)
{
	rt_check(TAG, ok, name, fmt, a);
}

static uint16_t used_idx(struct ring *r) { return (uint16_t)(r->used[0] >> 16); }

static void offer(struct ring *r, unsigned q, uint16_t head)
{
	uint16_t idx = r->avail[1];
	r->avail[2 + idx % QSIZE] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->avail[1] = (uint16_t)(idx + 1);
	*(volatile uint16_t *)(notify + q * mult) = 0;
}

static void queue(unsigned q, struct ring *r)
{
	C16(0x16) = (uint16_t)q;
	C16(0x18) = QSIZE;
	C16(0x1a) = 0xffff;
	C32(0x20) = (uint32_t)r->d;
	C32(0x24) = 0;
	C32(0x28) = (uint32_t)r->avail;
	C32(0x2c) = 0;
	C32(0x30) = (uint32_t)r->used;
	C32(0x34) = 0;
	C16(0x1c) = 1;
}

/* 3.1.1 with VERSION_1 and VIRTIO_NET_F_MAC (5); rx buffers offered. */
static void live(void)
{
	C8(0x14) = 0;
	C8(0x14) = ST_ACK;
	C8(0x14) = ST_ACK | ST_DRIVER;
	C32(0x08) = 0;
	C32(0x0c) = 1u << 5;
	C32(0x08) = 1;
	C32(0x0c) = 1;
	C8(0x14) = ST_ACK | ST_DRIVER | ST_FEAT_OK;
	queue(0, &rx);
	queue(1, &tx);
	C8(0x14) = ST_ACK | ST_DRIVER | ST_FEAT_OK | ST_DRV_OK;
	for (uint16_t i = 0; i < QSIZE; i++) {
		rx.d[i] = (struct desc){ (uint32_t)rxbuf[i], BUF, F_WRITE, 0 };
		offer(&rx, 0, i);
	}
}

/* Sends one chain: the header (flags, gso) and len bytes of a broadcast
 * frame from src with type; true if it came back used. */
static bool send(uint8_t flags, uint8_t gso, const uint8_t *src, uint16_t type, uint32_t len)
{
	memset(txbuf, 0, sizeof(txbuf));
	txbuf[0] = flags;
	txbuf[1] = gso;
	memset(txbuf + HDR, 0xff, 6);
	memcpy(txbuf + HDR + 6, src, 6);
	txbuf[HDR + 12] = (uint8_t)(type >> 8);
	txbuf[HDR + 13] = (uint8_t)type;
	tx.d[0] = (struct desc){ (uint32_t)txbuf, HDR + len, 0, 0 };
	uint16_t before = used_idx(&tx);
	offer(&tx, 1, 0);
	return used_idx(&tx) == (uint16_t)(before + 1);
}

/* Takes what arrived: counts hellos from others and marker frames, and
 * gives the buffers back. */
static void receive(void)
{
	while (rx.seen != used_idx(&rx)) {
		unsigned k = rx.seen % QSIZE;
		uint32_t id = rx.used[1 + 2 * k], len = rx.used[2 + 2 * k];
		rx.seen++;
		if (id >= QSIZE) {
			bad_header = true;
			continue;
		}
		const uint8_t *b = rxbuf[id];
		if (len < HDR + 14 || b[0] || b[1] || b[10] != 1 || b[11])
			bad_header = true;	/* flags, gso_type, num_buffers 1 (5.1.6.4.1) */
		uint16_t type = (uint16_t)(b[HDR + 12] << 8 | b[HDR + 13]);
		if (type == 0x88b6)
			marker_frames++;
		if (memcmp(b + HDR + 6, other, 6) == 0)
			spoofed_frames++;
		if (type == 0x88b5 && memcmp(b + HDR + 6, mac, 6) != 0)
			hellos++;
		offer(&rx, 0, (uint16_t)id);
	}
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t id = cfg_in(0);
	check(id == 0x10411af4, "virtio-net at 00:02.0 (1af4:1041)", "id 0x%x", id);
	struct virtio_regions r = virtio_find_regions();
	common = r.common;
	notify = r.notify;
	mult = r.mult;
	devcfg = r.devcfg;
	if (id != 0x10411af4 || !common || !notify || !devcfg) {
		printf("vnet: %d failures\n", rt_failures + 1);
		return rt_failures + 1;
	}
	C32(0x00) = 0;
	uint32_t f = C32(0x04);
	check((f & (1u << 5)) && (f & (1u << 15)) && !(f & 1),
	      "MAC and MRG_RXBUF offered, no CSUM", "features 0x%x", f);
	C32(0x00) = 1;
	check(C32(0x04) & 1, "STATUS offered (bit 16) and VERSION_1", "features_hi 0x%x", C32(0x04));
	for (unsigned i = 0; i < 6; i++)
		mac[i] = *(volatile uint8_t *)(devcfg + i);
	check(mac[0] == 0x02 && mac[1] == 0x79 && mac[2] == 0x6b,
	      "its MAC from its name: 02:79:6b:...", "first byte 0x%x", mac[0]);
	check(*(volatile uint16_t *)(devcfg + 6) == 1, "the link is up", "status %u",
	      *(volatile uint16_t *)(devcfg + 6));

	live();
	check(send(1, 0, mac, 0x88b6, 60), "a header with NEEDS_CSUM: the chain comes back", "%u", 0);
	check(send(0, 1, mac, 0x88b6, 60), "a header with a GSO type: the chain comes back", "%u", 0);
	check(send(0, 0, mac, 0x88b6, 0), "a header and no frame: the chain comes back", "%u", 0);
	check(send(0, 0, mac, 0x88b6, 13), "13 bytes of frame: the chain comes back", "%u", 0);
	check(send(0, 0, mac, 0x88b6, 1519), "1519 bytes of frame: the chain comes back", "%u", 0);
	check(send(0, 0, other, 0x88b6, 60), "another source MAC: the chain comes back", "%u", 0);
	check(tx.used[2] == 0, "nothing written into a transmit chain", "len %u", tx.used[2]);

	/* Hellos until the other's arrives, then one more: it was ready. */
	while (!hellos) {
		send(0, 0, mac, 0x88b5, 60);
		receive();
	}
	send(0, 0, mac, 0x88b5, 60);
	receive();
	check(hellos > 0, "a hello from the other VM arrives", "%u", hellos);
	check(!bad_header, "each received header: flags 0, GSO_NONE, num_buffers 1", "%u", 0);
	check(marker_frames == 0, "none of the other's bad frames arrived", "%u", marker_frames);
	check(spoofed_frames == 0, "no frame with the spoofed source arrived", "%u", spoofed_frames);
	C8(0x14) = 0;
	printf("vnet: %d failures\n", rt_failures);
	return rt_failures;
}
