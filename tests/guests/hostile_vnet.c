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
 * before the notifying write completes). Then it resets the device and
 * negotiates CSUM and HOST_TSO4 too (not GUEST_CSUM: what it receives
 * must have whole checksums and a zero header) and sends offload headers
 * that do not fit their frames (5.1.6.2.1): a checksum field past the
 * end, GSO of a frame that is not TCP/IPv4, GSO type UDP, the ECN bit.
 * Then it sends hello frames (type 0x88b5, its own
 * MAC) until one of the other VM's arrives, and one more (the other was
 * ready then); no 0x88b6 frame may arrive, ever. Then a TCP/IPv4 GSO
 * frame (3000 bytes of payload, gso_size 1000) and a 500-byte TCP frame
 * with a partial checksum, and it waits for the other's: 4 TCP frames
 * whose IP and TCP checksums verify, 3500 bytes of payload.
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
static uint8_t txbuf[HDR + 3100] __attribute__((aligned(64)));
static const uint8_t other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x66 };	/* not ours */
static unsigned marker_frames, spoofed_frames, hellos, tcp_ok, tcp_bad, tcp_payload;
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

/* 3.1.1 with VERSION_1, VIRTIO_NET_F_MAC (5) and `more`; rx buffers
 * offered. */
static void live(uint32_t more)
{
	rx.seen = tx.seen = 0;
	memset((void *)rx.avail, 0, sizeof(rx.avail));
	memset((void *)tx.avail, 0, sizeof(tx.avail));
	memset((void *)rx.used, 0, sizeof(rx.used));
	memset((void *)tx.used, 0, sizeof(tx.used));
	C8(0x14) = 0;
	C8(0x14) = ST_ACK;
	C8(0x14) = ST_ACK | ST_DRIVER;
	C32(0x08) = 0;
	C32(0x0c) = 1u << 5 | more;
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

/* send() with csum_start 50 and csum_offset 10 in the header. */
static bool send_raw(uint8_t flags, uint8_t gso, uint32_t len)
{
	memset(txbuf, 0, sizeof(txbuf));
	txbuf[0] = flags;
	txbuf[1] = gso;
	txbuf[4] = 100;			/* gso_size */
	txbuf[6] = 50;
	txbuf[8] = 10;
	memset(txbuf + HDR, 0xff, 6);
	memcpy(txbuf + HDR + 6, mac, 6);
	txbuf[HDR + 12] = 0x88;
	txbuf[HDR + 13] = 0xb6;
	tx.d[0] = (struct desc){ (uint32_t)txbuf, HDR + len, 0, 0 };
	uint16_t before = used_idx(&tx);
	offer(&tx, 1, 0);
	return used_idx(&tx) == (uint16_t)(before + 1);
}

/* RFC 1071 sum of big-endian words, folded, not inverted. */
static uint32_t sum16(uint32_t s, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* A broadcast TCP/IPv4 frame of `payload` bytes from our MAC, its TCP
 * checksum partial (the pseudo-header's sum) as with NEEDS_CSUM; sent
 * with that header (csum_start 34, csum_offset 16) and GSO if gso_size. */
static bool send_tcp(uint32_t payload, uint16_t gso_size)
{
	uint8_t *f = txbuf + HDR;
	memset(txbuf, 0, sizeof(txbuf));
	txbuf[0] = 1;
	txbuf[1] = gso_size ? 1 : 0;
	txbuf[2] = 54;			/* hdr_len */
	txbuf[4] = (uint8_t)gso_size;
	txbuf[5] = (uint8_t)(gso_size >> 8);
	txbuf[6] = 34;			/* csum_start */
	txbuf[8] = 16;			/* csum_offset */
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14, *tcp = f + 34;
	uint32_t tot = 40 + payload;
	const uint8_t iph[20] = { 0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0x12, 0x34, 0x40, 0,
				  64, 6, 0, 0, 10, 9, 0, mac[5], 10, 9, 0, 255 };
	memcpy(ip, iph, 20);
	uint16_t c = (uint16_t)~sum16(0, ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	tcp[1] = 80;
	tcp[3] = 80;
	tcp[4] = 0xff;			/* a sequence number that wraps */
	tcp[12] = 0x50;
	tcp[13] = 0x18;			/* ACK PSH */
	tcp[14] = 0xff;
	for (uint32_t i = 0; i < payload; i++)
		tcp[20 + i] = (uint8_t)(i * 7);
	uint8_t pseudo[4] = { 0, 6, (uint8_t)((20 + payload) >> 8), (uint8_t)(20 + payload) };
	uint16_t p = (uint16_t)sum16(sum16(0, ip + 12, 8), pseudo, 4);
	tcp[16] = (uint8_t)(p >> 8);
	tcp[17] = (uint8_t)p;
	tx.d[0] = (struct desc){ (uint32_t)txbuf, HDR + 34 + 20 + payload, 0, 0 };
	uint16_t before = used_idx(&tx);
	offer(&tx, 1, 0);
	return used_idx(&tx) == (uint16_t)(before + 1);
}

/* A TCP/IPv4 frame from another VM: its IP header and TCP checksums. */
static void take_tcp(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14, *tcp = f + 34;
	uint32_t tot = (uint32_t)(ip[2] << 8 | ip[3]);
	if (len < 54 || tot < 40 || 14 + tot > len) {
		tcp_bad++;
		return;
	}
	uint8_t pseudo[4] = { 0, 6, (uint8_t)((tot - 20) >> 8), (uint8_t)(tot - 20) };
	uint32_t s = sum16(sum16(sum16(0, ip + 12, 8), pseudo, 4), tcp, tot - 20);
	if (sum16(0, ip, 20) == 0xffff && s == 0xffff) {
		tcp_ok++;
		tcp_payload += tot - 40;
	} else {
		tcp_bad++;
	}
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
		if (type == 0x0800 && memcmp(b + HDR + 6, mac, 6) != 0)
			take_tcp(b + HDR, len - HDR);
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
	check((f & (1u << 5)) && (f & (1u << 15)), "MAC and MRG_RXBUF offered", "features 0x%x", f);
	uint32_t offload = 1u << 0 | 1u << 1 | 1u << 7 | 1u << 11;
	check((f & offload) == offload, "CSUM, GUEST_CSUM, HOST_TSO4, GUEST_TSO4 offered",
	      "features 0x%x", f);
	C32(0x00) = 1;
	check(C32(0x04) & 1, "STATUS offered (bit 16) and VERSION_1", "features_hi 0x%x", C32(0x04));
	for (unsigned i = 0; i < 6; i++)
		mac[i] = *(volatile uint8_t *)(devcfg + i);
	check(mac[0] == 0x02 && mac[1] == 0x79 && mac[2] == 0x6b,
	      "its MAC from its name: 02:79:6b:...", "first byte 0x%x", mac[0]);
	check(*(volatile uint16_t *)(devcfg + 6) == 1, "the link is up", "status %u",
	      *(volatile uint16_t *)(devcfg + 6));

	live(0);
	check(send(1, 0, mac, 0x88b6, 60), "a header with NEEDS_CSUM: the chain comes back", "%u", 0);
	check(send(0, 1, mac, 0x88b6, 60), "a header with a GSO type: the chain comes back", "%u", 0);
	check(send(0, 0, mac, 0x88b6, 0), "a header and no frame: the chain comes back", "%u", 0);
	check(send(0, 0, mac, 0x88b6, 13), "13 bytes of frame: the chain comes back", "%u", 0);
	check(send(0, 0, mac, 0x88b6, 1519), "1519 bytes of frame: the chain comes back", "%u", 0);
	check(send(0, 0, other, 0x88b6, 60), "another source MAC: the chain comes back", "%u", 0);
	check(tx.used[2] == 0, "nothing written into a transmit chain", "len %u", tx.used[2]);

	/* CSUM (0) and HOST_TSO4 (11): offload headers that do not fit. */
	live(1u << 0 | 1u << 11);
	check(send_raw(1, 0, 60), "a checksum field past the frame: the chain comes back", "%u", 0);
	check(send_raw(1, 1, 60), "GSO of a frame that is not TCP/IPv4: the chain comes back", "%u", 0);
	check(send_raw(1, 3, 60), "GSO type UDP (not offered): the chain comes back", "%u", 0);
	check(send_raw(1, 0x81, 60), "GSO with the ECN bit: the chain comes back", "%u", 0);

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

	/* The other is ready (its hello came after its reset): good offload. */
	check(send_tcp(3000, 1000), "a TCP GSO frame (3000 bytes, gso_size 1000) is taken", "%u", 0);
	check(send_tcp(500, 0), "a TCP frame with a partial checksum is taken", "%u", 0);
	while (tcp_ok + tcp_bad < 4)
		receive();
	check(tcp_ok == 4 && tcp_bad == 0, "the other's 4 TCP segments arrive, checksums complete",
	      "%u right", tcp_ok);
	check(tcp_payload == 3500, "... with all 3500 bytes of payload", "%u", tcp_payload);
	check(!bad_header, "their headers: flags 0, GSO_NONE (GUEST_CSUM not negotiated)", "%u", 0);
	C8(0x14) = 0;
	printf("vnet: %d failures\n", rt_failures);
	return rt_failures;
}
