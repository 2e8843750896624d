/*
 * tests/fuzz/fuzz_nic.c - what a host network card writes back, as the
 * drivers read it (drivers/net/nic_ring.c, virtio_ring.c) and the frames
 * the self-test parses (probe_frames.c). Input: one byte choosing
 *   0: a virtio-net device's used ring: records (advance of used->idx: 1
 *      byte, id: 4, len: 4), the driver taking each, copying the frame out
 *      and giving the buffer back;
 *   1: 82574L legacy receive descriptors: records (status, errors, length:
 *      2 bytes), each frame copied out of its 2 KiB buffer;
 *   2: one received frame, parsed as a DHCP OFFER and as an ARP reply.
 * Invariants: no read outside a buffer (the buffers are allocated to their
 * exact size for ASan), no frame longer than the maximum, an id taken is
 * inside the table and one the driver gave.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/net/nic_ring.h"
#include "drivers/net/virtio_ring.h"
#include "drivers/net/probe_frames.h"

#define FRAME_MAX 1514
#define HDR 12

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void virtio_rx(const uint8_t *d, size_t n)
{
	void *page = aligned_alloc(4096, 4096);
	uint8_t *bufs = malloc(VRING_SIZE * VRING_BUF), out[FRAME_MAX];
	struct vring q;
	vring_init(&q, page, bufs, 0x100000);
	for (uint16_t id = 0; id < VRING_SIZE; id++)
		vring_offer(&q, id, VRING_BUF, VRING_DESC_F_WRITE);
	for (size_t i = 0; i + 9 <= n; i += 9) {
		uint16_t at = q.used->idx;
		q.used->ring[at % VRING_SIZE].id = le32(d + i + 1);
		q.used->ring[at % VRING_SIZE].len = le32(d + i + 5);
		q.used->idx = (uint16_t)(at + d[i]);
		uint16_t id;
		uint32_t used_len;
		while (vring_take_used(&q, &id, &used_len)) {
			if (id >= VRING_SIZE)
				abort();
			uint32_t len = nic_virtio_rx_len(used_len, HDR, VRING_BUF, FRAME_MAX);
			if (len > FRAME_MAX || (len && HDR + len > VRING_BUF))
				abort();
			memcpy(out, vring_buf(&q, id) + HDR, len);
			vring_offer(&q, id, VRING_BUF, VRING_DESC_F_WRITE);
		}
	}
	free(page);
	free(bufs);
}

static void e1000_rx(const uint8_t *d, size_t n)
{
	uint8_t *buf = malloc(2048), out[FRAME_MAX];
	memset(buf, 0, 2048);
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t len = nic_e1000_rx_len(d[i], d[i + 1], (uint16_t)(d[i + 2] | d[i + 3] << 8),
						2048, FRAME_MAX);
		if (len > FRAME_MAX || (len && len < 14))
			abort();
		memcpy(out, buf, len);
	}
	free(buf);
}

static void frame(const uint8_t *d, size_t n)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	uint8_t *f = malloc(n ? n : 1);
	memcpy(f, d, n);
	struct dhcp_offer o;
	struct arp_reply r;
	(void)probe_parse_dhcp_offer(f, (uint32_t)n, mac, 0x79616b76, &o);
	(void)probe_parse_arp_reply(f, (uint32_t)n, 0x0a000202, &r);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	switch (data[0] % 3) {
	case 0: virtio_rx(data + 1, size - 1); break;
	case 1: e1000_rx(data + 1, size - 1); break;
	case 2: frame(data + 1, size - 1); break;
	}
	return 0;
}
