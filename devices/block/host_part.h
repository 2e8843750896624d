/*
 * devices/block/host_part.h - a VM's disk on a host disk: a blk_backend
 * (the device's view: 512-byte sectors from 0, bounds-checked) over a
 * range of a struct blockdev (the driver's view: the whole disk in its own
 * sector size). The two interfaces stay apart on purpose: blockdev is what
 * a controller driver offers, blk_backend what a VM's device needs; this
 * file is the only bridge, and it does the three things between them:
 *
 *  - offset: sector 0 of the VM's disk is the partition's first LBA;
 *  - bounds: a request reaching past the partition fails (-1, the guest
 *    gets VIRTIO_BLK_S_IOERR) before the controller is asked, so no other
 *    sector of the host disk is ever read or written;
 *  - size: a disk of 4096-byte sectors takes only requests aligned to 4096
 *    bytes (start and length), others fail. No read-modify-write: it would
 *    make a torn sector out of a power cut between its read and its write.
 *    The device offers blk_size 4096 (VIRTIO_BLK_F_BLK_SIZE), and Linux
 *    then sends whole 4 KiB blocks only.
 *
 * Pure logic over the blockdev's operations (unit-tested with a fake disk
 * in tests/unit/test_host_part.c).
 */
#ifndef YAKVM_DEVICES_BLOCK_HOST_PART_H
#define YAKVM_DEVICES_BLOCK_HOST_PART_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/block/blk_backend.h"
#include "drivers/block/blockdev.h"

#define HOST_PART_LOGGED 4      /* error lines per disk; later ones are counted */

struct host_part {
	struct blk_backend be;          /* what the device uses */
	struct blockdev *disk;
	uint64_t first, count;          /* the partition, in the disk's sectors */
	uint32_t ratio;                 /* the disk's sector size / 512 */
	char label[64];                 /* "vm alpha: disk vda (gpt:alpha-root)" */
	uint64_t errors;                /* failed commands */
	bool failed;                    /* one failed: its buffer may still see DMA */
};

/* A backend over sectors [first, first + count) of `disk` (its sector
 * size 512 to 4096, a power of two); false if that range is not on it. */
bool host_part_init(struct host_part *hp, struct blockdev *disk, uint64_t first,
		    uint64_t count, bool read_only, const char *label);

#endif
