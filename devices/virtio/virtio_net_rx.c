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
 * The backlog: VNET_BACKLOG slots whose bytes are in a ring of
 * VNET_STORE_BYTES (frames leave in the order they came); one sending
 * port may have at most VNET_SRC_SHARE of the slots and VNET_SRC_BYTES of
 * the store, so a flooding neighbour leaves room for the others. When it
 * is full the frame is dropped and counted (no room).
 *
 * Each frame goes into one chain, or with VIRTIO_NET_F_MRG_RXBUF into up
 * to VNET_RX_CHAINS of them (5.1.6.4: num_buffers, le16, says how many;
 * the header in the first, which must hold it whole, 5.1.6.3.1). Chains
 * popped for a frame that needs more than the driver made available are
 * held until it adds buffers; a frame that all the chains one frame may
 * take cannot hold is dropped (no room) and they go back empty.
 *
 * The driver's notifications of receiveq1 are on only while a frame
 * waits for buffers (the transport leaves them to this file:
 * own_notify_queues); the kick drains whenever a frame comes.
 *
 * The header (5.1.6.4.1): a frame the switch handed with a partial
 * checksum (only when GUEST_CSUM was negotiated) has NEEDS_CSUM,
 * csum_start and csum_offset; a GSO frame (only with GUEST_TSO4) also
 * gso_type TCPV4, gso_size and hdr_len; else flags 0 and GSO_NONE.
 */
#include "devices/virtio/virtio_net.h"
#include "lib/string.h"

enum put { PUT_DONE, PUT_EMPTY, PUT_BROKEN };

/* Where len bytes fit in the store's ring: the bytes taken run from the
 * oldest frame's to store_tail, perhaps wrapped past the end (whose
 * last bytes are then unused until the oldest frame before them left). */
static bool store_place(const struct vnet *vn, uint32_t len, uint32_t *at)
{
	if (!vn->count) {
		*at = 0;
		return len <= VNET_STORE_BYTES;
	}
	uint32_t head = vn->backlog[vn->head].at, tail = vn->store_tail;
	if (tail > head) {			/* taken: [head, tail) */
		if (tail + len <= VNET_STORE_BYTES)
			*at = tail;
		else if (len <= head)
			*at = 0;
		else
			return false;
		return true;
	}
	*at = tail;				/* wrapped: free is [tail, head) */
	return tail + len <= head;
}

bool vnet_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
		  uint32_t len, const struct net_offload *off)
{
	struct vnet *vn = p->owner;
	bool ok = false;
	uint32_t at;
	uint64_t f = net_lock(&vn->rx_lock);
	unsigned src = from->index % NET_PORTS_MAX;
	if (vn->rx_ready && vn->count < VNET_BACKLOG && vn->per_src[src] < VNET_SRC_SHARE &&
	    vn->per_src_bytes[src] + len <= VNET_SRC_BYTES && len <= NET_GSO_FRAME_MAX &&
	    store_place(vn, len, &at)) {
		struct vnet_slot *s = &vn->backlog[(vn->head + vn->count) % VNET_BACKLOG];
		memcpy(vn->store + at, frame, len);
		*s = (struct vnet_slot){ .len = len, .at = at, .src = (uint8_t)src };
		if (off)
			s->off = *off;
		vn->store_tail = at + len;
		vn->count++;
		vn->per_src[src]++;
		vn->per_src_bytes[src] += len;
		vtimer_arm(&vn->kick, time_ns());	/* armed under rx_lock only */
		ok = true;
	}
	net_unlock(&vn->rx_lock, f);
	return ok;
}

void vnet_rx_set_ready(struct vnet *vn, bool ready)
{
	struct virtio_dev *vd = vn->vd;
	unsigned takes = 0;
	/* 5.1.3.1: GUEST_TSO4 and GUEST_TSO6 need GUEST_CSUM; a driver that
	 * took one alone gets whole checksums and segments. */
	if (ready && virtio_has(vd, VIRTIO_NET_F_GUEST_CSUM))
		takes = NET_RX_CSUM | (virtio_has(vd, VIRTIO_NET_F_GUEST_TSO4) ? NET_RX_TSO4 : 0) |
			(virtio_has(vd, VIRTIO_NET_F_GUEST_TSO6) ? NET_RX_TSO6 : 0);
	__atomic_store_n(&vn->port.rx_offload, takes, __ATOMIC_RELAXED);
	uint64_t f = net_lock(&vn->rx_lock);
	vn->rx_ready = ready;
	if (!ready) {
		vn->head = vn->count = 0;
		vn->store_tail = 0;
		memset(vn->per_src, 0, sizeof(vn->per_src));
		memset(vn->per_src_bytes, 0, sizeof(vn->per_src_bytes));
		vn->held = 0;		/* reset: the driver's buffers are forgotten */
		vn->held_room = 0;
	}
	net_unlock(&vn->rx_lock, f);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The header for slot s (5.1.6.4.1). */
static void make_header(const struct vnet_slot *s, unsigned nbuf, uint8_t hdr[VNET_HDR_LEN])
{
	memset(hdr, 0, VNET_HDR_LEN);
	if (s->off.needs_csum) {
		hdr[VNET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		put_le16(hdr + VNET_HDR_CSUM_START, s->off.csum_start);
		put_le16(hdr + VNET_HDR_CSUM_OFFSET, s->off.csum_offset);
	}
	if (s->off.gso_type != NET_GSO_NONE) {
		hdr[VNET_HDR_GSO_TYPE] = s->off.gso_type == NET_GSO_TCPV6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
									     VIRTIO_NET_HDR_GSO_TCPV4;
		put_le16(hdr + VNET_HDR_HDR_LEN, s->off.hdr_len);
		put_le16(hdr + VNET_HDR_GSO_SIZE, s->off.gso_size);
	}
	put_le16(hdr + VNET_HDR_NUM_BUFFERS, (uint16_t)nbuf);
}

/* The frame of slot s into as many chains as it needs. */
static enum put put_frame(struct vnet *vn, struct virtq *vq, const struct vnet_slot *s,
			  unsigned max, unsigned *pushed)
{
	struct virtq_chain *c = vn->rx_chain;
	/* Offload the driver no longer takes (it reset and negotiated less
	 * while the frame waited): dropped, never a header it did not ask for. */
	if ((s->off.needs_csum && !virtio_has(vn->vd, VIRTIO_NET_F_GUEST_CSUM)) ||
	    (s->off.gso_type && !virtio_has(vn->vd, VIRTIO_NET_F_GUEST_TSO4))) {
		net_count(&vn->port.stats.drop_no_room, 1);
		return PUT_DONE;
	}
	uint64_t need = VNET_HDR_LEN + s->len;
	while (vn->held < max && vn->held_room < need) {
		unsigned n = vn->held;
		c[n] = (struct virtq_chain){ .segs = vn->segs[n], .cap = VNET_SEGS };
		enum virtq_pop_result r = virtq_pop(vq, &c[n], VNET_CHAIN_MAX);
		if (r == VIRTQ_BROKEN)
			return PUT_BROKEN;
		if (r == VIRTQ_EMPTY)
			return PUT_EMPTY;	/* held until the driver adds buffers */
		vn->held_room += c[n].write_len;
		vn->held++;
	}
	unsigned n = vn->held;
	vn->held = 0;
	vn->held_room = 0;
	*pushed += n;
	uint64_t room = 0;
	for (unsigned i = 0; i < n; i++)
		room += c[i].write_len;
	if (room < need || c[0].write_len < VNET_HDR_LEN) {
		net_count(&vn->port.stats.drop_no_room, 1);
		for (unsigned i = 0; i < n; i++)
			virtq_push(vq, &c[i], 0);
		return PUT_DONE;
	}
	/* Only the chains the frame fills (held ones may be more). */
	unsigned used = 0;
	for (uint64_t r = 0; r < need; used++)
		r += c[used].write_len;
	uint8_t hdr[VNET_HDR_LEN];
	make_header(s, used, hdr);
	virtq_chain_write(vq, &c[0], 0, hdr, VNET_HDR_LEN);
	const uint8_t *frame = vn->store + s->at;
	uint64_t off = 0;
	for (unsigned i = 0; i < used; i++) {
		uint64_t at = i ? 0 : VNET_HDR_LEN;
		uint64_t len = c[i].write_len - at < s->len - off ? c[i].write_len - at : s->len - off;
		uint64_t w = virtq_chain_write(vq, &c[i], at, frame + off, len);
		off += w;
		virtq_push(vq, &c[i], (uint32_t)(at + w));
	}
	for (unsigned i = used; i < n; i++)	/* popped before the last frame's need was known */
		virtq_push(vq, &c[i], 0);
	return PUT_DONE;
}

void vnet_rx_drain(struct vnet *vn)
{
	struct virtio_dev *vd = vn->vd;
	struct virtq *vq = &vd->vq[VNET_RXQ];
	if (!(vd->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || !vq->enabled || vq->broken)
		return;
	/* The chains one frame may take: with MRG_RXBUF up to VNET_RX_CHAINS,
	 * but never more than the queue holds (the driver may make it as
	 * small as 1). */
	unsigned max = virtio_has(vd, VIRTIO_NET_F_MRG_RXBUF) ? VNET_RX_CHAINS : 1;
	max = max < vq->size ? max : vq->size;
	unsigned pushed = 0;
	enum put r = PUT_DONE;
	uint64_t f = net_lock(&vn->rx_lock);
	/* At most the queue's size per call (docs/virtio.md); each frame
	 * served pushes at least one chain or is dropped, so a call that
	 * stops here made progress, and the kick it arms for the rest cannot
	 * spin. */
	while (vn->count && pushed + max <= vq->size) {
		struct vnet_slot *s = &vn->backlog[vn->head];
		r = put_frame(vn, vq, s, max, &pushed);
		if (r != PUT_DONE)
			break;
		vn->per_src[s->src]--;
		vn->per_src_bytes[s->src] -= s->len;
		vn->head = (vn->head + 1) % VNET_BACKLOG;
		vn->count--;
	}
	if (vn->count && r == PUT_DONE)
		vtimer_arm(&vn->kick, time_ns());	/* the rest in the next round */
	/* Buffer notifications (2.6.10) only while a frame waits for
	 * buffers: otherwise the device takes them when a frame comes, and
	 * the driver's refills cost no exit. Turned on, avail idx is read
	 * again: buffers added meanwhile are taken in the next round. */
	if (r == PUT_EMPTY) {
		if (virtq_set_notify(vq, true))
			vtimer_arm(&vn->kick, time_ns());
	} else if (r == PUT_DONE && !vn->count) {
		virtq_set_notify(vq, false);
	}
	net_unlock(&vn->rx_lock, f);
	if (pushed) {
		vn->used_rounds[VNET_RXQ]++;
		virtio_used(vd, VNET_RXQ);
	}
	if (r == PUT_BROKEN)
		virtio_needs_reset(vd, virtq_error_name(vq->broken));
}
