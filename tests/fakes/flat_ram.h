/*
 * tests/fakes/flat_ram.h - guest RAM for the virtio device tests and
 * harnesses (unit and fuzz builds alike): guest-physical [0, size) in a
 * host buffer the test owns, and the virtqueue's memory callbacks over it
 * (devices/virtio/virtqueue.h). An access not wholly inside fails (false);
 * a 16-bit ring access at an odd address aborts, since the queue library
 * promises even ones. The test writes the driver's side into the buffer
 * directly; two VMs are two flat_rams.
 */
#ifndef YAKVM_TESTS_FAKES_FLAT_RAM_H
#define YAKVM_TESTS_FAKES_FLAT_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/virtio/virtqueue.h"

struct flat_ram {
	uint8_t *bytes;
	uint64_t size;
};

/* [gpa, gpa + len) is non-empty and inside r. */
bool flat_ram_has(const struct flat_ram *r, uint64_t gpa, uint64_t len);
/* The queue's memory callbacks over r (their ctx). */
struct virtq_mem flat_ram_mem(struct flat_ram *r);

#endif
