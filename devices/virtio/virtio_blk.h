/*
 * devices/virtio/virtio_blk.h - the virtio block device (virtio 1.1,
 * section 5.2) over a struct blk_backend: one request queue, IN, OUT,
 * FLUSH, GET_ID, DISCARD and WRITE_ZEROES (docs/virtio.md).
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_BLK_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_BLK_H

#include <stdint.h>
#include "devices/block/blk_backend.h"
#include "devices/virtio/virtio_dev.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX     1
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK           0
#define VIRTIO_BLK_S_IOERR        1
#define VIRTIO_BLK_S_UNSUPP       2

#define VIRTIO_BLK_ID_BYTES 20          /* GET_ID's answer */

/* What yakvm offers (the configuration space says the limits). */
#define VBLK_QUEUE_SIZE   128
#define VBLK_SEG_MAX      (VBLK_QUEUE_SIZE - 2)   /* + header + status */
#define VBLK_SIZE_MAX     65536u                  /* bytes per segment */
#define VBLK_ZERO_MAX     8192u                   /* sectors per DISCARD/WRITE_ZEROES */
#define VBLK_ZERO_SEGS    1                       /* ranges per DISCARD/WRITE_ZEROES */
#define VBLK_HDR          16                      /* struct virtio_blk_req's header */
/* The most bytes a chain may hold: more is a broken queue. */
#define VBLK_MAX_CHAIN    ((uint64_t)VBLK_SEG_MAX * VBLK_SIZE_MAX + 4096)
#define VBLK_BOUNCE       65536   /* one host command: AHCI_MAX_XFER, under NVMe MDTS */

/* One disk's device state, made with its store when the VM is built;
 * the transport's type_state holds a pointer to it (virtio_type.init). */
struct vblk {
	struct blk_backend *be;
	char serial[VIRTIO_BLK_ID_BYTES];   /* zero-padded, not terminated when full */
	uint64_t reads, writes, flushes, errors;   /* requests served (the monitor's) */
	struct virtq_seg segs[VBLK_QUEUE_SIZE];
	/* Data on its way between guest and store: a host disk's controller
	 * DMAs here, never into guest RAM (docs/security.md). */
	_Alignas(64) uint8_t bounce[VBLK_BOUNCE];
};

/* The two types: a read-only disk's offers VIRTIO_BLK_F_RO. */
extern const struct virtio_type virtio_blk_rw, virtio_blk_ro;

static inline const struct virtio_type *virtio_blk_type(const struct blk_backend *be)
{
	return be->read_only ? &virtio_blk_ro : &virtio_blk_rw;
}

/* Serves one popped chain on queue `vq`: returns the status byte written
 * (and *written, the bytes to push), or -1 when the chain has no room for
 * the status (the driver broke 5.2.6.1: the device needs a reset). */
int vblk_serve(struct vblk *b, const struct virtio_dev *vd, const struct virtq *vq,
	       const struct virtq_chain *c, uint32_t *written);

#endif
