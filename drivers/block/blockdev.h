/*
 * drivers/block/blockdev.h - the one interface of yakvm's host disk drivers
 * (NVMe now; AHCI and virtio-blk later): whole sectors, synchronous, by
 * polling, one command at a time per controller (the driver's lock: two
 * VMs on two CPUs may share a controller). A buffer is yakvm memory (identity mapped, so its address is the
 * host-physical address a controller's DMA uses), 4-byte aligned.
 */
#ifndef YAKVM_DRIVERS_BLOCK_BLOCKDEV_H
#define YAKVM_DRIVERS_BLOCK_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

struct blockdev;

struct blockdev_ops {
	/* 0 on success, -1 on any error (logged once by the driver). */
	int (*read)(struct blockdev *b, uint64_t lba, uint32_t count, void *buf);
	int (*write)(struct blockdev *b, uint64_t lba, uint32_t count, const void *buf);
	int (*flush)(struct blockdev *b);
};

struct blockdev {
	char name[16];			/* "nvme0n1" */
	char model[41], serial[21];
	uint32_t sector_size;
	uint64_t sectors;
	const struct blockdev_ops *ops;	/* write and flush may be NULL: read-only */
	/* A command timed out and the controller could not be stopped: it may
	 * still write into that command's buffer, which must never be reused
	 * (docs/security.md). Set by the driver, never cleared. */
	bool unsafe_dma;
	void *priv;			/* the driver's */
};

#define BLOCKDEV_MAX 16

/* Adds a disk to the list (drivers call it at probe time); 0, or -1 when full. */
int blockdev_register(struct blockdev *b);
unsigned blockdev_count(void);
struct blockdev *blockdev_get(unsigned i);
/* The disk of that name ("nvme0n1"), or NULL. */
struct blockdev *blockdev_find(const char *name);
/* Any number of sectors, inside the disk: the driver splits them. */
static inline int blockdev_read(struct blockdev *b, uint64_t lba, uint32_t count, void *buf)
{
	if (lba >= b->sectors || count > b->sectors - lba)
		return -1;
	return b->ops->read(b, lba, count, buf);
}
static inline int blockdev_write(struct blockdev *b, uint64_t lba, uint32_t count,
				 const void *buf)
{
	if (!b->ops->write || lba >= b->sectors || count > b->sectors - lba)
		return -1;
	return b->ops->write(b, lba, count, buf);
}
static inline int blockdev_flush(struct blockdev *b)
{
	return b->ops->flush ? b->ops->flush(b) : -1;
}

#endif
