/*
 * mm/pmm.h - the physical page allocator: a bitmap of 4 KiB frames over the
 * usable RAM in the boot memory map, minus yakvm's image, the Multiboot2
 * block and the modules. Host memory is identity mapped, so a physical
 * address is also a pointer (phys_to_virt).
 */
#ifndef YAKVM_MM_PMM_H
#define YAKVM_MM_PMM_H

#include <stdint.h>
#include <stddef.h>
#include "boot/bootinfo.h"

#define PAGE_SIZE  4096ul
#define PAGE_SHIFT 12
#define LARGE_PAGE_SIZE (2ul << 20)

void pmm_init(const struct boot_info *bi);
/* n contiguous zeroed pages, aligned to `align` bytes (a power of two,
 * at least PAGE_SIZE). Returns the physical address, or 0 when out of memory. */
uint64_t pmm_alloc_aligned(size_t n, uint64_t align);
uint64_t pmm_alloc_pages(size_t n);
static inline uint64_t pmm_alloc_page(void) { return pmm_alloc_pages(1); }
void pmm_free_pages(uint64_t pa, size_t n);
uint64_t pmm_free_bytes(void);
uint64_t pmm_total_bytes(void);
/* The end of the highest usable range (what the direct map must cover). */
uint64_t pmm_top(void);

static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va; }

#endif
