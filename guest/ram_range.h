/*
 * guest/ram_range.h - may a loader put something at [base, base+len) of a
 * VM's memory map? The Multiboot1 and Linux loaders ask it of every piece
 * they place.
 */
#ifndef YAKVM_GUEST_RAM_RANGE_H
#define YAKVM_GUEST_RAM_RANGE_H

#include <stdint.h>
#include "guest/guestmem.h"

/* The sizes the loaders count in. */
#define KiB             1024ull
#define MiB             (1024ull * KiB)
#define FOUR_GIB        0x100000000ull
#define GUEST_PAGE_SIZE 4096ull

enum ram_range {
	RAM_RANGE_OK,
	RAM_RANGE_ABOVE_4G,     /* not (entirely) below 4 GiB */
	RAM_RANGE_RESERVED,     /* overlaps a non-usable map entry */
	RAM_RANGE_NO_RAM,       /* some part is not in any map entry */
};

/* base + len of a map entry, saturated at UINT64_MAX. */
uint64_t mem_range_end(const struct mem_range *r);

/* Where the usable RAM that starts at `from` ends, adjacent MEM_USABLE
 * entries chained; the search stops once it reaches `limit` (the result
 * may pass it). `from` itself when no usable entry holds it. */
uint64_t ram_run_end(const struct guest_mem *gm, uint64_t from, uint64_t limit);

/* OK if [base, base+len) lies below 4 GiB (both boot protocols start the
 * kernel in 32-bit mode) and is covered by MEM_USABLE entries (adjacent
 * ones chained), with no non-usable entry overlapping it. On
 * RAM_RANGE_RESERVED, *bad (if not NULL) is the entry in the way. */
enum ram_range ram_range_check(const struct guest_mem *gm, uint64_t base,
			       uint64_t len, const struct mem_range **bad);

#endif
