/*
 * devices/block/blk_backend.h - what a VM's disk device (virtio-blk now)
 * reads and writes: whole 512-byte sectors of one backing store, in
 * yakvm's memory, synchronously. A module disk (ram_disk.c) is one; a
 * partition or a whole host disk (host_part.c, over drivers/block/'s
 * blockdev) is another, converting to its disk's sector size.
 */
#ifndef YAKVM_DEVICES_BLOCK_BLK_BACKEND_H
#define YAKVM_DEVICES_BLOCK_BLK_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_SECTOR_SHIFT 9
#define BLK_SECTOR       512u

struct blk_backend;

/* Each returns 0, or -1 on an error of the store (host memory or disk).
 * The caller has checked [lba, lba + count) against `sectors`. */
struct blk_backend_ops {
	int (*read)(struct blk_backend *b, uint64_t lba, uint32_t count, void *buf);
	int (*write)(struct blk_backend *b, uint64_t lba, uint32_t count, const void *buf);
	int (*flush)(struct blk_backend *b);
	/* Zeroes the sectors (WRITE_ZEROES, DISCARD). */
	int (*zero)(struct blk_backend *b, uint64_t lba, uint32_t count);
};

struct blk_backend {
	uint64_t sectors;               /* its size in 512-byte sectors */
	uint32_t block_size;            /* the smallest request it takes; 0: 512 */
	bool read_only;                 /* write and zero are never called */
	const struct blk_backend_ops *ops;
	void *priv;
};

/* Whether [lba, lba + count) lies inside the store (no wrap-around). */
static inline bool blk_in_range(const struct blk_backend *b, uint64_t lba, uint64_t count)
{
	return lba <= b->sectors && count <= b->sectors - lba;
}

#endif
