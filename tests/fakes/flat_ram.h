/*
 * tests/fakes/flat_ram.h - guest RAM for the virtio device tests and
 * harnesses (unit and fuzz builds alike): 64 KiB at guest-physical 0 in a
 * host array, and the virtqueue's memory callbacks over it
 * (devices/virtio/virtqueue.h). An access not wholly inside fails (false);
 * a 16-bit ring access at an odd address aborts, since the queue library
 * promises even ones. The test writes the driver's side into flat_ram
 * directly.
 */
#ifndef YAKVM_TESTS_FAKES_FLAT_RAM_H
#define YAKVM_TESTS_FAKES_FLAT_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/virtio/virtqueue.h"

#define FLAT_RAM_SIZE 0x10000u

extern uint8_t flat_ram[FLAT_RAM_SIZE];
extern const struct virtq_mem flat_ram_mem;

/* [gpa, gpa + len) is non-empty and inside the RAM. */
bool flat_ram_has(uint64_t gpa, uint64_t len);

#endif
