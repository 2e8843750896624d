/*
 * devices/virtio/virtio_net_tx.c - transmitq1 (virtio 1.1, 5.1.6.2): each
 * chain is a struct virtio_net_hdr and one frame in its readable part,
 * copied once into the device's buffer and checked there.
 *
 * The header (5.1.6.2.1, 5.1.6.2.2): NEEDS_CSUM is taken only when
 * VIRTIO_NET_F_CSUM was negotiated, gso_type TCPV4 only with HOST_TSO4,
 * TCPV6 only with HOST_TSO6 (and CSUM, 5.1.3.1); any other gso_type
 * (UDP, the ECN bit: not offered) is not; other flag bits are ignored
 * (5.1.6.2.2). The switch checks the rest (net_offload_check: the
 * checksum field inside the frame, a parseable TCP GSO frame over the IP
 * version of its type, gso_size, the length). hdr_len is only a hint
 * (5.1.6.2.2): the switch finds the headers itself. A frame above
 * ETH_FRAME_MAX (NET_GSO_FRAME_MAX with HOST_TSO4 or 6), an empty one, or a
 * header refused is dropped and counted (malformed), the chain returned.
 */
#include "devices/virtio/virtio_net.h"

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The header's offload as the switch takes it, or false if refused. */
static bool header_offload(const struct virtio_dev *vd, const uint8_t *hdr,
			   struct net_offload *o)
{
	bool csum = virtio_has(vd, VIRTIO_NET_F_CSUM);
	bool tso4 = csum && virtio_has(vd, VIRTIO_NET_F_HOST_TSO4);
	bool tso6 = csum && virtio_has(vd, VIRTIO_NET_F_HOST_TSO6);
	uint8_t flags = hdr[VNET_HDR_FLAGS], gso = hdr[VNET_HDR_GSO_TYPE];
	*o = (struct net_offload){
		.needs_csum = flags & VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = gso == VIRTIO_NET_HDR_GSO_TCPV4 ? NET_GSO_TCPV4 :
			    gso == VIRTIO_NET_HDR_GSO_TCPV6 ? NET_GSO_TCPV6 : NET_GSO_NONE,
		.gso_size = le16(hdr + VNET_HDR_GSO_SIZE),
		.csum_start = le16(hdr + VNET_HDR_CSUM_START),
		.csum_offset = le16(hdr + VNET_HDR_CSUM_OFFSET),
	};
	/* Other flag bits (DATA_VALID, RSC_INFO: the driver must not set
	 * them, 5.1.6.2.1) are ignored (5.1.6.2.2). */
	if (gso != VIRTIO_NET_HDR_GSO_NONE && !(gso == VIRTIO_NET_HDR_GSO_TCPV4 && tso4) &&
	    !(gso == VIRTIO_NET_HDR_GSO_TCPV6 && tso6))
		return false;
	return !o->needs_csum || csum;
}

unsigned vnet_tx(struct vnet *vn)
{
	struct virtio_dev *vd = vn->vd;
	struct virtq *vq = &vd->vq[VNET_TXQ];
	uint64_t max = virtio_has(vd, VIRTIO_NET_F_HOST_TSO4) || virtio_has(vd, VIRTIO_NET_F_HOST_TSO6) ?
		       NET_GSO_FRAME_MAX : ETH_FRAME_MAX;
	unsigned pushed = 0;
	for (unsigned i = 0; i < VNET_TX_BUDGET && i < vq->size; i++) {
		struct virtq_chain c = { .segs = vn->segs[0], .cap = VNET_SEGS };
		if (virtq_pop(vq, &c, VNET_CHAIN_MAX) != VIRTQ_POPPED)
			break;	/* empty, or broken: the transport sees vq->broken */
		uint64_t want = c.read_len < sizeof(vn->tx_buf) ? c.read_len : sizeof(vn->tx_buf);
		uint64_t got = virtq_chain_read(vq, &c, 0, vn->tx_buf, want);
		struct net_offload o;
		if (got < VNET_HDR_LEN + ETH_HLEN || c.read_len > VNET_HDR_LEN + max ||
		    !header_offload(vd, vn->tx_buf, &o))
			net_count(&vn->port.stats.drop_malformed, 1);
		else
			net_switch_input(&vn->port, vn->tx_buf + VNET_HDR_LEN,
					 (uint32_t)(got - VNET_HDR_LEN), &o);
		if (!virtq_push(vq, &c, 0))
			break;
		pushed++;
	}
	if (pushed) {
		vn->used_rounds[VNET_TXQ]++;
		virtio_used(vd, VNET_TXQ);
	}
	return pushed;
}
