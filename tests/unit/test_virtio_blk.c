/*
 * tests/unit/test_virtio_blk.c - devices/virtio/virtio_blk*.c and
 * devices/block/ram_disk.c: virtio-blk requests (virtio 1.1, 5.2.6) over
 * a split queue in a guest RAM (mm/guest_ram.h), with a fake transport
 * (virtio_used, virtio_needs_reset recorded here). The test plays the
 * driver: descriptors and the request header as bytes, a notify, then the
 * status byte, the used ring and the store are checked, for every status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_blk.h"
#include "devices/virtio/virtq_guest_ram.h"
#include "devices/block/ram_disk.h"
#include "mm/pmm.h"
#include "mm/npt/npt_vm.h"

/* guest_ram.c's allocation, never called: the RAM is built by hand. */
uint64_t pmm_alloc_pages(size_t n) { fail(); return 0; }
uint64_t pmm_alloc_aligned(size_t n, uint64_t align) { fail(); return 0; }
void pmm_free_pages(uint64_t pa, size_t n) { fail(); }
bool yakvm_vm_map_page(struct npt *npt, uint64_t gpa, uint64_t hpa, uint64_t size,
		       uint64_t flags) { fail(); return false; }

/* ---- the fake transport ------------------------------------------------- */

static unsigned used_calls, reset_calls;
static const char *reset_why;

void virtio_used(struct virtio_dev *vd, unsigned q)
{
	assert_int_equal(q, 0);
	used_calls++;
}

void virtio_needs_reset(struct virtio_dev *vd, const char *why)
{
	reset_calls++;
	reset_why = why;
}

void virtio_config_changed(struct virtio_dev *vd)
{
}

/* ---- the store's memory: counted, and failing on demand ----------------- */

static unsigned live_allocs;
static bool alloc_fails;

static void *chunk_alloc(size_t bytes)
{
	assert_int_equal(bytes % 4096, 0);
	if (alloc_fails)
		return NULL;
	void *p = aligned_alloc(4096, bytes);
	assert_non_null(p);
	memset(p, 0, bytes);
	live_allocs++;
	return p;
}

static void chunk_free(void *p, size_t bytes)
{
	assert_non_null(p);
	live_allocs--;
	free(p);
}

static const struct ram_disk_mem chunk_mem = { chunk_alloc, chunk_free };

/* ---- the VM's RAM and the driver's side --------------------------------- */

#define QSIZE 16
#define DESC  0x1000ull
#define AVAIL 0x2000ull
#define USED  0x3000ull
#define BUF   0x10000ull          /* the test's buffers from here */
#define DISK_SECTORS 2048         /* 1 MiB */

static uint8_t *host;
static struct ram_chunk chunk;
static struct guest_ram ram;
static struct virtio_dev vd;
static struct vblk blk;
static struct vblk *blk_ptr;        /* the transport's type_state */
static struct ram_disk disk;
static uint8_t image[DISK_SECTORS * 512];
static uint16_t drv_idx;
static uint64_t next_buf;

static void w16(uint64_t a, uint16_t v) { host[a] = (uint8_t)v; host[a + 1] = (uint8_t)(v >> 8); }
static void w32(uint64_t a, uint32_t v) { w16(a, (uint16_t)v); w16(a + 2, (uint16_t)(v >> 16)); }
static void w64(uint64_t a, uint64_t v) { w32(a, (uint32_t)v); w32(a + 4, (uint32_t)(v >> 32)); }
static uint16_t r16(uint64_t a) { return (uint16_t)(host[a] | host[a + 1] << 8); }
static uint32_t r32(uint64_t a) { return r16(a) | (uint32_t)r16(a + 2) << 16; }

static void make_disk(bool read_only, uint64_t bytes)
{
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + i / 512);
	assert_true(ram_disk_create(&disk, &chunk_mem, bytes, read_only, image, sizeof(image)));
	blk.be = &disk.be;
	vd.type = virtio_blk_type(&disk.be);
}

static int setup(void **state)
{
	host = aligned_alloc(LARGE_PAGE_SIZE, LARGE_PAGE_SIZE);
	assert_non_null(host);
	memset(host, 0, LARGE_PAGE_SIZE);
	chunk = (struct ram_chunk){ 0, (uint64_t)(uintptr_t)host, LARGE_PAGE_SIZE };
	ram = (struct guest_ram){ .ranges = { { 0, LARGE_PAGE_SIZE, 1 } }, .nranges = 1,
				  .chunks = &chunk, .nchunks = 1 };
	memset(&vd, 0, sizeof(vd));
	memset(&blk, 0, sizeof(blk));
	memcpy(blk.serial, "yakvm-test-serial", 17);
	vd.type_state = &blk_ptr;
	virtio_blk_rw.init(&vd, &blk);
	assert_ptr_equal(blk_ptr, &blk);
	vd.driver_features = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_BLK_F_FLUSH) |
		(1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
	struct virtq *vq = &vd.vq[0];
	virtq_reset(vq);
	vq->size = QSIZE;
	vq->desc = DESC;
	vq->avail = AVAIL;
	vq->used = USED;
	struct virtq_mem m = virtq_mem_guest_ram(&ram);
	assert_true(virtq_enable(vq, &m, vd.driver_features));
	drv_idx = 0;
	next_buf = BUF;
	used_calls = reset_calls = 0;
	reset_why = NULL;
	alloc_fails = false;
	live_allocs = 0;
	make_disk(false, sizeof(image));
	return 0;
}

static int teardown(void **state)
{
	ram_disk_destroy(&disk);
	assert_int_equal(live_allocs, 0);
	free(host);
	return 0;
}

/* One buffer of a request: its guest address, length, direction. */
struct buf { uint64_t gpa; uint32_t len; bool writable; };

static struct buf buf_new(uint32_t len, bool writable)
{
	struct buf b = { next_buf, len, writable };
	next_buf += (len + 0xfff) & ~0xfffull;
	return b;
}

static struct buf header(uint32_t type, uint64_t sector)
{
	struct buf b = buf_new(16, false);
	w32(b.gpa, type);
	w32(b.gpa + 4, 0);
	w64(b.gpa + 8, sector);
	return b;
}

/* Offers the chain made of bufs[0..n) starting at descriptor `first`. */
static void offer_at(unsigned first, const struct buf *bufs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t d = DESC + 16ull * ((first + i) % QSIZE);
		w64(d, bufs[i].gpa);
		w32(d + 8, bufs[i].len);
		w16(d + 12, (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
				       (bufs[i].writable ? VIRTQ_DESC_F_WRITE : 0)));
		w16(d + 14, (uint16_t)((first + i + 1) % QSIZE));
	}
	w16(AVAIL + 4 + 2ull * (drv_idx % QSIZE), (uint16_t)first);
	drv_idx++;
	w16(AVAIL + 2, drv_idx);
}

/* One request through a notify; returns the used element's length. */
static uint32_t submit(const struct buf *bufs, unsigned n)
{
	uint16_t before = r16(USED + 2);
	offer_at(0, bufs, n);
	vd.type->notify(&vd, 0);
	assert_int_equal(r16(USED + 2), (uint16_t)(before + 1));
	return r32(USED + 4 + 8ull * (before % QSIZE) + 4);
}

static uint8_t status_of(struct buf s) { return host[s.gpa + s.len - 1]; }

/* ---- the tests ---------------------------------------------------------- */

static uint32_t cfg(unsigned off, unsigned size) { return vd.type->config_read(&vd, off, size); }

static void test_config_and_features(void **state)
{
	assert_int_equal(vd.type->device_id, 2);
	assert_int_equal(vd.type->nqueues, 1);
	assert_int_equal(cfg(0, 4), DISK_SECTORS);          /* capacity, 5.2.4 */
	assert_int_equal(cfg(4, 4), 0);
	assert_int_equal(cfg(8, 4), VBLK_SIZE_MAX);         /* size_max */
	assert_int_equal(cfg(12, 4), VBLK_SEG_MAX);         /* seg_max */
	assert_int_equal(cfg(20, 4), 512);                  /* blk_size */
	assert_int_equal(cfg(36, 4), VBLK_ZERO_MAX);        /* max_discard_sectors */
	assert_int_equal(cfg(52, 4), 1);                    /* max_write_zeroes_seg */
	assert_int_equal(cfg(1, 1), DISK_SECTORS >> 8);     /* a byte of capacity */
	uint64_t f = virtio_blk_rw.features;
	assert_true(f & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(f & (1ull << VIRTIO_BLK_F_SEG_MAX));
	assert_true(f & (1ull << VIRTIO_BLK_F_BLK_SIZE));
	assert_false(f & (1ull << VIRTIO_BLK_F_RO));
	assert_true(virtio_blk_ro.features & (1ull << VIRTIO_BLK_F_RO));
	assert_ptr_equal(vd.type, &virtio_blk_rw);
	/* A VBLK_SEG_MAX-segment request of size_max each fits in a chain. */
	assert_true(VBLK_MAX_CHAIN >= (uint64_t)VBLK_SEG_MAX * VBLK_SIZE_MAX + 17);
	assert_int_equal(VBLK_SEG_MAX + 2, virtio_blk_rw.queue_max);
}

static void test_read(void **state)
{
	struct buf b[] = { header(VIRTIO_BLK_T_IN, 3), buf_new(512, true), buf_new(1024, true),
			   buf_new(1, true) };
	assert_int_equal(submit(b, 4), 1537);
	assert_int_equal(status_of(b[3]), VIRTIO_BLK_S_OK);
	assert_memory_equal(host + b[1].gpa, image + 3 * 512, 512);
	assert_memory_equal(host + b[2].gpa, image + 4 * 512, 1024);
	assert_int_equal(used_calls, 1);
	assert_int_equal(reset_calls, 0);
}

static void test_read_data_and_status_in_one_buffer(void **state)
{
	struct buf b[] = { header(VIRTIO_BLK_T_IN, DISK_SECTORS - 1), buf_new(513, true) };
	assert_int_equal(submit(b, 2), 513);
	assert_int_equal(status_of(b[1]), VIRTIO_BLK_S_OK);
	assert_memory_equal(host + b[1].gpa, image + (DISK_SECTORS - 1) * 512, 512);
}

static void test_write_then_read(void **state)
{
	struct buf d = buf_new(8192, false);
	for (unsigned i = 0; i < 8192; i++)
		host[d.gpa + i] = (uint8_t)(0xa5 ^ i);
	struct buf w[] = { header(VIRTIO_BLK_T_OUT, 100), d, buf_new(1, true) };
	submit(w, 3);
	assert_int_equal(status_of(w[2]), VIRTIO_BLK_S_OK);
	struct buf r[] = { header(VIRTIO_BLK_T_IN, 100), buf_new(8192, true), buf_new(1, true) };
	submit(r, 3);
	assert_int_equal(status_of(r[2]), VIRTIO_BLK_S_OK);
	assert_memory_equal(host + r[1].gpa, host + d.gpa, 8192);
	/* The sectors around are untouched. */
	uint8_t s[512];
	assert_int_equal(disk.be.ops->read(&disk.be, 99, 1, s), 0);
	assert_memory_equal(s, image + 99 * 512, 512);
	assert_int_equal(disk.be.ops->read(&disk.be, 116, 1, s), 0);
	assert_memory_equal(s, image + 116 * 512, 512);
}

/* Past the end: IOERR, not a byte outside the store, nothing copied. */
static void test_out_of_range(void **state)
{
	static const uint64_t bad[] = { DISK_SECTORS - 1, DISK_SECTORS, UINT64_MAX,
					UINT64_MAX - 1, 1ull << 55 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf r[] = { header(VIRTIO_BLK_T_IN, bad[i]), buf_new(1024, true),
				   buf_new(1, true) };
		memset(host + r[1].gpa, 0xee, 1024);
		submit(r, 3);
		assert_int_equal(status_of(r[2]), VIRTIO_BLK_S_IOERR);
		assert_int_equal(host[r[1].gpa], 0xee);
		struct buf w[] = { header(VIRTIO_BLK_T_OUT, bad[i]), buf_new(1024, false),
				   buf_new(1, true) };
		submit(w, 3);
		assert_int_equal(status_of(w[2]), VIRTIO_BLK_S_IOERR);
	}
	uint8_t s[512];
	assert_int_equal(disk.be.ops->read(&disk.be, DISK_SECTORS - 1, 1, s), 0);
	assert_memory_equal(s, image + (DISK_SECTORS - 1) * 512, 512);
	assert_int_equal(reset_calls, 0);
}

/* 5.2.6.1: data in whole sectors. */
static void test_partial_sector(void **state)
{
	struct buf r[] = { header(VIRTIO_BLK_T_IN, 0), buf_new(500, true), buf_new(1, true) };
	submit(r, 3);
	assert_int_equal(status_of(r[2]), VIRTIO_BLK_S_IOERR);
	struct buf w[] = { header(VIRTIO_BLK_T_OUT, 0), buf_new(100, false), buf_new(1, true) };
	submit(w, 3);
	assert_int_equal(status_of(w[2]), VIRTIO_BLK_S_IOERR);
	uint8_t s[512];
	assert_int_equal(disk.be.ops->read(&disk.be, 0, 1, s), 0);
	assert_memory_equal(s, image, 512);
}

/* A read-only disk refuses writes even when the driver ignores F_RO. */
static void test_read_only(void **state)
{
	ram_disk_destroy(&disk);
	make_disk(true, sizeof(image));
	assert_ptr_equal(vd.type, &virtio_blk_ro);
	struct buf w[] = { header(VIRTIO_BLK_T_OUT, 0), buf_new(512, false), buf_new(1, true) };
	submit(w, 3);
	assert_int_equal(status_of(w[2]), VIRTIO_BLK_S_IOERR);
	struct buf z[] = { header(VIRTIO_BLK_T_WRITE_ZEROES, 0), buf_new(16, false),
			   buf_new(1, true) };
	w64(z[1].gpa, 0);
	w32(z[1].gpa + 8, 8);
	submit(z, 3);
	assert_int_equal(status_of(z[2]), VIRTIO_BLK_S_IOERR);
	uint8_t s[512];
	assert_int_equal(disk.be.ops->read(&disk.be, 0, 1, s), 0);
	assert_memory_equal(s, image, 512);
	struct buf r[] = { header(VIRTIO_BLK_T_IN, 0), buf_new(512, true), buf_new(1, true) };
	submit(r, 3);
	assert_int_equal(status_of(r[2]), VIRTIO_BLK_S_OK);
	assert_memory_equal(host + r[1].gpa, image, 512);
}

static void test_flush(void **state)
{
	struct buf f[] = { header(VIRTIO_BLK_T_FLUSH, 0), buf_new(1, true) };
	assert_int_equal(submit(f, 2), 1);
	assert_int_equal(status_of(f[1]), VIRTIO_BLK_S_OK);
	vd.driver_features &= ~(1ull << VIRTIO_BLK_F_FLUSH);
	struct buf g[] = { header(VIRTIO_BLK_T_FLUSH, 0), buf_new(1, true) };
	submit(g, 2);
	assert_int_equal(status_of(g[1]), VIRTIO_BLK_S_UNSUPP);
}

static void test_get_id(void **state)
{
	struct buf g[] = { header(VIRTIO_BLK_T_GET_ID, 0), buf_new(VIRTIO_BLK_ID_BYTES, true),
			   buf_new(1, true) };
	memset(host + g[1].gpa, 0xee, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(submit(g, 3), 21);
	assert_int_equal(status_of(g[2]), VIRTIO_BLK_S_OK);
	assert_memory_equal(host + g[1].gpa, "yakvm-test-serial\0\0\0", VIRTIO_BLK_ID_BYTES);
}

static void test_unsupported_type(void **state)
{
	static const uint32_t types[] = { 2, 3, 7, 99, 0xffffffffu };
	for (unsigned i = 0; i < 5; i++) {
		struct buf u[] = { header(types[i], 0), buf_new(512, true), buf_new(1, true) };
		submit(u, 3);
		assert_int_equal(status_of(u[2]), VIRTIO_BLK_S_UNSUPP);
	}
	assert_int_equal(reset_calls, 0);
}

static void test_short_header(void **state)
{
	struct buf h = buf_new(8, false);
	w32(h.gpa, VIRTIO_BLK_T_IN);
	struct buf r[] = { h, buf_new(512, true), buf_new(1, true) };
	submit(r, 3);
	assert_int_equal(status_of(r[2]), VIRTIO_BLK_S_IOERR);
	/* An IN with readable bytes after its header. */
	struct buf x[] = { header(VIRTIO_BLK_T_IN, 0), buf_new(512, false), buf_new(1, true) };
	submit(x, 3);
	assert_int_equal(status_of(x[2]), VIRTIO_BLK_S_IOERR);
	assert_int_equal(reset_calls, 0);
}

/* No writable byte for the status: the device needs a reset (2.1.2). */
static void test_no_status_byte(void **state)
{
	struct buf w[] = { header(VIRTIO_BLK_T_OUT, 0), buf_new(512, false) };
	offer_at(0, w, 2);
	vd.type->notify(&vd, 0);
	assert_int_equal(reset_calls, 1);
	assert_non_null(strstr(reset_why, "status"));
	assert_int_equal(r16(USED + 2), 0);
	assert_int_equal(used_calls, 0);
	uint8_t s[512];
	assert_int_equal(disk.be.ops->read(&disk.be, 0, 1, s), 0);
	assert_memory_equal(s, image, 512);
}

/* A chain the queue refuses (a head out of the table): needs reset. */
static void test_broken_queue(void **state)
{
	w16(AVAIL + 4, QSIZE + 3);
	w16(AVAIL + 2, 1);
	vd.type->notify(&vd, 0);
	assert_int_equal(reset_calls, 1);
	assert_string_equal(reset_why, virtq_error_name(VIRTQ_ERR_HEAD));
}

static uint8_t zero_cmd(uint32_t type, uint64_t sector, uint32_t count, uint32_t flags,
			unsigned nsegs)
{
	struct buf z[] = { header(type, 0), buf_new(16 * nsegs, false), buf_new(1, true) };
	for (unsigned i = 0; i < nsegs; i++) {
		w64(z[1].gpa + 16 * i, sector);
		w32(z[1].gpa + 16 * i + 8, count);
		w32(z[1].gpa + 16 * i + 12, flags);
	}
	submit(z, 3);
	return status_of(z[2]);
}

static void test_write_zeroes_discard(void **state)
{
	uint8_t s[512], zeros[512] = { 0 };
	uint64_t before = disk.allocated;
	/* A whole chunk (128 sectors) is given back. */
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_WRITE_ZEROES, 128, 128, 1, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.allocated, before - 1);
	assert_int_equal(disk.be.ops->read(&disk.be, 200, 1, s), 0);
	assert_memory_equal(s, zeros, 512);
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_DISCARD, 5, 2, 0, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.be.ops->read(&disk.be, 6, 1, s), 0);
	assert_memory_equal(s, zeros, 512);
	assert_int_equal(disk.be.ops->read(&disk.be, 7, 1, s), 0);
	assert_memory_equal(s, image + 7 * 512, 512);
	/* 5.2.6.2: unmap on a discard, reserved flags: UNSUPP. */
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_DISCARD, 8, 1, 1, 1), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_WRITE_ZEROES, 8, 1, 2, 1), VIRTIO_BLK_S_UNSUPP);
	/* Out of range, too many sectors, too many ranges. */
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_WRITE_ZEROES, DISK_SECTORS - 1, 2, 0, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_WRITE_ZEROES, UINT64_MAX, 2, 0, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_WRITE_ZEROES, 0, VBLK_ZERO_MAX + 1, 0, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_DISCARD, 8, 1, 0, 2), VIRTIO_BLK_S_IOERR);
	assert_int_equal(disk.be.ops->read(&disk.be, 8, 1, s), 0);
	assert_memory_equal(s, image + 8 * 512, 512);
	/* Not negotiated: UNSUPP. */
	vd.driver_features &= ~(1ull << VIRTIO_BLK_F_DISCARD);
	assert_int_equal(zero_cmd(VIRTIO_BLK_T_DISCARD, 8, 1, 0, 1), VIRTIO_BLK_S_UNSUPP);
}

/* size= zero-extends; zero chunks are not allocated until written. */
static void test_ram_disk_lazy(void **state)
{
	ram_disk_destroy(&disk);
	static uint8_t img[3 * RAM_DISK_CHUNK];
	memset(img, 0, sizeof(img));
	img[RAM_DISK_CHUNK + 5] = 1;          /* only the second chunk holds data */
	assert_true(ram_disk_create(&disk, &chunk_mem, 64ull << 20, false, img, sizeof(img)));
	blk.be = &disk.be;
	assert_int_equal(disk.be.sectors, (64ull << 20) / 512);
	assert_int_equal(disk.allocated, 1);
	assert_int_equal(cfg(0, 4), (64u << 20) / 512);
	/* Zeros written allocate nothing; a read past the image gives zeros. */
	struct buf d = buf_new(4096, false);
	struct buf w[] = { header(VIRTIO_BLK_T_OUT, 50000), d, buf_new(1, true) };
	submit(w, 3);
	assert_int_equal(status_of(w[2]), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.allocated, 1);
	host[d.gpa] = 9;
	submit(w, 3);
	assert_int_equal(disk.allocated, 2);
	/* The host out of memory: the write fails, the guest sees IOERR. */
	alloc_fails = true;
	struct buf w2[] = { header(VIRTIO_BLK_T_OUT, 90000), d, buf_new(1, true) };
	submit(w2, 3);
	assert_int_equal(status_of(w2[2]), VIRTIO_BLK_S_IOERR);
	alloc_fails = false;
	/* Too big, image larger than the disk. */
	struct ram_disk bad;
	assert_false(ram_disk_create(&bad, &chunk_mem, RAM_DISK_MAX + 512, false, NULL, 0));
	assert_false(ram_disk_create(&bad, &chunk_mem, 100, false, img, sizeof(img)));
	/* A size not a multiple of 512 is rounded up. */
	assert_true(ram_disk_create(&bad, &chunk_mem, 1000, false, img, 10));
	assert_int_equal(bad.be.sectors, 2);
	ram_disk_destroy(&bad);
}

/* A batch: several chains in one notify, one virtio_used. */
static void test_batch(void **state)
{
	struct buf r[3][3];
	for (unsigned i = 0; i < 3; i++) {
		r[i][0] = header(VIRTIO_BLK_T_IN, i);
		r[i][1] = buf_new(512, true);
		r[i][2] = buf_new(1, true);
		offer_at(3 * i, r[i], 3);
	}
	vd.type->notify(&vd, 0);
	assert_int_equal(r16(USED + 2), 3);
	assert_int_equal(used_calls, 1);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(status_of(r[i][2]), VIRTIO_BLK_S_OK);
		assert_memory_equal(host + r[i][1].gpa, image + 512 * i, 512);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_and_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_data_and_status_in_one_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_sector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_status_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_zeroes_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_disk_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
