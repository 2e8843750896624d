/*
 * arch/x86/insn/walk.c - the guest page walker (see walk.h). Page-table
 * formats: APM vol. 2, 5.3 (legacy 32-bit), 5.4 (PAE), 5.3.3/5.4 long mode
 * 4-level and 5-level; the protection checks: 5.6; the #PF error code:
 * 8.4.2. Every entry is read through the caller's reader, so a guest whose
 * tables point outside its RAM gets WALK_NOT_RAM.
 */
#include "arch/x86/insn/walk.h"

#define E_P    (1ull << 0)
#define E_RW   (1ull << 1)
#define E_US   (1ull << 2)
#define E_PS   (1ull << 7)
#define E_NX   (1ull << 63)
#define ADDR_MASK 0x000ffffffffff000ull   /* bits 51:12 of a PAE/long entry */

/* Bits lo..hi set. */
static uint64_t bits(unsigned lo, unsigned hi)
{
	return lo > hi ? 0 : (~0ull >> (63 - hi)) & (~0ull << lo);
}

/* 0 (unknown) or anything above 52: 52; below 32 (no x86 CPU): 32. */
static unsigned maxphyaddr(const struct walk_regs *r)
{
	unsigned m = r->maxphyaddr;
	return !m || m > 52 ? 52 : m < 32 ? 32 : m;
}

/* What the levels passed so far allow together (APM vol. 2, 5.6). */
struct rights {
	bool write, user, exec;
};

static void limit(struct rights *k, uint64_t e, bool nx_on)
{
	k->write &= (e & E_RW) != 0;
	k->user &= (e & E_US) != 0;
	if (nx_on && (e & E_NX))
		k->exec = false;
}

static bool allowed(const struct rights *k, unsigned access, bool wp)
{
	if ((access & ACCESS_USER) && !k->user)
		return false;
	/* Supervisor writes ignore R/W unless CR0.WP (APM vol. 2, 5.6.4). */
	if ((access & ACCESS_WRITE) && !k->write && ((access & ACCESS_USER) || wp))
		return false;
	if ((access & ACCESS_FETCH) && !k->exec)
		return false;
	return true;
}

static bool read_entry(walk_read_fn read, void *ctx, uint64_t gpa,
		       unsigned size, uint64_t *e)
{
	*e = 0;
	return read(ctx, gpa, size, e);
}

static enum walk_result fault(uint32_t *pf_err, uint32_t err)
{
	*pf_err |= err;
	return WALK_PAGE_FAULT;
}

/* The last level: the protections of all levels, then the address. */
static enum walk_result leaf(const struct walk_regs *r, const struct rights *k,
			     unsigned access, uint64_t page, uint64_t offset,
			     uint64_t *gpa, uint32_t *pf_err)
{
	if (!allowed(k, access, (r->cr0 & CR0_WP) != 0))
		return fault(pf_err, PF_ERR_P);
	*gpa = page | offset;
	return WALK_OK;
}

/* 32-bit paging: 2 levels of 4-byte entries (APM vol. 2, 5.3); 4 MiB pages
 * with CR4.PSE carry physical address bits 39:32 in bits 20:13 (PSE-36 as
 * AMD extends it), bit 21 and the bits above MAXPHYADDR reserved. */
static enum walk_result walk_32(const struct walk_regs *r, uint64_t la,
				unsigned access, walk_read_fn read, void *ctx,
				uint64_t *gpa, uint32_t *pf_err)
{
	struct rights k = { true, true, true };
	uint64_t e;
	la &= 0xffffffffull;
	uint64_t pde_pa = (r->cr3 & 0xfffff000ull) + ((la >> 22) << 2);
	if (!read_entry(read, ctx, pde_pa, 4, &e))
		return WALK_NOT_RAM;
	if (!(e & E_P))
		return WALK_PAGE_FAULT;
	limit(&k, e, false);
	if ((e & E_PS) && (r->cr4 & CR4_PSE)) {
		unsigned m = maxphyaddr(r);
		if (e & (bits(21, 21) | bits(13 + (m < 40 ? m - 32 : 8), 20)))
			return fault(pf_err, PF_ERR_P | PF_ERR_RSVD);
		uint64_t base = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32;
		return leaf(r, &k, access, base, la & 0x3fffff, gpa, pf_err);
	}
	uint64_t pte_pa = (e & 0xfffff000ull) + (((la >> 12) & 0x3ff) << 2);
	if (!read_entry(read, ctx, pte_pa, 4, &e))
		return WALK_NOT_RAM;
	if (!(e & E_P))
		return WALK_PAGE_FAULT;
	limit(&k, e, false);
	return leaf(r, &k, access, e & 0xfffff000ull, la & 0xfff, gpa, pf_err);
}

/* PAE (a PDPTE, then 2 levels) and long mode (4 or 5 levels) of 8-byte
 * entries (APM vol. 2, 5.4, 5.3.3). Reserved: the address bits above
 * MAXPHYADDR (to 51 in long mode, to 62 in PAE), NX without EFER.NXE, PS
 * and bit 8 in PML5Es and PML4Es, the bits between a large page's base and
 * bit 12 (PAT), and in a legacy PAE PDPTE bit 63. (Bits 8:5 and 2:1 of a
 * PDPTE are not checked: QEMU's CPU sets bit 5, the accessed bit, there.) */
static enum walk_result walk_64(const struct walk_regs *r, uint64_t la,
				unsigned access, walk_read_fn read, void *ctx,
				uint64_t *gpa, uint32_t *pf_err)
{
	bool nx_on = (r->efer & EFER_NXE) != 0;
	bool long_mode = (r->efer & EFER_LMA) != 0;
	unsigned m = maxphyaddr(r);
	uint64_t rsvd = bits(m, long_mode ? 51 : 62) | (nx_on ? 0 : E_NX);
	struct rights k = { true, true, true };
	uint64_t e;
	int levels;
	uint64_t table;
	if (long_mode) {
		levels = (r->cr4 & CR4_LA57) ? 5 : 4;
		table = r->cr3 & ADDR_MASK;
	} else {
		la &= 0xffffffffull;
		if (!read_entry(read, ctx, (r->cr3 & 0xffffffe0ull) + ((la >> 30) << 3),
				8, &e))
			return WALK_NOT_RAM;
		if (!(e & E_P))
			return WALK_PAGE_FAULT;
		if (e & bits(m, 63))
			return fault(pf_err, PF_ERR_P | PF_ERR_RSVD);
		levels = 2;
		table = e & ADDR_MASK;
	}
	for (int level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		if (!read_entry(read, ctx, table + (((la >> shift) & 511) << 3), 8, &e))
			return WALK_NOT_RAM;
		if (!(e & E_P))
			return WALK_PAGE_FAULT;
		bool large = (level == 2 || level == 3) && (e & E_PS);
		uint64_t level_rsvd = rsvd;
		if (level >= 4)
			level_rsvd |= E_PS | bits(8, 8);
		if (large)
			level_rsvd |= bits(13, shift - 1);
		if (e & level_rsvd)
			return fault(pf_err, PF_ERR_P | PF_ERR_RSVD);
		limit(&k, e, nx_on);
		if (level == 1 || large) {
			uint64_t mask = (1ull << shift) - 1;
			return leaf(r, &k, access, e & ADDR_MASK & ~mask, la & mask,
				    gpa, pf_err);
		}
		table = e & ADDR_MASK;
	}
	return WALK_PAGE_FAULT;	/* not reached: level 1 is a leaf */
}

enum walk_result walk_paged(const struct walk_regs *r, uint64_t la,
			    unsigned access, walk_read_fn read, void *ctx,
			    uint64_t *gpa, uint32_t *pf_err)
{
	/* I/D is defined only with NX enabled (APM vol. 2, 8.4.2). */
	bool id = (r->efer & EFER_NXE) && (r->cr4 & CR4_PAE);
	*pf_err = access & (ACCESS_WRITE | ACCESS_USER | (id ? ACCESS_FETCH : 0));
	if (!(r->cr4 & CR4_PAE))
		return walk_32(r, la, access, read, ctx, gpa, pf_err);
	return walk_64(r, la, access, read, ctx, gpa, pf_err);
}
