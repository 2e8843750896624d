/*
 * guest/guestmem.h - how the loaders write into a VM's memory.
 *
 * The loaders (Multiboot1, Linux) are pure logic: they never see host
 * addresses, only this interface, so host-side unit tests can give them a
 * plain buffer. core/vm/vm.c implements it over the VM's RAM regions.
 */
#ifndef YAKVM_GUEST_GUESTMEM_H
#define YAKVM_GUEST_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>
#include "boot/bootinfo.h"

struct guest_mem {
	void *ctx;
	/* Copies len bytes to guest-physical gpa. Returns 0, or -1 (writing
	 * nothing) unless all of [gpa, gpa+len) is guest RAM. */
	int (*write)(void *ctx, uint64_t gpa, const void *src, size_t len);
	/* Sets len bytes at gpa to zero, with the same rule. */
	int (*zero)(void *ctx, uint64_t gpa, size_t len);
	/* The VM's memory map as the guest will see it, sorted, no overlaps.
	 * MEM_USABLE ranges are RAM; others must not be loaded into. */
	const struct mem_range *map;
	unsigned map_count;
};

#endif
