/*
 * devices/virtio/virtq_guest_ram.h - a virtqueue's guest memory over a VM's
 * RAM (mm/guest_ram.h): what a transport hands virtq_enable().
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTQ_GUEST_RAM_H
#define YAKVM_DEVICES_VIRTIO_VIRTQ_GUEST_RAM_H

#include "devices/virtio/virtqueue.h"
#include "mm/guest_ram.h"

/* `ram` must outlive the queue's use (the VM's, until it is destroyed). */
struct virtq_mem virtq_mem_guest_ram(const struct guest_ram *ram);

#endif
