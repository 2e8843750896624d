/*
 * devices/virtio/virtq_sg.c - copying a device's data out of a popped
 * chain's readable part and into its writable part (virtio 1.1, 2.6.5.1:
 * never write a readable buffer). Only the segments virtq_pop() checked
 * are touched; offsets and lengths are the device's, bounded here.
 */
#include "devices/virtio/virtqueue.h"

static uint64_t copy(const struct virtq *vq, const struct virtq_chain *chain, bool to_guest,
		     uint64_t off, uint8_t *buf, uint64_t len)
{
	unsigned first = to_guest ? chain->nread : 0;
	unsigned end = to_guest ? chain->nsegs : chain->nread;
	uint64_t done = 0;
	for (unsigned i = first; i < end && done < len; i++) {
		const struct virtq_seg *s = &chain->segs[i];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t n = s->len - off;
		if (n > len - done)
			n = len - done;
		bool ok = to_guest ? vq->mem.write(vq->mem.ctx, s->gpa + off, buf + done, n)
				   : vq->mem.read(vq->mem.ctx, s->gpa + off, buf + done, n);
		if (!ok)
			break;
		done += n;
		off = 0;
	}
	return done;
}

uint64_t virtq_chain_read(const struct virtq *vq, const struct virtq_chain *chain,
			  uint64_t off, void *dst, uint64_t len)
{
	return copy(vq, chain, false, off, dst, len);
}

uint64_t virtq_chain_write(const struct virtq *vq, const struct virtq_chain *chain,
			   uint64_t off, const void *src, uint64_t len)
{
	return copy(vq, chain, true, off, (uint8_t *)src, len);
}
