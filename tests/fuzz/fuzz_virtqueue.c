/*
 * tests/fuzz/fuzz_virtqueue.c - the split virtqueue (devices/virtio/) on a
 * guest RAM built from the input, with a guest that may change that RAM
 * while yakvm reads it. Input: a 16-byte header - queue size 2^(b0 % 16),
 * features (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX), the device's segment
 * cap (1-64), its length bound (le16 << 4), the descriptor table, available
 * and used ring addresses (le16 each), the mutation period (0 = never) and
 * seed - then RAM from guest-physical 0. RAM is [0, 24 KiB) and
 * [28 KiB, 64 KiB); the rest is not RAM.
 * Properties: every access the library asks for is a range that does not
 * wrap, the 16-bit ring fields at even addresses; it writes only into the used ring and, through virtq_chain_write,
 * into the chain's writable segments; a popped chain has at most cap
 * segments, each non-empty and inside RAM, the readable ones first, their
 * lengths summed right and within the bound, a head below the size; a pop
 * reads at most cap + 4 times (bounded work); a broken queue stays broken
 * and touches no more memory; the copy helpers copy exactly what the
 * chain's parts hold.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtqueue.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_virtqueue: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define SPACE    0x10000ull
#define HOLE     0x6000ull
#define HOLE_END 0x7000ull
#define HEADER   16
#define MAX_CAP  64

static uint8_t ram[SPACE];
static struct virtq vq;
static const struct virtq_chain *writing;   /* during virtq_chain_write */
static unsigned reads, mutate_every, tick;
static uint32_t seed;

static bool usable(uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa + len < gpa)
		return false;
	if (gpa + len <= HOLE)
		return true;
	return gpa >= HOLE_END && gpa + len <= SPACE;
}

static bool inside(uint64_t gpa, uint64_t len, uint64_t base, uint64_t blen)
{
	return gpa >= base && len <= blen && gpa - base <= blen - len;
}

/* The guest at work on another CPU: now and then a byte of RAM changes. */
static void guest_meddles(void)
{
	if (!mutate_every || ++tick % mutate_every)
		return;
	seed = seed * 1103515245u + 12345u;
	ram[(seed >> 8) % 0x1000] = (uint8_t)(seed >> 24);
}

static bool fz_read(void *ctx, uint64_t gpa, void *dst, uint64_t len)
{
	CHECK(len > 0 && gpa + len > gpa);
	reads++;
	if (!usable(gpa, len))
		return false;
	memcpy(dst, ram + gpa, len);
	guest_meddles();
	return true;
}

static bool fz_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	CHECK(len > 0 && gpa + len > gpa);
	bool ok = vq.size && inside(gpa, len, vq.used, 6 + 8ull * vq.size);
	for (unsigned i = 0; writing && !ok && i < writing->nsegs; i++)
		ok = writing->segs[i].writable &&
		     inside(gpa, len, writing->segs[i].gpa, writing->segs[i].len);
	CHECK(ok);	/* nowhere else: not a readable buffer, not a table */
	if (!usable(gpa, len))
		return false;
	memcpy(ram + gpa, src, len);
	guest_meddles();
	return true;
}

static bool fz_is_ram(void *ctx, uint64_t gpa, uint64_t len)
{
	CHECK(len > 0 && gpa + len > gpa);
	return usable(gpa, len);
}

/* The ring's 16-bit fields: aligned, so that a real access is one. */
static bool fz_read16(void *ctx, uint64_t gpa, uint16_t *v)
{
	uint8_t b[2];
	CHECK(gpa % 2 == 0);
	if (!fz_read(ctx, gpa, b, 2))
		return false;
	*v = (uint16_t)(b[0] | b[1] << 8);
	return true;
}

static bool fz_write16(void *ctx, uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	CHECK(gpa % 2 == 0);
	return fz_write(ctx, gpa, b, 2);
}

static void check_chain(const struct virtq_chain *c, uint64_t max_len)
{
	uint64_t rd = 0, wr = 0;
	CHECK(c->head < vq.size);
	CHECK(c->nsegs <= c->cap && c->nread <= c->nsegs);
	for (unsigned i = 0; i < c->nsegs; i++) {
		const struct virtq_seg *s = &c->segs[i];
		CHECK(s->len > 0 && usable(s->gpa, s->len));
		CHECK(s->writable == (i >= c->nread));
		if (s->writable)
			wr += s->len;
		else
			rd += s->len;
	}
	CHECK(rd == c->read_len && wr == c->write_len);
	CHECK(rd + wr <= max_len);
}

static uint8_t buf[0x100000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	memset(ram, 0, sizeof(ram));
	size_t n = size - HEADER < sizeof(ram) ? size - HEADER : sizeof(ram);
	memcpy(ram, data + HEADER, n);
	unsigned cap = data[2] % MAX_CAP + 1;
	uint64_t max_len = (uint64_t)(data[3] | data[4] << 8) << 4;
	mutate_every = data[11];
	memcpy(&seed, data + 12, 4);
	tick = 0;

	virtq_reset(&vq);
	vq.size = (uint16_t)(1u << (data[0] % 16));
	vq.desc = data[5] | data[6] << 8;
	vq.avail = data[7] | data[8] << 8;
	vq.used = data[9] | data[10] << 8;
	uint64_t features = (data[1] & 1 ? 1ull << VIRTIO_F_INDIRECT_DESC : 0) |
			    (data[1] & 2 ? 1ull << VIRTIO_F_EVENT_IDX : 0);
	struct virtq_mem mem = { NULL, fz_read, fz_write, fz_is_ram, fz_read16, fz_write16 };
	writing = NULL;
	if (!virtq_enable(&vq, &mem, features)) {
		CHECK(vq.broken != VIRTQ_ERR_NONE && !vq.enabled);
		return 0;
	}

	struct virtq_seg segs[MAX_CAP];
	struct virtq_chain c = { .segs = segs, .cap = cap };
	unsigned pushed = 0;
	for (unsigned iter = 0; iter < 2u * vq.size + 8; iter++) {
		reads = 0;
		enum virtq_pop_result r = virtq_pop(&vq, &c, max_len);
		CHECK(reads <= cap + 4);
		if (r == VIRTQ_EMPTY) {
			CHECK(vq.broken == VIRTQ_ERR_NONE);
			if (!(data[1] & 4) || !virtq_set_notify(&vq, true))
				break;
			continue;
		}
		if (r == VIRTQ_BROKEN) {
			CHECK(vq.broken != VIRTQ_ERR_NONE && vq.broken < VIRTQ_ERR_COUNT);
			CHECK(virtq_error_name(vq.broken) != NULL);
			reads = 0;
			CHECK(virtq_pop(&vq, &c, max_len) == VIRTQ_BROKEN && reads == 0);
			CHECK(!virtq_push(&vq, &c, 0) && !virtq_need_notify(&vq));
			break;
		}
		check_chain(&c, max_len);
		/* The device's side: read the request, write an answer. */
		CHECK(c.read_len <= sizeof(buf) && c.write_len <= sizeof(buf));
		uint64_t off = c.read_len ? data[iter % size] % c.read_len : 0;
		CHECK(virtq_chain_read(&vq, &c, off, buf, sizeof(buf)) == c.read_len - off);
		CHECK(virtq_chain_read(&vq, &c, c.read_len, buf, 1) == 0);
		memset(buf, 0xa5, c.write_len + 1);
		writing = &c;
		CHECK(virtq_chain_write(&vq, &c, 0, buf, c.write_len + 1) == c.write_len);
		writing = NULL;
		if (data[1] & 8)
			virtq_set_notify(&vq, iter & 1);
		if (!virtq_push(&vq, &c, (uint32_t)c.write_len)) {
			CHECK(vq.broken != VIRTQ_ERR_NONE);
			break;
		}
		pushed++;
		CHECK(vq.used_idx == (uint16_t)pushed && vq.in_flight == 0);
		virtq_need_notify(&vq);
	}
	return 0;
}
