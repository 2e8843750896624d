/*
 * devices/virtio/virtq_ring.h - the split ring's layout in guest memory
 * (virtio 1.1, 2.6.5, 2.6.6, 2.6.8), little-endian fields decoded from
 * bytes read once, and the barriers; private to devices/virtio/.
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTQ_RING_H
#define YAKVM_DEVICES_VIRTIO_VIRTQ_RING_H

#include <stdint.h>
#include "devices/virtio/virtqueue.h"

/* struct virtq_avail { le16 flags; le16 idx; le16 ring[size]; le16 used_event; } */
#define AVAIL_FLAGS 0
#define AVAIL_IDX   2
#define AVAIL_RING  4
static inline uint64_t avail_ring_gpa(const struct virtq *vq, uint16_t i)
{
	return vq->avail + AVAIL_RING + 2ull * (i & (vq->size - 1));
}
static inline uint64_t used_event_gpa(const struct virtq *vq)
{
	return vq->avail + AVAIL_RING + 2ull * vq->size;
}
static inline uint64_t avail_bytes(uint16_t size) { return 6 + 2ull * size; }

/* struct virtq_used { le16 flags; le16 idx; struct { le32 id, len; } ring[size];
 * le16 avail_event; } */
#define USED_FLAGS 0
#define USED_IDX   2
#define USED_RING  4
#define USED_ELEM  8
static inline uint64_t used_ring_gpa(const struct virtq *vq, uint16_t i)
{
	return vq->used + USED_RING + (uint64_t)USED_ELEM * (i & (vq->size - 1));
}
static inline uint64_t avail_event_gpa(const struct virtq *vq)
{
	return vq->used + USED_RING + (uint64_t)USED_ELEM * vq->size;
}
static inline uint64_t used_bytes(uint16_t size) { return 6 + (uint64_t)USED_ELEM * size; }

/* struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; } */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static inline uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static inline uint32_t le32(const uint8_t *b)
{
	return (uint32_t)le16(b) | (uint32_t)le16(b + 2) << 16;
}
static inline uint64_t le64(const uint8_t *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}
static inline void put_le16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }
static inline void put_le32(uint8_t *b, uint32_t v)
{
	put_le16(b, (uint16_t)v);
	put_le16(b + 2, (uint16_t)(v >> 16));
}

/* The driver writes the ring before its idx (2.6.13.3.1): what the device
 * reads after the idx is not older than it. On x86 loads are not reordered
 * with loads: this only keeps the compiler from doing so. */
static inline void barrier_acquire(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
/* The used element before the used idx (2.6.8.2): stores are not
 * reordered with stores on x86 either. */
static inline void barrier_release(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
/* A store before a load of the other side's field (used idx, then
 * used_event; avail_event, then avail idx): x86 does reorder those, so a
 * full fence (the device's side of 2.6.13.4.1). */
static inline void barrier_full(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* A 16-bit ring field through mem.read16/write16; false (and the queue
 * broken) when it is not RAM. */
bool virtq_read16(struct virtq *vq, uint64_t gpa, uint16_t *v);
bool virtq_write16(struct virtq *vq, uint64_t gpa, uint16_t v);
/* Marks the queue broken (the first reason stays); returns false. */
bool virtq_break(struct virtq *vq, enum virtq_error why);

#endif
