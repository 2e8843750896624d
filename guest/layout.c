/* guest/layout.c - a VM's guest-physical memory map (see layout.h). */
#include "guest/layout.h"

static void add(struct mem_range *r, unsigned *n, uint64_t base, uint64_t end,
		uint32_t type)
{
	if (end > base)
		r[(*n)++] = (struct mem_range){ base, end - base, type };
}

void guest_layout_build(uint64_t mem, struct guest_layout *l)
{
	uint64_t low_top = mem < GUEST_MMIO_START ? mem : GUEST_MMIO_START;
	uint64_t high = mem > GUEST_MMIO_START ? mem - GUEST_MMIO_START : 0;
	l->map_count = l->ram_count = 0;

	add(l->map, &l->map_count, 0, GUEST_LOW_RAM_END, MEM_USABLE);
	add(l->map, &l->map_count, GUEST_LOW_RAM_END, GUEST_VGA_START, MEM_RESERVED);
	add(l->map, &l->map_count, GUEST_VGA_END, GUEST_HIGH_START, MEM_RESERVED);
	add(l->map, &l->map_count, GUEST_HIGH_START, low_top, MEM_USABLE);
	add(l->map, &l->map_count, GUEST_4G, GUEST_4G + high, MEM_USABLE);

	add(l->ram, &l->ram_count, 0, GUEST_VGA_START, MEM_USABLE);
	add(l->ram, &l->ram_count, GUEST_VGA_END, low_top, MEM_USABLE);
	add(l->ram, &l->ram_count, GUEST_4G, GUEST_4G + high, MEM_USABLE);
}
