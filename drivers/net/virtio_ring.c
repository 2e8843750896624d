/* drivers/net/virtio_ring.c - a split virtqueue from the driver's side
 * (virtio 1.1, 2.6.13 "Supplying Buffers to The Device", 2.6.14 "Receiving
 * Used Buffers From The Device"). */
#include "drivers/net/virtio_ring.h"
#include "drivers/net/nic_ring.h"
#include "lib/string.h"

#define barrier() __asm__ volatile("" ::: "memory")

void vring_init(struct vring *q, void *page, uint8_t *bufs, uint64_t bufs_pa)
{
	memset(page, 0, 4096);
	q->desc = page;
	q->avail = (void *)((uint8_t *)page + VRING_AVAIL_OFF);
	q->used = (void *)((uint8_t *)page + VRING_USED_OFF);
	q->bufs = bufs;
	q->bufs_pa = bufs_pa;
	q->last_used = 0;
	q->broken = false;
	for (uint16_t i = 0; i < VRING_SIZE; i++) {
		q->desc[i].addr = bufs_pa + (uint64_t)i * VRING_BUF;
		q->free[i] = (uint16_t)(VRING_SIZE - 1 - i);
		q->out[i] = false;
	}
	q->nfree = VRING_SIZE;
}

/* A descriptor's fields all rewritten: what the device may have changed is
 * never trusted. */
static void put_desc(struct vring *q, uint16_t id, uint32_t len, uint16_t flags, uint16_t next)
{
	q->desc[id].addr = q->bufs_pa + (uint64_t)id * VRING_BUF;
	q->desc[id].len = len;
	q->desc[id].flags = flags;
	q->desc[id].next = next;
}

static void put_avail(struct vring *q, uint16_t head)
{
	q->out[head] = true;
	uint16_t idx = q->avail->idx;
	q->avail->ring[idx % VRING_SIZE] = head;
	barrier();
	q->avail->idx = (uint16_t)(idx + 1);	/* 2.6.13: after the ring entry */
}

void vring_offer(struct vring *q, uint16_t id, uint32_t len, uint16_t flags)
{
	put_desc(q, id, len, flags, 0);
	put_avail(q, id);
}

void vring_offer_chain(struct vring *q, uint16_t first, uint32_t first_len, uint16_t then,
		       uint32_t then_len)
{
	put_desc(q, then, then_len, VRING_DESC_F_WRITE, 0);
	put_desc(q, first, first_len, VRING_DESC_F_NEXT, then);
	put_avail(q, first);
}

void vring_publish(struct vring *q)
{
	/* 2.6.13: the index before the notification; x86 keeps stores in
	 * order, the fence also orders them before the uncached MMIO write. */
	__asm__ volatile("mfence" ::: "memory");
}

bool vring_take_used(struct vring *q, uint16_t *id, uint32_t *len)
{
	if (q->broken)
		return false;
	int n = nic_virtq_new_used(q->used->idx, q->last_used, VRING_SIZE);
	if (n <= 0) {
		q->broken = n < 0;
		return false;
	}
	barrier();	/* the element after the index that covers it */
	volatile struct vring_used_elem *e = &q->used->ring[q->last_used % VRING_SIZE];
	uint32_t i = e->id, l = e->len;
	if (i >= VRING_SIZE || !q->out[i]) {	/* 2.6.8: an id the driver gave */
		q->broken = true;
		return false;
	}
	q->out[i] = false;
	q->last_used++;
	*id = (uint16_t)i;
	*len = l;
	return true;
}
