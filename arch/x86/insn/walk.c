/*
 * arch/x86/insn/walk.c - the guest page walker (see walk.h). Page-table
 * formats: APM vol. 2, 5.3 (legacy 32-bit), 5.4 (PAE), 5.3.3/5.4 long mode
 * 4-level and 5-level. Every entry is read through the caller's reader, so
 * a guest whose tables point outside its RAM gets WALK_NOT_RAM.
 */
#include "arch/x86/insn/walk.h"
#include "arch/x86/cpu.h"

#define ADDR_MASK 0x000ffffffffff000ull   /* bits 51:12 of a PAE/long entry */

static bool read_entry(walk_read_fn read, void *ctx, uint64_t gpa,
		       unsigned size, uint64_t *e)
{
	*e = 0;
	return read(ctx, gpa, size, e);
}

/* Checks one entry's permission bits against the access. */
static bool allowed(uint64_t e, unsigned access, bool nx_on, bool wp)
{
	if ((access & ACCESS_WRITE) && !(e & 2) && ((access & ACCESS_USER) || wp))
		return false;
	if ((access & ACCESS_USER) && !(e & 4))
		return false;
	if ((access & ACCESS_FETCH) && nx_on && (e >> 63))
		return false;
	return true;
}

/* 32-bit paging: 2 levels of 4-byte entries (APM vol. 2, 5.3). */
static enum walk_result walk_32(const struct walk_regs *r, uint64_t la,
				unsigned access, walk_read_fn read, void *ctx,
				uint64_t *gpa, uint32_t *pf_err)
{
	bool wp = (r->cr0 & CR0_WP) != 0;
	uint64_t e;
	la &= 0xffffffffull;
	uint64_t pde_pa = (r->cr3 & 0xfffff000ull) + ((la >> 22) << 2);
	if (!read_entry(read, ctx, pde_pa, 4, &e))
		return WALK_NOT_RAM;
	if (!(e & 1))
		return WALK_PAGE_FAULT;
	if (!allowed(e, access & ~ACCESS_FETCH, false, wp))
		goto prot;
	if ((e & 0x80) && (r->cr4 & CR4_PSE)) {	/* 4 MiB, PSE-36 */
		uint64_t base = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32;
		*gpa = base | (la & 0x3fffff);
		return WALK_OK;
	}
	uint64_t pte_pa = (e & 0xfffff000ull) + (((la >> 12) & 0x3ff) << 2);
	if (!read_entry(read, ctx, pte_pa, 4, &e))
		return WALK_NOT_RAM;
	if (!(e & 1))
		return WALK_PAGE_FAULT;
	if (!allowed(e, access & ~ACCESS_FETCH, false, wp))
		goto prot;
	*gpa = (e & 0xfffff000ull) | (la & 0xfff);
	return WALK_OK;
prot:
	*pf_err |= PF_ERR_P;
	return WALK_PAGE_FAULT;
}

/* PAE (a PDPTE, then 2 levels) and long mode (4 or 5 levels) of 8-byte
 * entries (APM vol. 2, 5.4, 5.3.3). */
static enum walk_result walk_64(const struct walk_regs *r, uint64_t la,
				unsigned access, walk_read_fn read, void *ctx,
				uint64_t *gpa, uint32_t *pf_err)
{
	bool nx_on = (r->efer & EFER_NXE) != 0;
	bool wp = (r->cr0 & CR0_WP) != 0;
	uint64_t e;
	int levels;
	uint64_t table;
	if (r->efer & EFER_LMA) {
		levels = (r->cr4 & CR4_LA57) ? 5 : 4;
		table = r->cr3 & ADDR_MASK;
	} else {
		la &= 0xffffffffull;
		if (!read_entry(read, ctx, (r->cr3 & 0xffffffe0ull) + ((la >> 30) << 3),
				8, &e))
			return WALK_NOT_RAM;
		if (!(e & 1))
			return WALK_PAGE_FAULT;
		levels = 2;
		table = e & ADDR_MASK;
	}
	for (int level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		if (!read_entry(read, ctx, table + (((la >> shift) & 511) << 3), 8, &e))
			return WALK_NOT_RAM;
		if (!(e & 1))
			return WALK_PAGE_FAULT;
		if (!allowed(e, access, nx_on, wp))
			goto prot;
		bool large = (level == 2 || level == 3) && (e & 0x80);
		if (level == 1 || large) {
			uint64_t mask = (1ull << shift) - 1;
			*gpa = (e & ADDR_MASK & ~mask) | (la & mask);
			return WALK_OK;
		}
		table = e & ADDR_MASK;
	}
	return WALK_PAGE_FAULT;	/* not reached */
prot:
	*pf_err |= PF_ERR_P;
	return WALK_PAGE_FAULT;
}

enum walk_result walk_paged(const struct walk_regs *r, uint64_t la,
			    unsigned access, walk_read_fn read, void *ctx,
			    uint64_t *gpa, uint32_t *pf_err)
{
	*pf_err = access & (ACCESS_WRITE | ACCESS_USER | ACCESS_FETCH);
	if (!(r->cr4 & CR4_PAE))
		return walk_32(r, la, access, read, ctx, gpa, pf_err);
	return walk_64(r, la, access, read, ctx, gpa, pf_err);
}
