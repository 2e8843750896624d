/*
 * guest/layout.h - the guest-physical memory map of a PC-like VM with `mem`
 * bytes of RAM:
 *
 *   0x00000000-0x0009fbff  RAM (usable)
 *   0x0009fc00-0x0009ffff  RAM (reserved: extended BIOS data area)
 *   0x000a0000-0x000bffff  hole: legacy VGA, nothing mapped
 *   0x000c0000-0x000fffff  RAM (reserved: option and BIOS ROM area, where
 *                          firmware tables live)
 *   0x00100000-low_top     RAM (usable), low_top = min(mem, 3 GiB)
 *   3 GiB-4 GiB            hole for MMIO devices (LAPIC, IOAPIC, ...)
 *   4 GiB-...              the rest of the RAM (usable), if mem > 3 GiB
 *
 * `map` is what the guest is told (Multiboot1 mmap, e820); `ram` is what is
 * backed by host memory.
 */
#ifndef YAKVM_GUEST_LAYOUT_H
#define YAKVM_GUEST_LAYOUT_H

#include <stdint.h>
#include "boot/bootinfo.h"

#define GUEST_LOW_RAM_END  0x9fc00ull
#define GUEST_VGA_START    0xa0000ull
#define GUEST_VGA_END      0xc0000ull
#define GUEST_HIGH_START   0x100000ull
#define GUEST_MMIO_START   0xc0000000ull
#define GUEST_4G           0x100000000ull

struct guest_layout {
	struct mem_range map[6];
	unsigned map_count;
	struct mem_range ram[3];   /* backed ranges, type MEM_USABLE */
	unsigned ram_count;
};

void guest_layout_build(uint64_t mem, struct guest_layout *l);

#endif
