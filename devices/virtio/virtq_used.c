/*
 * devices/virtio/virtq_used.c - giving chains back through the used ring
 * (virtio 1.1, 2.6.8) and notification suppression both ways: whether the
 * driver wants a used buffer notification (2.6.7), and the device's own
 * wish for available buffer notifications (2.6.10).
 */
#include "devices/virtio/virtqueue.h"
#include "devices/virtio/virtq_ring.h"

bool virtq_push(struct virtq *vq, const struct virtq_chain *chain, uint32_t written)
{
	if (vq->broken || !vq->enabled || vq->in_flight == 0 || chain->head >= vq->size)
		return false;
	/* len is what the device wrote, from the first writable byte on. */
	if (written > chain->write_len)
		written = (uint32_t)chain->write_len;
	uint8_t elem[USED_ELEM];
	put_le32(elem, chain->head);
	put_le32(elem + 4, written);
	if (!vq->mem.write(vq->mem.ctx, used_ring_gpa(vq, vq->used_idx), elem, sizeof(elem)))
		return virtq_break(vq, VIRTQ_ERR_RING_ACCESS);
	/* 2.6.8.2: the element (and the data) before the used idx. */
	barrier_release();
	if (!virtq_write16(vq, vq->used + USED_IDX, (uint16_t)(vq->used_idx + 1)))
		return false;
	vq->used_idx++;
	vq->in_flight--;
	return true;
}

bool virtq_need_notify(struct virtq *vq)
{
	if (vq->broken || !vq->enabled)
		return false;
	uint16_t old = vq->signalled_used, new = vq->used_idx;
	vq->signalled_used = new;
	if (old == new)
		return false;	/* nothing was used since the last decision */
	/* The used idx stored before the driver's field is loaded: else a
	 * driver that just asked for a notification could miss it. */
	barrier_full();
	uint16_t v;
	if (vq->event_idx) {
		/* 2.6.7.2: notify when an entry went to index used_event. */
		if (!virtq_read16(vq, used_event_gpa(vq), &v))
			return false;
		return virtq_need_event(v, new, old);
	}
	/* 2.6.7.2: flags 1 means no notification; other bits reserved. */
	if (!virtq_read16(vq, vq->avail + AVAIL_FLAGS, &v))
		return false;
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

bool virtq_set_notify(struct virtq *vq, bool on)
{
	if (vq->broken || !vq->enabled)
		return false;
	vq->notify_off = !on;
	if (vq->event_idx) {
		/* 2.6.10.2: flags stay 0; avail_event is the next entry we
		 * want to hear of. Off: it is simply no longer moved on. */
		if (on && !virtq_write16(vq, avail_event_gpa(vq), vq->last_avail_idx))
			return false;
	} else if (!virtq_write16(vq, vq->used + USED_FLAGS, on ? 0 : VIRTQ_USED_F_NO_NOTIFY)) {
		return false;
	}
	if (!on)
		return false;
	/* The wish stored before avail idx is loaded again: a buffer added
	 * before the driver saw it would otherwise wait for ever. */
	barrier_full();
	uint16_t avail_idx;
	if (!virtq_read16(vq, vq->avail + AVAIL_IDX, &avail_idx))
		return false;
	return avail_idx != vq->last_avail_idx;
}
