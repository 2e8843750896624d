/* drivers/net/virtio_net.h - the virtio-net host driver (virtio_net.c). */
#ifndef YAKVM_DRIVERS_NET_VIRTIO_NET_H
#define YAKVM_DRIVERS_NET_VIRTIO_NET_H

#include <stdbool.h>
#include "drivers/pci/pci.h"

/* Brings the card up and registers it as a netdev: true if taken. */
bool virtio_net_probe(const struct pci_func *f);

#endif
