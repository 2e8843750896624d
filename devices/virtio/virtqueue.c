/*
 * devices/virtio/virtqueue.c - a split virtqueue's life (virtqueue.h):
 * reset, the checks when the transport enables it, and the broken state
 * a device turns into DEVICE_NEEDS_RESET (virtio 1.1, 2.1.2).
 */
#include "devices/virtio/virtqueue.h"
#include "devices/virtio/virtq_ring.h"

static const char *const error_names[VIRTQ_ERR_COUNT] = {
	[VIRTQ_ERR_NONE] = "no error",
	[VIRTQ_ERR_SIZE] = "queue size not a power of 2 from 1 to 32768",
	[VIRTQ_ERR_ALIGN] = "a ring misaligned",
	[VIRTQ_ERR_AREA] = "a ring outside RAM",
	[VIRTQ_ERR_RING_ACCESS] = "a ring access outside RAM",
	[VIRTQ_ERR_AVAIL_IDX] = "available idx more than the queue size ahead",
	[VIRTQ_ERR_OVERRUN] = "more chains in flight than the queue size",
	[VIRTQ_ERR_HEAD] = "a chain head out of range",
	[VIRTQ_ERR_NEXT] = "a next index out of range",
	[VIRTQ_ERR_LOOP] = "a descriptor chain loops",
	[VIRTQ_ERR_TOO_MANY] = "a chain of more descriptors than the device takes",
	[VIRTQ_ERR_INDIRECT_FEATURE] = "an indirect descriptor without VIRTIO_F_INDIRECT_DESC",
	[VIRTQ_ERR_INDIRECT_NEXT] = "an indirect descriptor with NEXT",
	[VIRTQ_ERR_INDIRECT_NESTED] = "an indirect descriptor in an indirect table",
	[VIRTQ_ERR_INDIRECT_LEN] = "an indirect table not a whole number of descriptors",
	[VIRTQ_ERR_INDIRECT_TABLE] = "an indirect table outside RAM",
	[VIRTQ_ERR_READ_AFTER_WRITE] = "a readable buffer after a writable one",
	[VIRTQ_ERR_BUFFER] = "a buffer outside RAM",
	[VIRTQ_ERR_TOO_LONG] = "a chain longer than the device accepts",
};

const char *virtq_error_name(enum virtq_error e)
{
	return (unsigned)e < VIRTQ_ERR_COUNT ? error_names[e] : "unknown error";
}

bool virtq_break(struct virtq *vq, enum virtq_error why)
{
	if (vq->broken == VIRTQ_ERR_NONE)
		vq->broken = why;
	return false;
}

void virtq_reset(struct virtq *vq)
{
	*vq = (struct virtq){ 0 };
}

/* [gpa, gpa+len) is RAM and does not wrap around. */
static bool area_ok(const struct virtq_mem *mem, uint64_t gpa, uint64_t len)
{
	return gpa + len > gpa && mem->is_ram(mem->ctx, gpa, len);
}

bool virtq_enable(struct virtq *vq, const struct virtq_mem *mem, uint64_t features)
{
	uint16_t size = vq->size;
	vq->mem = *mem;
	vq->indirect = features >> VIRTIO_F_INDIRECT_DESC & 1;
	vq->event_idx = features >> VIRTIO_F_EVENT_IDX & 1;
	vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
	vq->in_flight = 0;
	vq->notify_off = false;
	vq->broken = VIRTQ_ERR_NONE;
	vq->enabled = false;
	/* 2.6: a power of 2, at most 32768. */
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return virtq_break(vq, VIRTQ_ERR_SIZE);
	/* 2.6.1: alignment 16, 2 and 4. */
	if (vq->desc % 16 || vq->avail % 2 || vq->used % 4)
		return virtq_break(vq, VIRTQ_ERR_ALIGN);
	/* The sizes of 2.6's table (used_event and avail_event included). */
	if (!area_ok(mem, vq->desc, (uint64_t)VIRTQ_DESC_SIZE * size) ||
	    !area_ok(mem, vq->avail, avail_bytes(size)) ||
	    !area_ok(mem, vq->used, used_bytes(size)))
		return virtq_break(vq, VIRTQ_ERR_AREA);
	vq->enabled = true;
	return true;
}

/* The 16-bit ring fields: even addresses (the areas' alignment, checked
 * at enable), one access each. */
bool virtq_read16(struct virtq *vq, uint64_t gpa, uint16_t *v)
{
	if (!vq->mem.read16(vq->mem.ctx, gpa, v))
		return virtq_break(vq, VIRTQ_ERR_RING_ACCESS);
	return true;
}

bool virtq_write16(struct virtq *vq, uint64_t gpa, uint16_t v)
{
	if (!vq->mem.write16(vq->mem.ctx, gpa, v))
		return virtq_break(vq, VIRTQ_ERR_RING_ACCESS);
	return true;
}
