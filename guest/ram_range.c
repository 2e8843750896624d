/* guest/ram_range.c - where a loader may place things (ram_range.h). */
#include "guest/ram_range.h"
#include <stdbool.h>

uint64_t mem_range_end(const struct mem_range *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

uint64_t ram_run_end(const struct guest_mem *gm, uint64_t from, uint64_t limit)
{
	uint64_t cur = from;
	for (unsigned steps = 0; cur < limit && steps <= gm->map_count; steps++) {
		const struct mem_range *next = NULL;
		for (unsigned i = 0; i < gm->map_count && !next; i++) {
			const struct mem_range *r = &gm->map[i];
			if (r->type == MEM_USABLE && r->base <= cur && mem_range_end(r) > cur)
				next = r;
		}
		if (!next)
			break;
		cur = mem_range_end(next);
	}
	return cur;
}

enum ram_range ram_range_check(const struct guest_mem *gm, uint64_t base,
			       uint64_t len, const struct mem_range **bad)
{
	uint64_t end;
	unsigned i;

	if (base >= FOUR_GIB || len > FOUR_GIB - base)
		return RAM_RANGE_ABOVE_4G;
	end = base + len;
	if (len == 0)
		return RAM_RANGE_OK;

	for (i = 0; i < gm->map_count; i++) {
		const struct mem_range *r = &gm->map[i];
		if (r->type != MEM_USABLE && r->len &&
		    r->base < end && mem_range_end(r) > base) {
			if (bad)
				*bad = r;
			return RAM_RANGE_RESERVED;
		}
	}

	return ram_run_end(gm, base, end) >= end ? RAM_RANGE_OK : RAM_RANGE_NO_RAM;
}
