/*
 * tests/fakes/vnet_side.c - see vnet_side.h.
 */
#include "tests/fakes/vnet_side.h"
#include <string.h>

bool vnet_side_up(const struct vnet_side *s)
{
	memset(s->vn, 0, sizeof(*s->vn));
	*s->ptr = NULL;
	*s->vd = (struct virtio_dev){ .type = &virtio_net_type, .type_state = s->ptr };
	memcpy(s->vn->port.mac, s->mac, ETH_ALEN);
	s->vn->port.deliver = s->deliver;
	s->vn->port.owner = s->vn;
	if (net_port_attach(&s->vn->port) != NULL)
		return false;
	virtio_net_type.init(s->vd, s->vn);
	uint64_t feat = s->features | 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC;
	s->vd->driver_features = feat;
	s->vd->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	struct virtq_mem m = flat_ram_mem(s->guest);
	for (unsigned q = 0; q < 2; q++) {
		struct virtq *vq = &s->vd->vq[q];
		virtq_reset(vq);
		vq->size = s->queue_size;
		vq->desc = s->queue[q].desc;
		vq->avail = s->queue[q].avail;
		vq->used = s->queue[q].used;
		if (!virtq_enable(vq, &m, feat))
			return false;
	}
	virtio_net_type.driver_ok(s->vd);
	return true;
}
