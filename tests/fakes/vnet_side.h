/*
 * tests/fakes/vnet_side.h - one VM's virtio-net device as the virtio-net
 * unit tests and harnesses need it (unit and fuzz builds alike): on the
 * switch with a MAC, its driver past DRIVER_OK with the features given,
 * and both queues enabled over a flat_ram, without the PCI transport.
 */
#ifndef YAKVM_TESTS_FAKES_VNET_SIDE_H
#define YAKVM_TESTS_FAKES_VNET_SIDE_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/virtio/virtio_net.h"
#include "tests/fakes/flat_ram.h"

/* Where a queue's three parts lie in guest RAM (virtio 1.1, 2.6). */
struct vq_layout {
	uint64_t desc, avail, used;
};

struct vnet_side {
	struct virtio_dev *vd;
	struct vnet *vn;                  /* its port's mac, deliver and owner set here */
	struct vnet **ptr;                /* the type's state: a pointer to vn */
	struct flat_ram *guest;           /* the queues keep a pointer to it */
	const uint8_t *mac;               /* 6 bytes */
	bool (*deliver)(struct net_port *p, const struct net_port *from, const uint8_t *frame,
			uint32_t len, const struct net_offload *off);
	uint64_t features;                /* the driver's; VERSION_1 and MAC always */
	uint16_t queue_size;
	struct vq_layout queue[2];        /* receiveq1, transmitq1 */
};

/* vd and vn zeroed and brought up as described. False if the switch
 * refused the port or a queue could not be enabled. */
bool vnet_side_up(const struct vnet_side *s);

#endif
