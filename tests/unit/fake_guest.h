/*
 * tests/unit/fake_guest.h - a fake guest for the loaders' unit tests: RAM in
 * a host buffer (filled with 0xAA so zeroing shows), a memory map, and the
 * guest_mem callbacks, which fail the test on any write outside usable RAM
 * (the loader must have checked first).
 */
#ifndef YAKVM_TESTS_FAKE_GUEST_H
#define YAKVM_TESTS_FAKE_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "guest/guestmem.h"

struct fake {
	uint8_t *ram;
	uint64_t size;
	struct mem_range map[8];
	unsigned map_count;
	unsigned writes;          /* write + zero calls */
	struct guest_mem gm;
};

bool fake_usable(const struct fake *f, uint64_t gpa, uint64_t len);
void fake_add(struct fake *f, uint64_t base, uint64_t len, uint32_t type);
/* size bytes of RAM and an empty map. */
struct fake *fake_new_empty(uint64_t size);
void fake_free(struct fake *f);

#endif
