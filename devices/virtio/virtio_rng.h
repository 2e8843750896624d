/*
 * devices/virtio/virtio_rng.h - the virtio entropy device (virtio 1.1,
 * 5.4) over the host CPU's RDRAND; a VM gets one with rng=on.
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_RNG_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_RNG_H

#include <stdbool.h>
#include "devices/virtio/virtio_dev.h"

extern const struct virtio_type virtio_rng_type;

/* Whether the host CPU has RDRAND (CPUID.01H:ECX[30]). */
bool virtio_rng_host_ok(void);

#endif
