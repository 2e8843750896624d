/*
 * devices/virtio/virtio_net_tx.c - transmitq1 (virtio 1.1, 5.1.6.2): each
 * chain is a struct virtio_net_hdr and one frame in its readable part,
 * copied once into the device's buffer and checked there. Neither
 * VIRTIO_NET_F_CSUM nor a GSO feature is offered, so the header must
 * say flags 0 and GSO_NONE (5.1.6.2.1: the driver sets NEEDS_CSUM or a
 * gso_type only with them): another header, an empty frame or one above
 * ETH_FRAME_MAX is dropped and counted (malformed), the chain returned.
 */
#include "devices/virtio/virtio_net.h"

static bool header_ok(const uint8_t *hdr)
{
	return !(hdr[VNET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	       hdr[VNET_HDR_GSO_TYPE] == VIRTIO_NET_HDR_GSO_NONE;
}

void vnet_tx(struct vnet *vn)
{
	struct virtio_dev *vd = vn->vd;
	struct virtq *vq = &vd->vq[VNET_TXQ];
	unsigned pushed = 0;
	for (unsigned i = 0; i < VNET_TX_BUDGET && i < vq->size; i++) {
		struct virtq_chain c = { .segs = vn->segs[0], .cap = VNET_SEGS };
		if (virtq_pop(vq, &c, VNET_CHAIN_MAX) != VIRTQ_POPPED)
			break;	/* empty, or broken: the transport sees vq->broken */
		uint64_t want = c.read_len < sizeof(vn->tx_buf) ? c.read_len : sizeof(vn->tx_buf);
		uint64_t got = virtq_chain_read(vq, &c, 0, vn->tx_buf, want);
		if (got < VNET_HDR_LEN + ETH_HLEN || c.read_len > VNET_HDR_LEN + ETH_FRAME_MAX ||
		    !header_ok(vn->tx_buf))
			net_count(&vn->port.stats.drop_malformed, 1);
		else
			net_switch_input(&vn->port, vn->tx_buf + VNET_HDR_LEN,
					 (uint32_t)(got - VNET_HDR_LEN));
		if (!virtq_push(vq, &c, 0))
			break;
		pushed++;
	}
	if (pushed)
		virtio_used(vd, VNET_TXQ);
}
