/*
 * mm/npt/npt.c - the nested page table builder (see npt.h). Entry format: the
 * long-mode page-table entry of APM vol. 2, 5.4: bit 0 P, 1 R/W, 2 U/S, 7 PS
 * (a 2 MiB page at the PD level), 12-51 the address, 63 NX.
 */
#include "mm/npt/npt.h"

#define P    (1ull << 0)
#define RW   (1ull << 1)
#define US   (1ull << 2)
#define PS   (1ull << 7)
#define NX   (1ull << 63)
#define ADDR 0x000ffffffffff000ull
#define TABLE_FLAGS (P | RW | US)   /* upper levels allow everything */

static uint64_t *virt(const struct npt *n, uint64_t pa)
{
	return n->phys_to_virt(n->ctx, pa & ADDR);
}

static uint64_t leaf_bits(uint64_t flags)
{
	return P | US | ((flags & NPT_W) ? RW : 0) | ((flags & NPT_X) ? 0 : NX);
}

bool npt_init(struct npt *n)
{
	n->root_pa = n->alloc_table(n->ctx);
	n->tables = n->root_pa ? 1 : 0;
	return n->root_pa != 0;
}

/* The entry at `level` (4 = PML4 ... 1 = PT) for gpa, creating the tables
 * above it. A 2 MiB leaf met on the way is split into 512 4 KiB entries. */
static uint64_t *walk(struct npt *n, uint64_t gpa, int target_level)
{
	uint64_t *table = virt(n, n->root_pa);
	for (int level = 4; level > target_level; level--) {
		uint64_t *e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];
		if (!(*e & P)) {
			uint64_t pa = n->alloc_table(n->ctx);
			if (!pa)
				return NULL;
			n->tables++;
			*e = pa | TABLE_FLAGS;
		} else if (*e & PS) {	/* split a 2 MiB page (level 2) */
			uint64_t pa = n->alloc_table(n->ctx);
			if (!pa)
				return NULL;
			n->tables++;
			uint64_t *pt = virt(n, pa);
			uint64_t base = *e & ADDR & ~(NPT_PAGE_2M - 1);
			uint64_t bits = *e & (P | RW | US | NX);
			for (int i = 0; i < 512; i++)
				pt[i] = (base + (uint64_t)i * NPT_PAGE_4K) | bits;
			*e = pa | TABLE_FLAGS;
		}
		table = virt(n, *e);
	}
	return &table[(gpa >> (12 + 9 * (target_level - 1))) & 511];
}

bool npt_map(struct npt *n, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags)
{
	if ((size != NPT_PAGE_4K && size != NPT_PAGE_2M) ||
	    (gpa & (size - 1)) || (hpa & (size - 1)) || (hpa & ~ADDR) ||
	    (gpa >> 48))
		return false;
	uint64_t *e = walk(n, gpa, size == NPT_PAGE_2M ? 2 : 1);
	if (!e)
		return false;
	if (size == NPT_PAGE_2M && (*e & P) && !(*e & PS)) {
		n->free_table(n->ctx, *e & ADDR);	/* the 4 KiB table it replaces */
		n->tables--;
	}
	*e = (hpa & ADDR) | leaf_bits(flags) | (size == NPT_PAGE_2M ? PS : 0);
	return true;
}

bool npt_unmap(struct npt *n, uint64_t gpa)
{
	uint64_t hpa, size, flags;
	if (!npt_lookup(n, gpa, &hpa, &size, &flags))
		return true;
	uint64_t *e = walk(n, gpa, 1);
	if (!e)
		return false;
	*e = 0;
	return true;
}

bool npt_lookup(const struct npt *n, uint64_t gpa, uint64_t *hpa, uint64_t *size,
		uint64_t *flags)
{
	if (gpa >> 48)
		return false;
	uint64_t *table = virt(n, n->root_pa);
	for (int level = 4; level >= 1; level--) {
		uint64_t e = table[(gpa >> (12 + 9 * (level - 1))) & 511];
		if (!(e & P))
			return false;
		if (level == 1 || (level == 2 && (e & PS))) {
			uint64_t sz = level == 1 ? NPT_PAGE_4K : NPT_PAGE_2M;
			*size = sz;
			*hpa = (e & ADDR & ~(sz - 1)) | (gpa & (sz - 1));
			*flags = ((e & RW) ? NPT_W : 0) | ((e & NX) ? 0 : NPT_X);
			return true;
		}
		table = virt(n, e);
	}
	return false;
}

static void free_level(struct npt *n, uint64_t pa, int level)
{
	uint64_t *t = virt(n, pa);
	if (level > 1)
		for (int i = 0; i < 512; i++)
			if ((t[i] & P) && !(level == 2 && (t[i] & PS)))
				free_level(n, t[i] & ADDR, level - 1);
	n->free_table(n->ctx, pa);
	n->tables--;
}

void npt_destroy(struct npt *n)
{
	if (n->root_pa)
		free_level(n, n->root_pa, 4);
	n->root_pa = 0;
}
