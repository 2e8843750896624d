/*
 * mm/npt/npt.h - nested page tables (APM vol. 2, 15.25): guest-physical to
 * host-physical, in the long-mode 4-level format. Nested walks are user
 * accesses, so every entry has U=1 (15.25.5). A guest-physical page that is
 * not mapped stays not-present: touching it is a #NPF exit.
 *
 * The builder is pure: it takes its table pages from an allocator callback
 * and reaches them through a phys→virt callback, so it is unit-tested on the
 * host (tests/unit/test_npt.c).
 */
#ifndef YAKVM_MM_NPT_NPT_H
#define YAKVM_MM_NPT_NPT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define NPT_R   0            /* every mapping is readable */
#define NPT_W   (1ull << 1)
#define NPT_X   (1ull << 63) /* note: stored inverted, as NX */

#define NPT_PAGE_4K (1ull << 12)
#define NPT_PAGE_2M (1ull << 21)

struct npt {
	uint64_t root_pa;
	/* Returns a zeroed, 4 KiB-aligned page's physical address, or 0. */
	uint64_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t pa);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
	unsigned tables;     /* table pages in use, the root included */
};

/* Sets up the root. False when out of memory. */
bool npt_init(struct npt *n);
/* Maps [gpa, gpa+size) to hpa. size is 4 KiB or 2 MiB, both addresses
 * aligned to it; flags: NPT_W, NPT_X. A 2 MiB mapping replaces 4 KiB ones
 * below it (and frees their table); a 4 KiB mapping inside a 2 MiB one
 * splits it. False when out of memory or misaligned. */
bool npt_map(struct npt *n, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags);
/* Removes the mapping of the 4 KiB page at gpa (splitting a 2 MiB page). */
bool npt_unmap(struct npt *n, uint64_t gpa);
/* The host address and size of the page mapping gpa; false if not mapped. */
bool npt_lookup(const struct npt *n, uint64_t gpa, uint64_t *hpa, uint64_t *size,
		uint64_t *flags);
/* Frees every table page, the root included. */
void npt_destroy(struct npt *n);

#endif
