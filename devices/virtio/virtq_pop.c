/*
 * devices/virtio/virtq_pop.c - popping a split virtqueue's next available
 * descriptor chain (virtio 1.1, 2.6.5, 2.6.6): the available idx and the
 * head read once, then the chain copied once, descriptor by descriptor,
 * into the caller's segment array, each field checked in yakvm's copy.
 */
#include "devices/virtio/virtqueue.h"
#include "devices/virtio/virtq_ring.h"

struct walk {
	struct virtq *vq;
	struct virtq_chain *c;
	uint64_t max_len;
	unsigned ndesc;        /* buffer descriptors so far, against c->cap */
	bool seen_write;
};

static bool read_desc(struct virtq *vq, uint64_t gpa, struct desc *d)
{
	uint8_t b[VIRTQ_DESC_SIZE];
	if (!vq->mem.read(vq->mem.ctx, gpa, b, sizeof(b)))
		return false;
	d->addr = le64(b);
	d->len = le32(b + 8);
	d->flags = le16(b + 12);
	d->next = le16(b + 14);
	return true;
}

/* One descriptor that is a buffer (not INDIRECT). */
static bool add_buffer(struct walk *w, const struct desc *d)
{
	struct virtq_chain *c = w->c;
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	/* 2.6.4.1: the device MAY limit the descriptors of a chain. */
	if (++w->ndesc > c->cap)
		return virtq_break(w->vq, VIRTQ_ERR_TOO_MANY);
	/* 2.6.4.2: writable buffers after all readable ones. */
	if (!writable && w->seen_write)
		return virtq_break(w->vq, VIRTQ_ERR_READ_AFTER_WRITE);
	w->seen_write |= writable;
	if (d->len == 0)
		return true;	/* nothing to access: no segment */
	if (d->addr + d->len <= d->addr || !w->vq->mem.is_ram(w->vq->mem.ctx, d->addr, d->len))
		return virtq_break(w->vq, VIRTQ_ERR_BUFFER);
	if (d->len > w->max_len - (c->read_len + c->write_len))
		return virtq_break(w->vq, VIRTQ_ERR_TOO_LONG);
	c->segs[c->nsegs++] = (struct virtq_seg){ d->addr, d->len, writable };
	if (writable) {
		c->write_len += d->len;
	} else {
		c->read_len += d->len;
		c->nread++;
	}
	return true;
}

/* The table an INDIRECT descriptor names (2.6.5.3): desc[len / 16], the
 * chain from index 0, at most that many descriptors. */
static bool walk_indirect(struct walk *w, const struct desc *ind)
{
	struct virtq *vq = w->vq;
	/* The device ignores the WRITE flag of ind itself (2.6.5.3.2). */
	if (ind->len == 0 || ind->len % VIRTQ_DESC_SIZE)
		return virtq_break(vq, VIRTQ_ERR_INDIRECT_LEN);
	if (ind->addr + ind->len <= ind->addr || !vq->mem.is_ram(vq->mem.ctx, ind->addr, ind->len))
		return virtq_break(vq, VIRTQ_ERR_INDIRECT_TABLE);
	uint32_t count = ind->len / VIRTQ_DESC_SIZE, i = 0;
	for (uint32_t n = 0; n < count; n++) {
		struct desc d;
		if (!read_desc(vq, ind->addr + (uint64_t)VIRTQ_DESC_SIZE * i, &d))
			return virtq_break(vq, VIRTQ_ERR_INDIRECT_TABLE);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)	/* 2.6.5.3.1: one table only */
			return virtq_break(vq, VIRTQ_ERR_INDIRECT_NESTED);
		if (!add_buffer(w, &d))
			return false;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return true;
		if (d.next >= count)
			return virtq_break(vq, VIRTQ_ERR_NEXT);
		i = d.next;
	}
	return virtq_break(vq, VIRTQ_ERR_LOOP);	/* longer than its table */
}

/* The chain from `head` in the descriptor table: zero or more buffers,
 * then possibly one INDIRECT descriptor, which ends it (2.6.5.3.2). */
static bool walk_chain(struct walk *w, uint16_t head)
{
	struct virtq *vq = w->vq;
	uint16_t i = head;
	for (unsigned n = 0; n < vq->size; n++) {
		struct desc d;
		if (!read_desc(vq, vq->desc + (uint64_t)VIRTQ_DESC_SIZE * i, &d))
			return virtq_break(vq, VIRTQ_ERR_RING_ACCESS);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.6.5.3.1: only with the feature, never with NEXT. */
			if (!vq->indirect)
				return virtq_break(vq, VIRTQ_ERR_INDIRECT_FEATURE);
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return virtq_break(vq, VIRTQ_ERR_INDIRECT_NEXT);
			return walk_indirect(w, &d);
		}
		if (!add_buffer(w, &d))
			return false;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return true;
		if (d.next >= vq->size)
			return virtq_break(vq, VIRTQ_ERR_NEXT);
		i = d.next & (vq->size - 1);	/* in range even speculatively */
	}
	/* 2.6.5: the table's size is the longest chain; longer is a loop. */
	return virtq_break(vq, VIRTQ_ERR_LOOP);
}

enum virtq_pop_result virtq_pop(struct virtq *vq, struct virtq_chain *chain, uint64_t max_len)
{
	if (vq->broken)
		return VIRTQ_BROKEN;
	if (!vq->enabled)
		return VIRTQ_EMPTY;
	uint16_t avail_idx, head;
	if (!virtq_read16(vq, vq->avail + AVAIL_IDX, &avail_idx))
		return VIRTQ_BROKEN;
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (pending == 0)
		return VIRTQ_EMPTY;
	/* 2.6.6.1: idx never goes back, so it is at most size entries ahead. */
	if (pending > vq->size) {
		virtq_break(vq, VIRTQ_ERR_AVAIL_IDX);
		return VIRTQ_BROKEN;
	}
	/* Each chain holds a descriptor: no more than size can be out. */
	if (vq->in_flight >= vq->size) {
		virtq_break(vq, VIRTQ_ERR_OVERRUN);
		return VIRTQ_BROKEN;
	}
	barrier_acquire();	/* the ring entry no older than idx */
	if (!virtq_read16(vq, avail_ring_gpa(vq, vq->last_avail_idx), &head))
		return VIRTQ_BROKEN;
	if (head >= vq->size) {
		virtq_break(vq, VIRTQ_ERR_HEAD);
		return VIRTQ_BROKEN;
	}
	chain->head = head;
	chain->nsegs = chain->nread = 0;
	chain->read_len = chain->write_len = 0;
	struct walk w = { .vq = vq, .c = chain, .max_len = max_len };
	if (!walk_chain(&w, head))
		return VIRTQ_BROKEN;
	vq->last_avail_idx++;
	vq->in_flight++;
	/* 2.6.10: with EVENT_IDX, "tell me when you add the next one". The
	 * store must be visible before the next pop loads idx: else a driver
	 * adding a buffer in between reads the old avail_event, does not
	 * notify, and the next pop does not see its idx either. */
	if (vq->event_idx && !vq->notify_off) {
		if (!virtq_write16(vq, avail_event_gpa(vq), vq->last_avail_idx))
			return VIRTQ_BROKEN;
		barrier_full();
	}
	return VIRTQ_POPPED;
}
