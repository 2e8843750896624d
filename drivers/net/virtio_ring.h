/*
 * drivers/net/virtio_ring.h - one split virtqueue, driven from the driver's
 * side (virtio 1.1, 2.6): a descriptor table, the driver ("available")
 * ring and the device ("used") ring in one page, every descriptor one
 * buffer of VRING_BUF bytes that is never chained. Not locked: the caller
 * (one netdev, under its lock) owns the queue.
 */
#ifndef YAKVM_DRIVERS_NET_VIRTIO_RING_H
#define YAKVM_DRIVERS_NET_VIRTIO_RING_H

#include <stdbool.h>
#include <stdint.h>

#define VRING_SIZE 64		/* entries: a power of 2 (2.6) */
#define VRING_BUF  2048		/* bytes per buffer */

#define VRING_DESC_F_NEXT  1	/* 2.6.5: the chain goes on at `next` */
#define VRING_DESC_F_WRITE 2	/* 2.6.5: the device writes this buffer */

struct vring_desc {		/* 2.6.5 */
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct vring_avail {		/* 2.6.6 */
	uint16_t flags, idx, ring[VRING_SIZE], used_event;
};
struct vring_used_elem {	/* 2.6.8 */
	uint32_t id, len;
};
struct vring_used {
	uint16_t flags, idx;
	struct vring_used_elem ring[VRING_SIZE];
	uint16_t avail_event;
};

/* The layout in one page (alignments of 2.6: 16, 2 and 4 bytes). */
#define VRING_AVAIL_OFF 1024
#define VRING_USED_OFF  2048

struct vring {
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	uint8_t *bufs;			/* VRING_SIZE buffers of VRING_BUF bytes */
	uint64_t bufs_pa;		/* their bus address */
	uint16_t last_used;		/* the next used element to read */
	uint16_t free[VRING_SIZE], nfree;	/* descriptors the driver holds */
	bool out[VRING_SIZE];		/* descriptors the device holds */
	bool broken;			/* the device wrote an impossible index */
};

/* Lays the rings out in `page` (4 KiB, zeroed here) with the buffers at
 * bufs (bus address bufs_pa); every descriptor starts free. */
void vring_init(struct vring *q, void *page, uint8_t *bufs, uint64_t bufs_pa);
/* Puts descriptor id (its own buffer, len bytes, flags) in the driver ring;
 * the device sees it at the next vring_publish. */
void vring_offer(struct vring *q, uint16_t id, uint32_t len, uint16_t flags);
void vring_publish(struct vring *q);
/* Two descriptors as one chain (2.6.5: NEXT): `first` (device-readable,
 * first_len bytes) then `then` (device-writable, then_len bytes); the used
 * element names `first`. */
void vring_offer_chain(struct vring *q, uint16_t first, uint32_t first_len, uint16_t then,
		       uint32_t then_len);
/* The next used element: true with *id (< VRING_SIZE) and *len as the
 * device wrote them; false when there is none, or the device wrote an
 * impossible index, or an id it does not
 * hold (q->broken is then set and stays). */
bool vring_take_used(struct vring *q, uint16_t *id, uint32_t *len);
static inline uint8_t *vring_buf(struct vring *q, uint16_t id)
{
	return q->bufs + (uint32_t)id * VRING_BUF;
}

#endif
