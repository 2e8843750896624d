/*
 * mm/guest_ram.h - a VM's RAM: the guest-physical ranges backed by host
 * memory, in host-contiguous chunks of 2 MiB mapped in its nested page
 * tables, and guest-physical access to it (copy in, copy out, a host
 * pointer). Nothing here knows the VM: core/vm/vm.h holds one in struct vm
 * and names the accessors after the VM (vm_read_gpa(), ...).
 */
#ifndef YAKVM_MM_GUEST_RAM_H
#define YAKVM_MM_GUEST_RAM_H

#include <stdint.h>
#include <stdbool.h>
#include "boot/bootinfo.h"
#include "mm/npt/npt.h"

#define GUEST_RAM_MAX_RANGES 3

/* One 2 MiB block of guest RAM (a partial one at a range's ends), backed by
 * one host-contiguous, 2 MiB-aligned block. */
struct ram_chunk {
	uint64_t gpa, hpa, size;
};

struct guest_ram {
	struct mem_range ranges[GUEST_RAM_MAX_RANGES]; /* what is RAM, type MEM_USABLE */
	unsigned nranges;
	struct ram_chunk *chunks;   /* sorted by gpa */
	unsigned nchunks;
	unsigned npt_2m, npt_4k;    /* its nested pages, by size */
};

/* Backs `ranges` with host memory and maps them in `npt` (2 MiB pages where
 * a whole block is RAM, unless only_4k; 4 KiB pages otherwise). False when
 * out of host memory: what was allocated stays allocated (boot time only). */
bool guest_ram_alloc(struct guest_ram *r, const struct mem_range *ranges, unsigned nranges,
		     struct npt *npt, bool only_4k);
/* Gives the host memory back (the chunks and their array; not the nested
 * page tables) and returns how many bytes. No access works afterwards. */
uint64_t guest_ram_free(struct guest_ram *r);

/* Whether all of [gpa, gpa+len) is RAM, in one of its ranges. */
bool guest_ram_contains(const struct guest_ram *r, uint64_t gpa, uint64_t len);
/* Guest-physical -> host pointer for [gpa, gpa+len) if it is all RAM in one
 * chunk; NULL otherwise. */
void *guest_ram_hva(const struct guest_ram *r, uint64_t gpa, uint64_t len);
/* Copy out of / into guest RAM; false (and nothing copied) unless all of
 * [gpa, gpa+len) is RAM. */
bool guest_ram_read(const struct guest_ram *r, uint64_t gpa, void *dst, uint64_t len);
bool guest_ram_write(const struct guest_ram *r, uint64_t gpa, const void *src, uint64_t len);

#endif
