/* drivers/block/selftest.c - disk_selftest=NAME (tests only): the write
 * path proven end to end. A known pattern (xorshift32 words from a fixed
 * seed, which the test on the host computes too) over the first 64 KiB of
 * one unambiguously named partition, a Flush, and a read back. */
#include "drivers/block/disks.h"
#include "drivers/block/blockdev.h"
#include "lib/crc32.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define TEST_BYTES (64u << 10)
#define SEED 0x79616b76u	/* "vkay" */

static void fill(uint8_t *buf, uint32_t bytes)
{
	uint32_t x = SEED;
	for (uint32_t i = 0; i + 4 <= bytes; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
		buf[i + 1] = (uint8_t)(x >> 8);
		buf[i + 2] = (uint8_t)(x >> 16);
		buf[i + 3] = (uint8_t)(x >> 24);
	}
}

void disks_selftest(const char *name)
{
	const struct catalogue_entry *e;
	switch (catalogue_find(disks_catalogue(), name, &e)) {
	case CAT_NONE:
		log_error("disk_selftest=%s: no partition of that name: nothing written", name);
		return;
	case CAT_AMBIGUOUS:
		log_error("disk_selftest=%s: the name is ambiguous (%u partitions): nothing written",
			  name, catalogue_count(disks_catalogue(), name));
		return;
	case CAT_FOUND:
		break;
	}
	struct blockdev *b = blockdev_find(e->disk);
	uint64_t pa = pmm_alloc_pages(TEST_BYTES / PAGE_SIZE);
	if (!b || !pa) {
		log_error("disk_selftest=%s: no disk or no memory: nothing written", name);
		return;
	}
	uint8_t *buf = phys_to_virt(pa);
	uint64_t n = TEST_BYTES / b->sector_size, first = e->part->first_lba;
	if (n > e->part->last_lba - first + 1)
		n = e->part->last_lba - first + 1;
	uint32_t bytes = (uint32_t)(n * b->sector_size);
	fill(buf, bytes);
	uint32_t wrote = crc32_update(0, buf, bytes);
	if (blockdev_write(b, first, (uint32_t)n, buf) || blockdev_flush(b)) {
		log_error("disk_selftest=%s: the write or the flush failed", name);
		return;	/* the buffer is never reused: a late DMA lands in it */
	}
	memset(buf, 0, bytes);
	if (blockdev_read(b, first, (uint32_t)n, buf)) {
		log_error("disk_selftest=%s: the read back failed", name);
		return;
	}
	uint32_t back = crc32_update(0, buf, bytes);
	log_info("disk %s: partition %u \"%s\": self-test: wrote sectors %lu-%lu (crc32 0x%08x), "
		 "flushed, read back crc32 0x%08x: %s", b->name, e->part->index, name, first,
		 first + n - 1, wrote, back, wrote == back ? "same" : "DIFFERENT");
	pmm_free_pages(pa, TEST_BYTES / PAGE_SIZE);
}
