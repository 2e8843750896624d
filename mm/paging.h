/*
 * mm/paging.h - yakvm's own page tables. Physical memory is identity mapped
 * (virtual == physical). yakvm's text is read+execute, its rodata read-only,
 * everything else read+write and no-execute: no page is both writable and
 * executable. Page 0 and the guard page below each stack are not mapped.
 */
#ifndef YAKVM_MM_PAGING_H
#define YAKVM_MM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Builds the tables and loads them into CR3 (the boot CPU). */
void paging_init(void);
/* Loads the same tables on another CPU. */
/* Makes the 4 KiB page at va read+execute and no longer writable (the AP
 * trampoline's code page). */
void paging_make_exec(uint64_t va);
/* Removes the 4 KiB page at va from the map (a guard page). */
void paging_unmap_page(uint64_t va);
/* Maps [pa, pa + len) at va == pa, 4 KiB pages, uncached (PCD and PWT:
 * PAT entry 3, UC in the power-on PAT that yakvm keeps; APM vol. 2, 7.8),
 * writable, no-execute: a device's MMIO registers. */
void paging_map_mmio(uint64_t pa, uint64_t len);
/* Whether va is mapped (a walk of the live tables; nothing changes). */
bool paging_is_mapped(uint64_t va);
/* Walks the live tables: counts mappings that are writable and executable.
 * Also returns the number of leaf entries visited. */
uint64_t paging_count_wx(uint64_t *leaves);

#endif
