/*
 * tests/fuzz/fuzz_virtio_blk.c - virtio-blk's request path (devices/virtio/
 * virtio_blk*.c over devices/block/ram_disk.c) behind a queue in a guest
 * RAM built from the input. Input: byte 0 the driver's features (bit 0
 * FLUSH, 1 DISCARD, 2 WRITE_ZEROES, 3 INDIRECT_DESC, 4 EVENT_IDX) and bit 5
 * a read-only disk; byte 1 how many notifications (1-4); then RAM from
 * guest-physical 0 (64 KiB): a queue of 8 with its descriptor table at 0,
 * available ring at 0x80, used ring at 0x100; requests, headers and
 * buffers wherever the input puts them.
 * Properties: the store is only touched inside its 64 sectors, never
 * written (nor zeroed) when read-only, and a read-only disk's bytes are
 * the image's at the end; every chain popped is pushed back (none leaks)
 * unless the device stopped for a reset; needs-reset is reported at
 * most once, and no notify is served after it (as the transport does);
 * every byte of the configuration space reads in bounds. The guest-memory
 * properties of the queue itself are fuzz_virtqueue's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_blk.h"
#include "devices/block/ram_disk.h"
#include "tests/fakes/flat_ram.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_virtio_blk: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define SPACE   0x10000ull
#define QSIZE   8
#define DESC    0x0ull
#define AVAIL   0x80ull
#define USED    0x100ull
#define SECTORS 64

static uint8_t ram[SPACE];
static struct flat_ram guest = { ram, SPACE };
static bool needs_reset;

void virtio_used(struct virtio_dev *vd, unsigned q) { CHECK(q == 0); }
void virtio_config_changed(struct virtio_dev *vd) { }
void virtio_needs_reset(struct virtio_dev *vd, const char *why)
{
	CHECK(why && !needs_reset);
	needs_reset = true;
}

/* The store, watched: every access inside it, no write when read-only. */
static struct ram_disk disk;
static bool writes_allowed;
static const struct blk_backend_ops *real;

static int w_read(struct blk_backend *b, uint64_t lba, uint32_t n, void *buf)
{
	CHECK(lba <= SECTORS && n <= SECTORS - lba && n > 0);
	return real->read(b, lba, n, buf);
}
static int w_write(struct blk_backend *b, uint64_t lba, uint32_t n, const void *buf)
{
	CHECK(writes_allowed && !b->read_only);
	CHECK(lba <= SECTORS && n <= SECTORS - lba && n > 0);
	return real->write(b, lba, n, buf);
}
static int w_flush(struct blk_backend *b) { return real->flush(b); }
static int w_zero(struct blk_backend *b, uint64_t lba, uint32_t n)
{
	CHECK(writes_allowed && !b->read_only);
	CHECK(lba <= SECTORS && n <= SECTORS - lba);
	return real->zero(b, lba, n);
}
static const struct blk_backend_ops watched = { w_read, w_write, w_flush, w_zero };

static void *h_alloc(size_t bytes) { return calloc(1, bytes); }
static void h_free(void *p, size_t bytes) { free(p); }
static const struct ram_disk_mem heap = { h_alloc, h_free };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t f = data[0];
	unsigned rounds = 1 + data[1] % 4;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 2, size - 2 < SPACE ? size - 2 : SPACE);
	static uint8_t image[SECTORS * 512];
	for (unsigned i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 13 + 1);
	CHECK(ram_disk_create(&disk, &heap, sizeof(image), f & 32, image, sizeof(image)));
	real = disk.be.ops;
	disk.be.ops = &watched;

	static struct vblk blk;
	memset(&blk, 0, sizeof(blk));
	blk.be = &disk.be;
	memcpy(blk.serial, "fuzz", 4);
	struct vblk *ptr = NULL;
	struct virtio_dev vd = { .type = virtio_blk_type(&disk.be), .type_state = &ptr };
	vd.type->init(&vd, &blk);
	uint64_t feat = 1ull << VIRTIO_F_VERSION_1;
	if (f & 1) feat |= 1ull << VIRTIO_BLK_F_FLUSH;
	if (f & 2) feat |= 1ull << VIRTIO_BLK_F_DISCARD;
	if (f & 4) feat |= 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	if (f & 8) feat |= 1ull << VIRTIO_F_INDIRECT_DESC;
	if (f & 16) feat |= 1ull << VIRTIO_F_EVENT_IDX;
	vd.driver_features = feat;
	struct virtq *vq = &vd.vq[0];
	virtq_reset(vq);
	vq->size = QSIZE;
	vq->desc = DESC;
	vq->avail = AVAIL;
	vq->used = USED;
	struct virtq_mem m = flat_ram_mem(&guest);
	CHECK(virtq_enable(vq, &m, feat));
	needs_reset = false;
	writes_allowed = !(f & 32);

	for (unsigned r = 0; r < rounds && !needs_reset; r++) {
		vd.type->notify(&vd, 0);
		/* Every chain popped was answered and pushed, unless the
		 * device stopped for a reset. */
		CHECK(needs_reset || vq->in_flight == 0);
	}
	/* The disk never changed when it is read-only. */
	if (f & 32) {
		static uint8_t now[SECTORS * 512];
		CHECK(real->read(&disk.be, 0, SECTORS, now) == 0);
		CHECK(memcmp(now, image, sizeof(image)) == 0);
	}
	/* A config read of every byte stays in bounds. */
	for (uint32_t off = 0; off < vd.type->config_size; off++)
		(void)vd.type->config_read(&vd, off, 1);
	disk.be.ops = real;
	ram_disk_destroy(&disk);
	return 0;
}
