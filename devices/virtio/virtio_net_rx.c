/*
 * devices/virtio/virtio_net_rx.c - receiveq1 (virtio 1.1, 5.1.6.3,
 * 5.1.6.4) and the backlog in front of it. The switch delivers on the
 * sending VM's CPU, under the switch lock, where this device's lock must
 * not be taken (two VMs sending to each other would deadlock): the frame
 * is copied into the backlog under the backlog's own (leaf) lock and the
 * device's `kick` timer armed. The kick, or a notification of
 * receiveq1 (the driver added buffers), drains the backlog under the
 * device lock: lock order device, then switch, then backlog.
 *
 * Each frame goes into one chain, or with VIRTIO_NET_F_MRG_RXBUF into up
 * to VNET_RX_CHAINS of them (5.1.6.4: num_buffers says how many; the
 * header in the first, which must hold it whole, 5.1.6.3.1). No
 * GUEST_CSUM or GUEST_GSO: the header is all zero but num_buffers
 * (5.1.6.4.1: 1 without MRG_RXBUF). A frame with no buffer waits in the
 * backlog (VNET_BACKLOG frames, at most VNET_SRC_SHARE from one port, so
 * a flooding neighbour leaves room for the others); when the backlog is
 * full, or the chains popped cannot hold it, it is dropped and counted
 * (no room), and those chains go back empty.
 */
#include "devices/virtio/virtio_net.h"
#include "lib/string.h"

enum put { PUT_DONE, PUT_EMPTY, PUT_BROKEN };

bool vnet_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
		  uint32_t len)
{
	struct vnet *vn = p->owner;
	bool ok = false;
	uint64_t f = net_lock(&vn->rx_lock);
	unsigned src = from->index % NET_PORTS_MAX;
	if (vn->rx_ready && vn->count < VNET_BACKLOG && vn->per_src[src] < VNET_SRC_SHARE &&
	    len <= ETH_FRAME_MAX) {
		struct vnet_slot *s = &vn->backlog[(vn->head + vn->count) % VNET_BACKLOG];
		memcpy(s->frame, frame, len);
		s->len = len;
		s->src = (uint8_t)src;
		vn->count++;
		vn->per_src[src]++;
		vtimer_arm(&vn->kick, time_ns());	/* armed under rx_lock only */
		ok = true;
	}
	net_unlock(&vn->rx_lock, f);
	return ok;
}

void vnet_rx_set_ready(struct vnet *vn, bool ready)
{
	uint64_t f = net_lock(&vn->rx_lock);
	vn->rx_ready = ready;
	if (!ready) {
		vn->head = vn->count = 0;
		memset(vn->per_src, 0, sizeof(vn->per_src));
	}
	net_unlock(&vn->rx_lock, f);
}

/* The frame of slot s into as many chains as it needs. */
static enum put put_frame(struct vnet *vn, struct virtq *vq, const struct vnet_slot *s,
			  unsigned max, unsigned *pushed)
{
	struct virtq_chain c[VNET_RX_CHAINS];
	uint64_t need = VNET_HDR_LEN + s->len, room = 0;
	unsigned n = 0;
	while (n < max && room < need) {
		c[n] = (struct virtq_chain){ .segs = vn->segs[n], .cap = VNET_SEGS };
		enum virtq_pop_result r = virtq_pop(vq, &c[n], VNET_CHAIN_MAX);
		if (r == VIRTQ_BROKEN)
			return PUT_BROKEN;
		if (r == VIRTQ_EMPTY)
			break;
		room += c[n++].write_len;
	}
	if (!n)
		return PUT_EMPTY;
	*pushed += n;
	if (room < need || c[0].write_len < VNET_HDR_LEN) {
		net_count(&vn->port.stats.drop_no_room, 1);
		for (unsigned i = 0; i < n; i++)
			virtq_push(vq, &c[i], 0);
		return PUT_DONE;
	}
	uint8_t hdr[VNET_HDR_LEN] = { 0 };
	hdr[VNET_HDR_NUM_BUFFERS] = (uint8_t)n;		/* le16, n <= VNET_RX_CHAINS */
	virtq_chain_write(vq, &c[0], 0, hdr, VNET_HDR_LEN);
	uint64_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t at = i ? 0 : VNET_HDR_LEN;
		uint64_t len = c[i].write_len - at < s->len - off ? c[i].write_len - at : s->len - off;
		uint64_t w = virtq_chain_write(vq, &c[i], at, s->frame + off, len);
		off += w;
		virtq_push(vq, &c[i], (uint32_t)(at + w));
	}
	return PUT_DONE;
}

void vnet_rx_drain(struct vnet *vn)
{
	struct virtio_dev *vd = vn->vd;
	struct virtq *vq = &vd->vq[VNET_RXQ];
	if (!(vd->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || !vq->enabled || vq->broken)
		return;
	/* The chains one frame may take: with MRG_RXBUF up to 4, but never
	 * more than the queue holds (the driver may make it as small as 1). */
	unsigned max = virtio_has(vd, VIRTIO_NET_F_MRG_RXBUF) ? VNET_RX_CHAINS : 1;
	max = max < vq->size ? max : vq->size;
	unsigned pushed = 0;
	enum put r = PUT_DONE;
	uint64_t f = net_lock(&vn->rx_lock);
	/* At most the queue's size per call (docs/virtio.md); each frame
	 * served pushes at least one chain, so a call that stops here made
	 * progress, and the kick it arms for the rest cannot spin. */
	while (vn->count && pushed + max <= vq->size) {
		struct vnet_slot *s = &vn->backlog[vn->head];
		r = put_frame(vn, vq, s, max, &pushed);
		if (r != PUT_DONE)
			break;
		vn->per_src[s->src]--;
		vn->head = (vn->head + 1) % VNET_BACKLOG;
		vn->count--;
	}
	if (vn->count && r == PUT_DONE)
		vtimer_arm(&vn->kick, time_ns());	/* the rest in the next round */
	net_unlock(&vn->rx_lock, f);
	if (pushed)
		virtio_used(vd, VNET_RXQ);
	if (r == PUT_BROKEN)
		virtio_needs_reset(vd, virtq_error_name(vq->broken));
}
