/*
 * tests/unit/test_virtqueue.c - devices/virtio/: the split virtqueue
 * (virtio 1.1, 2.6) against a fake guest RAM with a hole. The test plays
 * the driver: it writes descriptors and rings as bytes, and checks what
 * the device side pops, what it writes back, when it notifies, and every
 * rejection. A read hook plays a guest that changes memory while yakvm
 * reads it (no double fetch).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtqueue.h"
#include "devices/virtio/virtq_guest_ram.h"
#include "mm/pmm.h"
#include "mm/npt/npt_vm.h"

/* ---- fake guest RAM: [0, 2 MiB) and [2 MiB + 64 KiB, 4 MiB) ------------- */

#define RAM_SIZE  0x400000ull
#define HOLE      0x200000ull
#define HOLE_END  0x210000ull

static uint8_t *ram;
static unsigned nreads, nwrites;
static struct { uint64_t gpa, len; } writes[64];
/* Per-byte read counts of the last pop (for the no-double-fetch checks). */
static uint8_t read_count[0x10000];
static void (*after_read)(uint64_t gpa, uint64_t len);

static bool usable(uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa + len < gpa)
		return false;
	if (gpa + len <= HOLE)
		return true;
	return gpa >= HOLE_END && gpa + len <= RAM_SIZE;
}

static bool fake_read(void *ctx, uint64_t gpa, void *dst, uint64_t len)
{
	assert_ptr_equal(ctx, ram);
	assert_true(gpa + len >= gpa);	/* never a wrapping range */
	if (!usable(gpa, len))
		return false;
	memcpy(dst, ram + gpa, len);
	nreads++;
	for (uint64_t i = gpa; i < gpa + len && i < sizeof(read_count); i++)
		read_count[i]++;
	if (after_read)
		after_read(gpa, len);
	return true;
}

static bool fake_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	assert_true(gpa + len >= gpa);
	if (!usable(gpa, len))
		return false;
	memcpy(ram + gpa, src, len);
	if (nwrites < 64)
		writes[nwrites] = (typeof(writes[0])){ gpa, len };
	nwrites++;
	return true;
}

static bool fake_is_ram(void *ctx, uint64_t gpa, uint64_t len)
{
	assert_true(len > 0 && gpa + len >= gpa);
	return usable(gpa, len);
}

/* The ring's 16-bit fields: even addresses only, counted like the rest. */
static bool fake_read16(void *ctx, uint64_t gpa, uint16_t *v)
{
	uint8_t b[2];
	assert_int_equal(gpa % 2, 0);
	if (!fake_read(ctx, gpa, b, 2))
		return false;
	*v = (uint16_t)(b[0] | b[1] << 8);
	return true;
}

static bool fake_write16(void *ctx, uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	assert_int_equal(gpa % 2, 0);
	return fake_write(ctx, gpa, b, 2);
}

static struct virtq_mem mem;

/* ---- the driver's side ------------------------------------------------- */

#define DESC  0x1000ull
#define AVAIL 0x3000ull
#define USED  0x4000ull
#define BUF   0x10000ull
#define ITAB  0x8000ull         /* an indirect table */

static void w16(uint64_t gpa, uint16_t v) { ram[gpa] = (uint8_t)v; ram[gpa + 1] = (uint8_t)(v >> 8); }
static void w32(uint64_t gpa, uint32_t v) { w16(gpa, (uint16_t)v); w16(gpa + 2, (uint16_t)(v >> 16)); }
static void w64(uint64_t gpa, uint64_t v) { w32(gpa, (uint32_t)v); w32(gpa + 4, (uint32_t)(v >> 32)); }
static uint16_t r16(uint64_t gpa) { return (uint16_t)(ram[gpa] | ram[gpa + 1] << 8); }
static uint32_t r32(uint64_t gpa) { return r16(gpa) | (uint32_t)r16(gpa + 2) << 16; }

static void desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint64_t d = table + 16ull * i;
	w64(d, addr);
	w32(d + 8, len);
	w16(d + 12, flags);
	w16(d + 14, next);
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

static struct virtq vq;
static uint16_t drv_idx;        /* the driver's avail idx */

static void offer(uint16_t head)
{
	w16(AVAIL + 4 + 2ull * (drv_idx % vq.size), head);
	drv_idx++;
	w16(AVAIL + 2, drv_idx);
}

static uint16_t used_idx(void) { return r16(USED + 2); }
static uint16_t used_event_of(uint16_t size) { return (uint16_t)(AVAIL + 4 + 2u * size); }

static void start(uint16_t size, uint64_t features)
{
	memset(ram, 0, RAM_SIZE);
	virtq_reset(&vq);
	vq.size = size;
	vq.desc = DESC;
	vq.avail = AVAIL;
	vq.used = USED;
	drv_idx = 0;
	nreads = nwrites = 0;
	assert_true(virtq_enable(&vq, &mem, features));
	assert_int_equal(vq.broken, VIRTQ_ERR_NONE);
}

static struct virtq_seg segs[64];
static struct virtq_chain chain = { .segs = segs, .cap = 64 };

static enum virtq_pop_result pop(void)
{
	memset(read_count, 0, sizeof(read_count));
	return virtq_pop(&vq, &chain, 1 << 20);
}

/* Pops and expects a break for `why`, sticky afterwards. */
static void expect_broken(enum virtq_error why)
{
	assert_int_equal(pop(), VIRTQ_BROKEN);
	assert_int_equal(vq.broken, why);
	assert_string_not_equal(virtq_error_name(why), "unknown error");
	unsigned r = nreads;
	assert_int_equal(pop(), VIRTQ_BROKEN);
	assert_int_equal(nreads, r);	/* no more guest memory touched */
	assert_false(virtq_push(&vq, &chain, 0));
	assert_false(virtq_need_notify(&vq));
}

static int setup(void **state)
{
	ram = calloc(1, RAM_SIZE);
	mem = (struct virtq_mem){ ram, fake_read, fake_write, fake_is_ram, fake_read16, fake_write16 };
	return ram ? 0 : -1;
}

static int teardown(void **state)
{
	free(ram);
	return 0;
}

static int each(void **state)
{
	after_read = NULL;
	nreads = nwrites = 0;
	chain.cap = 64;
	return 0;
}

/* ---- enabling a queue -------------------------------------------------- */

static void enable_fails(uint16_t size, uint64_t d, uint64_t a, uint64_t u, enum virtq_error why)
{
	virtq_reset(&vq);
	vq.size = size;
	vq.desc = d;
	vq.avail = a;
	vq.used = u;
	assert_false(virtq_enable(&vq, &mem, 0));
	assert_false(vq.enabled);
	assert_int_equal(vq.broken, why);
	assert_int_equal(virtq_pop(&vq, &chain, 4096), VIRTQ_BROKEN);
}

static void test_enable_checks(void **state)
{
	enable_fails(0, DESC, AVAIL, USED, VIRTQ_ERR_SIZE);
	enable_fails(3, DESC, AVAIL, USED, VIRTQ_ERR_SIZE);
	enable_fails(0x8001, DESC, AVAIL, USED, VIRTQ_ERR_SIZE);
	enable_fails(0xffff, DESC, AVAIL, USED, VIRTQ_ERR_SIZE);
	enable_fails(8, DESC + 8, AVAIL, USED, VIRTQ_ERR_ALIGN);   /* 2.6.1: 16 */
	enable_fails(8, DESC, AVAIL + 1, USED, VIRTQ_ERR_ALIGN);   /* 2 */
	enable_fails(8, DESC, AVAIL, USED + 2, VIRTQ_ERR_ALIGN);   /* 4 */
	enable_fails(8, HOLE, AVAIL, USED, VIRTQ_ERR_AREA);
	enable_fails(8, HOLE - 64, AVAIL, USED, VIRTQ_ERR_AREA);   /* runs into the hole */
	enable_fails(8, DESC, RAM_SIZE - 20, USED, VIRTQ_ERR_AREA); /* 6 + 2*8 bytes */
	enable_fails(8, DESC, AVAIL, RAM_SIZE - 68, VIRTQ_ERR_AREA); /* 6 + 8*8 = 70 */
	enable_fails(8, DESC, AVAIL, 0xfffffffffffffff0ull, VIRTQ_ERR_AREA); /* wraps */
	/* Exactly fitting areas, and the largest queue. */
	virtq_reset(&vq);
	vq.size = 8;
	vq.desc = HOLE - 128;
	vq.avail = RAM_SIZE - 22;
	vq.used = RAM_SIZE - 72;
	assert_true(virtq_enable(&vq, &mem, 0));
	virtq_reset(&vq);
	vq.size = 32768;
	vq.desc = 0;                       /* 512 KiB */
	vq.avail = 0x80000;
	vq.used = 0xa0000;
	assert_true(virtq_enable(&vq, &mem, 0));
	assert_int_equal(virtq_pop(&vq, &chain, 4096), VIRTQ_EMPTY);
	/* Reset: disabled, nothing popped. */
	virtq_reset(&vq);
	assert_false(vq.enabled);
	assert_int_equal(virtq_pop(&vq, &chain, 4096), VIRTQ_EMPTY);
}

/* ---- chains ------------------------------------------------------------- */

static void test_simple_chain(void **state)
{
	start(8, 0);
	assert_int_equal(pop(), VIRTQ_EMPTY);
	/* A virtio-blk-like request: header, data, status. */
	desc(5, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(2, BUF + 0x1000, 512, VIRTQ_DESC_F_NEXT, 7);
	desc(7, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < 528; i++)
		ram[i < 16 ? BUF + i : BUF + 0x1000 + i - 16] = (uint8_t)i;
	offer(5);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.head, 5);
	assert_int_equal(chain.nsegs, 3);
	assert_int_equal(chain.nread, 2);
	assert_int_equal(chain.read_len, 528);
	assert_int_equal(chain.write_len, 1);
	assert_int_equal(segs[0].gpa, BUF);
	assert_int_equal(segs[1].len, 512);
	assert_true(segs[2].writable && !segs[0].writable && !segs[1].writable);
	assert_int_equal(pop(), VIRTQ_EMPTY);

	/* Scatter/gather: across the segment boundary, from an offset. */
	uint8_t buf[600];
	assert_int_equal(virtq_chain_read(&vq, &chain, 10, buf, 20), 20);
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(buf[i], (uint8_t)(10 + i));
	assert_int_equal(virtq_chain_read(&vq, &chain, 0, buf, sizeof(buf)), 528);
	assert_int_equal(virtq_chain_read(&vq, &chain, 528, buf, 1), 0);
	assert_int_equal(virtq_chain_read(&vq, &chain, 1000, buf, 1), 0);
	nwrites = 0;
	uint8_t status[4] = { 0x5a, 1, 2, 3 };
	assert_int_equal(virtq_chain_write(&vq, &chain, 0, status, 4), 1);	/* only 1 byte */
	assert_int_equal(virtq_chain_write(&vq, &chain, 1, status, 1), 0);
	assert_int_equal(nwrites, 1);
	assert_int_equal(writes[0].gpa, BUF + 0x2000);
	assert_int_equal(ram[BUF + 0x2000], 0x5a);
	assert_int_equal(ram[BUF + 0x2001], 0);

	/* The used element, then the used idx (2.6.8). */
	nwrites = 0;
	assert_true(virtq_push(&vq, &chain, 1));
	assert_int_equal(nwrites, 2);
	assert_int_equal(writes[0].gpa, USED + 4);
	assert_int_equal(writes[0].len, 8);
	assert_int_equal(writes[1].gpa, USED + 2);
	assert_int_equal(r32(USED + 4), 5);
	assert_int_equal(r32(USED + 8), 1);
	assert_int_equal(used_idx(), 1);
	/* Nothing in flight any more. */
	assert_false(virtq_push(&vq, &chain, 1));
	assert_int_equal(used_idx(), 1);
}

static void test_written_len_clamped(void **state)
{
	start(4, 0);
	desc(0, BUF, 100, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_true(virtq_push(&vq, &chain, 5000));
	assert_int_equal(r32(USED + 8), 100);
}

static void test_zero_length_buffers(void **state)
{
	start(4, 0);
	desc(0, HOLE, 0, VIRTQ_DESC_F_NEXT, 1);          /* no access: no segment */
	desc(1, BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	desc(2, 0, 0, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.nsegs, 1);
	assert_int_equal(chain.nread, 1);
	assert_int_equal(chain.write_len, 0);
}

static void test_indirect_chain(void **state)
{
	start(8, 1ull << VIRTIO_F_INDIRECT_DESC);
	/* The table's chain goes 0 -> 2 -> 1; the WRITE flag of the
	 * descriptor naming the table is ignored (2.6.5.3.2). */
	desc_at(ITAB, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc_at(ITAB, 2, BUF + 0x100, 64, VIRTQ_DESC_F_NEXT, 1);
	desc_at(ITAB, 1, BUF + 0x200, 32, VIRTQ_DESC_F_WRITE, 0);
	desc(3, ITAB, 48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	offer(3);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.head, 3);
	assert_int_equal(chain.nsegs, 3);
	assert_int_equal(chain.nread, 2);
	assert_int_equal(segs[1].gpa, BUF + 0x100);
	assert_int_equal(segs[2].gpa, BUF + 0x200);
	assert_int_equal(chain.read_len, 80);
	assert_int_equal(chain.write_len, 32);
	assert_true(virtq_push(&vq, &chain, 32));
	assert_int_equal(r32(USED + 4), 3);

	/* 2.6.5.3.2: direct descriptors, then one indirect one. */
	desc(0, BUF + 0x300, 4, VIRTQ_DESC_F_NEXT, 6);
	desc(6, ITAB, 48, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.nsegs, 4);
	assert_int_equal(segs[0].gpa, BUF + 0x300);
	assert_int_equal(chain.read_len, 84);

	/* A table as long as the device's limit, a chain through all of it. */
	chain.cap = 16;
	for (unsigned i = 0; i < 16; i++)
		desc_at(ITAB, i, BUF + i, 1, i < 15 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	desc(1, ITAB, 16 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(1);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.nsegs, 16);
}

/* 70000 requests through a queue of 4: the 16-bit indices wrap. */
static void test_index_wraparound(void **state)
{
	start(4, 0);
	for (unsigned i = 0; i < 4; i++)
		desc(i, BUF + 64 * i, 64, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned n = 0; n < 70000; n++) {
		uint16_t head = (uint16_t)(n % 4);
		offer(head);
		if (n % 3 == 0 && n + 1 < 70000) {
			offer((uint16_t)((n + 1) % 4));	/* two at once now and then */
			n++;
		}
		while (pop() == VIRTQ_POPPED) {
			uint16_t u = used_idx();
			assert_true(virtq_push(&vq, &chain, 7));
			assert_int_equal(r32(USED + 4 + 8 * (u % 4)), chain.head);
			assert_int_equal(used_idx(), (uint16_t)(u + 1));
		}
		assert_int_equal(vq.broken, VIRTQ_ERR_NONE);
		assert_int_equal(vq.last_avail_idx, drv_idx);
	}
	assert_int_equal(used_idx(), (uint16_t)70000);
	assert_int_equal(vq.in_flight, 0);
}

/* ---- what the device refuses (the queue needs reset) ------------------- */

static void test_reject_avail_idx(void **state)
{
	start(8, 0);
	desc(0, BUF, 8, 0, 0);
	w16(AVAIL + 2, 9);                  /* 9 > size ahead: 2.6.6.1 */
	expect_broken(VIRTQ_ERR_AVAIL_IDX);
	start(8, 0);
	desc(0, BUF, 8, 0, 0);
	w16(AVAIL + 2, 8);                  /* exactly size: fine */
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(pop(), VIRTQ_POPPED);
		assert_true(virtq_push(&vq, &chain, 0));
	}
	assert_int_equal(pop(), VIRTQ_EMPTY);
	w16(AVAIL + 2, 7);                  /* decremented: 65535 ahead */
	expect_broken(VIRTQ_ERR_AVAIL_IDX);
}

static void test_reject_overrun(void **state)
{
	start(2, 0);
	desc(0, BUF, 8, 0, 0);
	offer(0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(pop(), VIRTQ_POPPED);
	offer(0);                           /* a third while two are out */
	expect_broken(VIRTQ_ERR_OVERRUN);
}

static void test_reject_head_next_loop(void **state)
{
	start(8, 0);
	offer(8);
	expect_broken(VIRTQ_ERR_HEAD);

	start(8, 0);
	desc(0, BUF, 8, VIRTQ_DESC_F_NEXT, 8);
	offer(0);
	expect_broken(VIRTQ_ERR_NEXT);

	start(8, 0);                        /* 0 -> 1 -> 2 -> 1 ... */
	desc(0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	desc(2, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	expect_broken(VIRTQ_ERR_LOOP);
	assert_true(nreads <= 2 + 8);       /* bounded: at most size descriptors */

	start(8, 0);                        /* a descriptor pointing at itself */
	desc(0, 0, 0, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_LOOP);

	start(4, 0);                        /* exactly size descriptors: fine */
	for (unsigned i = 0; i < 4; i++)
		desc(i, BUF, 1, i < 3 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.nsegs, 4);
}

static void test_reject_too_many(void **state)
{
	start(8, 0);
	chain.cap = 2;
	for (unsigned i = 0; i < 3; i++)
		desc(i, BUF, 0, i < 2 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	expect_broken(VIRTQ_ERR_TOO_MANY);  /* zero-length ones count too */
}

static void test_reject_indirect(void **state)
{
	/* Without the feature (2.6.5.3.1). */
	start(8, 0);
	desc_at(ITAB, 0, BUF, 8, 0, 0);
	desc(0, ITAB, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_FEATURE);

	const uint64_t f = 1ull << VIRTIO_F_INDIRECT_DESC;
	start(8, f);                        /* with NEXT */
	desc_at(ITAB, 0, BUF, 8, 0, 0);
	desc(0, ITAB, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 8, 0, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_NEXT);

	start(8, f);                        /* a table inside a table */
	desc_at(ITAB, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	desc_at(ITAB, 1, ITAB, 32, VIRTQ_DESC_F_INDIRECT, 0);
	desc(0, ITAB, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_NESTED);

	start(8, f);                        /* 0 bytes */
	desc(0, ITAB, 0, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_LEN);

	start(8, f);                        /* not a multiple of 16 */
	desc_at(ITAB, 0, BUF, 8, 0, 0);
	desc(0, ITAB, 20, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_LEN);

	start(8, f);                        /* in the hole */
	desc(0, HOLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_TABLE);

	start(8, f);                        /* wrapping around */
	desc(0, 0xfffffffffffffff0ull, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_TABLE);

	start(8, f);                        /* running off the end of RAM */
	desc(0, RAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_INDIRECT_TABLE);

	start(8, f);                        /* a loop inside the table */
	desc_at(ITAB, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	desc_at(ITAB, 1, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	desc(0, ITAB, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_LOOP);

	start(8, f);                        /* next beyond the table (but < size) */
	desc_at(ITAB, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	desc(0, ITAB, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_NEXT);

	start(8, f);                        /* a huge table: bounded by the cap */
	chain.cap = 4;
	for (unsigned i = 0; i < 64; i++)
		desc_at(ITAB, i, BUF, 1, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	desc(0, ITAB, 0xfff0, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_TOO_MANY);
	assert_true(nreads <= 2 + 1 + 5);
}

static void test_reject_read_after_write(void **state)
{
	start(8, 0);
	desc(0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	desc(2, BUF, 8, 0, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_READ_AFTER_WRITE);

	start(8, 1ull << VIRTIO_F_INDIRECT_DESC);   /* writable direct, readable indirect */
	desc(0, BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(1, ITAB, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc_at(ITAB, 0, BUF, 8, 0, 0);
	offer(0);
	expect_broken(VIRTQ_ERR_READ_AFTER_WRITE);
}

static void test_reject_buffers(void **state)
{
	static const struct { uint64_t addr; uint32_t len; } bad[] = {
		{ HOLE, 1 },                    /* in the hole */
		{ HOLE - 1, 2 },                /* running into it */
		{ HOLE_END - 1, 2 },            /* coming out of it */
		{ RAM_SIZE - 4, 8 },            /* off the end of RAM */
		{ RAM_SIZE, 1 },
		{ 0xfffffffffffff000ull, 0x2000 },  /* wrapping around */
		{ 0xffffffffffffffffull, 1 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start(8, 0);
		desc(0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
		desc(1, bad[i].addr, bad[i].len, VIRTQ_DESC_F_WRITE, 0);
		offer(0);
		expect_broken(VIRTQ_ERR_BUFFER);
	}
	/* Right up to the hole and to the end of RAM: fine. */
	start(8, 0);
	desc(0, HOLE - 8, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(1, RAM_SIZE - 8, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
}

static void test_reject_too_long(void **state)
{
	start(8, 0);
	desc(0, BUF, 4096, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 4096, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	offer(0);
	assert_int_equal(virtq_pop(&vq, &chain, 8192), VIRTQ_POPPED);   /* exactly */
	assert_int_equal(virtq_pop(&vq, &chain, 8191), VIRTQ_BROKEN);
	assert_int_equal(vq.broken, VIRTQ_ERR_TOO_LONG);
}

static void test_broken_until_reset(void **state)
{
	start(8, 0);
	offer(9);
	expect_broken(VIRTQ_ERR_HEAD);
	w16(AVAIL + 4, 0);                  /* the driver "fixes" it: still broken */
	desc(0, BUF, 8, 0, 0);
	assert_int_equal(pop(), VIRTQ_BROKEN);
	assert_false(virtq_set_notify(&vq, true));
	/* Device reset, the driver sets the queue up again (2.1.2). */
	start(8, 0);
	desc(0, BUF, 8, 0, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
}

/* ---- a guest changing memory while yakvm reads it ---------------------- */

static unsigned hook_hits;

/* Once desc 0 has been read, the guest turns it into garbage. */
static void spoil_desc0(uint64_t gpa, uint64_t len)
{
	if (gpa != DESC)
		return;
	hook_hits++;
	desc(0, HOLE, 0xffffffff, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
}

static void test_no_double_fetch(void **state)
{
	start(8, 1ull << VIRTIO_F_INDIRECT_DESC);
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF + 0x100, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	after_read = spoil_desc0;
	assert_int_equal(pop(), VIRTQ_POPPED);
	after_read = NULL;
	assert_int_equal(hook_hits, 1);
	/* What was checked is what was used: the first copy. */
	assert_int_equal(chain.nsegs, 2);
	assert_int_equal(segs[0].gpa, BUF);
	assert_int_equal(segs[0].len, 16);
	assert_false(segs[0].writable);
	/* Every field read exactly once: avail idx, the ring entry, each
	 * descriptor's 16 bytes. */
	assert_int_equal(read_count[AVAIL + 2], 1);
	assert_int_equal(read_count[AVAIL + 4], 1);
	for (unsigned b = 0; b < 32; b++)
		assert_int_equal(read_count[DESC + b], 1);
	assert_int_equal(nreads, 4);
	/* The popped chain is yakvm's copy: the guest's garbage does not
	 * reach it, and the next use of descriptor 0 reads it anew. */
	assert_true(virtq_push(&vq, &chain, 4));
	offer(0);
	assert_int_equal(pop(), VIRTQ_BROKEN);
	assert_int_equal(vq.broken, VIRTQ_ERR_INDIRECT_NEXT);
}

/* The guest raises avail idx by 100 right after yakvm read it. */
static void bump_idx(uint64_t gpa, uint64_t len)
{
	if (gpa == AVAIL + 2 && hook_hits++ == 0)
		w16(AVAIL + 2, (uint16_t)(r16(AVAIL + 2) + 100));
}

static void test_avail_idx_read_once(void **state)
{
	start(8, 0);
	desc(0, BUF, 16, 0, 0);
	offer(0);
	hook_hits = 0;
	after_read = bump_idx;
	assert_int_equal(pop(), VIRTQ_POPPED);  /* checked against the value read */
	after_read = NULL;
	expect_broken(VIRTQ_ERR_AVAIL_IDX);     /* the next pop sees 100 more */
}

/* The guest changes a descriptor's next while the chain is walked: the
 * walk follows the copy it checked. */
static void relink(uint64_t gpa, uint64_t len)
{
	if (gpa == DESC)
		w16(DESC + 14, 0);              /* desc 0 now points at itself */
}

static void test_changed_between_pops(void **state)
{
	start(8, 0);
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF + 0x100, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	after_read = relink;
	assert_int_equal(pop(), VIRTQ_POPPED);
	after_read = NULL;
	assert_int_equal(chain.nsegs, 2);
	struct virtq_seg first = segs[0];
	assert_true(virtq_push(&vq, &chain, 0));
	/* Between two pops the guest rewrites descriptor 0: the second pop
	 * reads it anew and sees the new values. */
	desc(0, BUF + 0x400, 32, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	struct virtq_seg again[4];
	struct virtq_chain c2 = { .segs = again, .cap = 4 };
	assert_int_equal(virtq_pop(&vq, &c2, 4096), VIRTQ_POPPED);
	assert_int_equal(c2.nsegs, 1);
	assert_int_equal(again[0].gpa, BUF + 0x400);
	assert_int_equal(again[0].len, 32);
	assert_true(again[0].writable);
	assert_int_equal(first.gpa, BUF);       /* the first chain untouched */
	assert_int_equal(segs[0].len, 16);
}

/* ---- notifications ------------------------------------------------------ */

static void pop_push(void)
{
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_true(virtq_push(&vq, &chain, 0));
}

static void test_notify_flags(void **state)
{
	start(8, 0);
	desc(0, BUF, 8, 0, 0);
	assert_false(virtq_need_notify(&vq));   /* nothing used yet */
	offer(0);
	pop_push();
	assert_true(virtq_need_notify(&vq));    /* 2.6.7.2: flags 0: MUST */
	assert_false(virtq_need_notify(&vq));   /* nothing new since */
	w16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	offer(0);
	pop_push();
	assert_false(virtq_need_notify(&vq));   /* flags 1: SHOULD NOT */
	w16(AVAIL, 2);                          /* a reserved bit: bit 0 decides */
	offer(0);
	pop_push();
	assert_true(virtq_need_notify(&vq));
	/* used_event is ignored without EVENT_IDX. */
	w16(AVAIL, 0);
	w16(used_event_of(8), 100);
	offer(0);
	pop_push();
	assert_true(virtq_need_notify(&vq));
}

static void test_notify_event_idx(void **state)
{
	const uint64_t f = 1ull << VIRTIO_F_EVENT_IDX;
	start(4, f);
	desc(0, BUF, 8, 0, 0);
	/* The spec's note (2.6.7.2): used_event 0 means a notification after
	 * the first buffer, and again once the used idx has come round: the
	 * entry at index 0 is written again by buffer 65537. */
	w16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT); /* MUST be ignored with EVENT_IDX */
	w16(used_event_of(4), 0);
	unsigned notified[4], n = 0;
	for (unsigned i = 1; i <= 65537 + 10; i++) {
		offer(0);
		pop_push();
		if (virtq_need_notify(&vq)) {
			assert_true(n < 4);
			notified[n++] = i;
		}
	}
	assert_int_equal(n, 2);
	assert_int_equal(notified[0], 1);
	assert_int_equal(notified[1], 65537);

	/* A batch: entries at 3, 4, 5, 6 (old 3, new 7). */
	static const struct { uint16_t event; bool notify; } batch[] = {
		{ 3, true }, { 5, true }, { 6, true }, { 7, false }, { 2, false }, { 100, false },
	};
	for (unsigned k = 0; k < sizeof(batch) / sizeof(batch[0]); k++) {
		start(4, f);
		desc(0, BUF, 8, 0, 0);
		for (unsigned i = 0; i < 3; i++) {
			offer(0);
			pop_push();
		}
		w16(used_event_of(4), 0xffff);
		virtq_need_notify(&vq);             /* decided at used idx 3 */
		w16(used_event_of(4), batch[k].event);
		for (unsigned i = 0; i < 4; i++) {
			offer(0);
			pop_push();
		}
		assert_int_equal(used_idx(), 7);
		assert_int_equal(virtq_need_notify(&vq), batch[k].notify);
	}
	/* The same across the wrap: old 65534, new 2. */
	assert_true(virtq_need_event(65535, 2, 65534));
	assert_true(virtq_need_event(1, 2, 65534));
	assert_true(virtq_need_event(65534, 2, 65534));
	assert_false(virtq_need_event(2, 2, 65534));
	assert_false(virtq_need_event(65533, 2, 65534));
	assert_false(virtq_need_event(5, 5, 5));    /* nothing new */
}

static void test_avail_event(void **state)
{
	start(8, 1ull << VIRTIO_F_EVENT_IDX);
	const uint64_t avail_event = USED + 4 + 8 * 8;
	desc(0, BUF, 8, 0, 0);
	offer(0);
	offer(0);
	pop_push();
	assert_int_equal(r16(avail_event), 1);      /* 2.6.10: the next entry */
	assert_false(virtq_set_notify(&vq, false)); /* off: no longer moved on */
	pop_push();
	assert_int_equal(r16(avail_event), 1);
	assert_int_equal(r16(USED), 0);             /* flags stay 0 with EVENT_IDX */
	assert_false(virtq_set_notify(&vq, true));  /* nothing new */
	assert_int_equal(r16(avail_event), 2);
	assert_false(virtq_set_notify(&vq, false));
	offer(0);                                   /* came while off */
	assert_true(virtq_set_notify(&vq, true));   /* so: pop again */
	pop_push();
	assert_int_equal(r16(avail_event), 3);

	/* Without EVENT_IDX: the used ring's flags (2.6.10.2). */
	start(8, 0);
	desc(0, BUF, 8, 0, 0);
	offer(0);
	pop_push();
	assert_int_equal(r16(avail_event), 0);      /* never written */
	assert_false(virtq_set_notify(&vq, false));
	assert_int_equal(r16(USED), VIRTQ_USED_F_NO_NOTIFY);
	offer(0);
	assert_true(virtq_set_notify(&vq, true));
	assert_int_equal(r16(USED), 0);
}

/* Pop and push write nothing but the used ring (and avail_event). */
static void test_writes_confined(void **state)
{
	start(8, (1ull << VIRTIO_F_EVENT_IDX) | (1ull << VIRTIO_F_INDIRECT_DESC));
	desc_at(ITAB, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_at(ITAB, 1, BUF + 0x100, 16, VIRTQ_DESC_F_WRITE, 0);
	desc(4, ITAB, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	nwrites = 0;
	pop_push();
	virtq_need_notify(&vq);
	assert_int_equal(nwrites, 3);
	for (unsigned i = 0; i < nwrites; i++)
		assert_true(writes[i].gpa >= USED && writes[i].gpa + writes[i].len <= USED + 6 + 8 * 8);
}

/* ---- over a VM's RAM (mm/guest_ram.h) ----------------------------------- */

uint64_t pmm_alloc_pages(size_t n) { fail(); return 0; }
uint64_t pmm_alloc_aligned(size_t n, uint64_t align) { fail(); return 0; }
void pmm_free_pages(uint64_t pa, size_t n) { fail(); }
bool yakvm_vm_map_page(struct npt *npt, uint64_t gpa, uint64_t hpa, uint64_t size,
		       uint64_t flags) { fail(); return false; }

static void test_guest_ram_adapter(void **state)
{
	/* One 2 MiB chunk; RAM is [0, 1 MiB) and [1.5 MiB, 2 MiB). */
	uint8_t *host = aligned_alloc(LARGE_PAGE_SIZE, LARGE_PAGE_SIZE);
	assert_non_null(host);
	memset(host, 0, LARGE_PAGE_SIZE);
	struct ram_chunk chunk = { 0, (uint64_t)(uintptr_t)host, LARGE_PAGE_SIZE };
	struct guest_ram r = { .ranges = { { 0, 0x100000, 1 }, { 0x180000, 0x80000, 1 } },
			       .nranges = 2, .chunks = &chunk, .nchunks = 1 };
	struct virtq_mem m = virtq_mem_guest_ram(&r);
	assert_true(m.is_ram(m.ctx, 0xff000, 0x1000));
	assert_false(m.is_ram(m.ctx, 0xff000, 0x1001));
	assert_false(m.is_ram(m.ctx, 0x100000, 1));
	assert_true(m.is_ram(m.ctx, 0x1ffff0, 16));
	assert_false(m.is_ram(m.ctx, 0x1ffff0, 17));
	uint16_t v;
	host[0x2000] = 0x34;
	host[0x2001] = 0x12;
	assert_true(m.read16(m.ctx, 0x2000, &v));
	assert_int_equal(v, 0x1234);                /* little-endian */
	assert_false(m.read16(m.ctx, 0x2001, &v));  /* odd: not one access */
	assert_false(m.read16(m.ctx, 0x100000, &v));/* the gap */
	assert_false(m.write16(m.ctx, 0x100000, 1));
	assert_true(m.write16(m.ctx, 0x2000, 0));

	struct virtq q = { .size = 4, .desc = 0x1000, .avail = 0x2000, .used = 0x3000 };
	assert_true(virtq_enable(&q, &m, 0));
	/* The driver's side, straight into the host page. */
	uint8_t d[16] = { 0 };
	d[1] = 0x80; d[2] = 0x18;           /* addr 0x188000 */
	d[8] = 4;                           /* len 4 */
	d[12] = VIRTQ_DESC_F_WRITE;
	memcpy(host + 0x1000, d, 16);
	host[0x2002] = 1;                   /* avail idx 1, ring[0] = 0 */
	struct virtq_seg s[2];
	struct virtq_chain c = { .segs = s, .cap = 2 };
	assert_int_equal(virtq_pop(&q, &c, 4096), VIRTQ_POPPED);
	assert_int_equal(s[0].gpa, 0x188000);
	assert_int_equal(virtq_chain_write(&q, &c, 0, "abcd", 4), 4);
	assert_memory_equal(host + 0x188000, "abcd", 4);
	assert_true(virtq_push(&q, &c, 4));
	assert_int_equal(host[0x3002], 1);
	assert_int_equal(host[0x3008], 4);
	/* A buffer in the gap between the ranges. */
	host[0x1000 + 2] = 0x10;            /* addr 0x108000 */
	host[0x2004 + 2] = 0;
	host[0x2002] = 2;
	assert_int_equal(virtq_pop(&q, &c, 4096), VIRTQ_BROKEN);
	assert_int_equal(q.broken, VIRTQ_ERR_BUFFER);
	free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_enable_checks, each),
		cmocka_unit_test_setup(test_simple_chain, each),
		cmocka_unit_test_setup(test_written_len_clamped, each),
		cmocka_unit_test_setup(test_zero_length_buffers, each),
		cmocka_unit_test_setup(test_indirect_chain, each),
		cmocka_unit_test_setup(test_index_wraparound, each),
		cmocka_unit_test_setup(test_reject_avail_idx, each),
		cmocka_unit_test_setup(test_reject_overrun, each),
		cmocka_unit_test_setup(test_reject_head_next_loop, each),
		cmocka_unit_test_setup(test_reject_too_many, each),
		cmocka_unit_test_setup(test_reject_indirect, each),
		cmocka_unit_test_setup(test_reject_read_after_write, each),
		cmocka_unit_test_setup(test_reject_buffers, each),
		cmocka_unit_test_setup(test_reject_too_long, each),
		cmocka_unit_test_setup(test_broken_until_reset, each),
		cmocka_unit_test_setup(test_no_double_fetch, each),
		cmocka_unit_test_setup(test_avail_idx_read_once, each),
		cmocka_unit_test_setup(test_changed_between_pops, each),
		cmocka_unit_test_setup(test_notify_flags, each),
		cmocka_unit_test_setup(test_notify_event_idx, each),
		cmocka_unit_test_setup(test_avail_event, each),
		cmocka_unit_test_setup(test_writes_confined, each),
		cmocka_unit_test_setup(test_guest_ram_adapter, each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
