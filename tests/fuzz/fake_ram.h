/*
 * tests/fuzz/fake_ram.h - guest RAM for the loader harnesses: a host
 * buffer with the PC layout of guest/layout.h, whose guest_mem callbacks
 * abort on any write outside the map's usable RAM (the loaders promise to
 * check first).
 */
#ifndef YAKVM_TESTS_FUZZ_FAKE_RAM_H
#define YAKVM_TESTS_FUZZ_FAKE_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include "guest/guestmem.h"
#include "guest/layout.h"

struct fake_ram {
	uint8_t *bytes;           /* RAM below 3 GiB, `size` bytes */
	uint64_t size;
	struct guest_layout layout;
	struct guest_mem gm;
	unsigned writes;
};

/* A VM of `size` bytes (at most 1 GiB); the buffer is kept between calls. */
struct fake_ram *fake_ram_get(uint64_t size);
bool fake_ram_usable(const struct fake_ram *r, uint64_t gpa, uint64_t len);
/* The little-endian dword the loader left at gpa; aborts unless it is in
 * usable RAM (a pointer the loader handed the guest must be). */
uint32_t fake_ram_read32(const struct fake_ram *r, uint64_t gpa);

#endif
