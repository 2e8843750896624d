/*
 * arch/x86/insn/walk.h - the guest page walker, pure: a guest linear address,
 * the guest's paging registers and a reader of guest-physical memory in; a
 * guest-physical address or a #PF error code out (APM vol. 2, chapter 5).
 * It knows nothing of vCPUs or VMCBs (arch/x86/insn/fetch.c is the glue),
 * so tests/unit/test_walk.c runs it on tables in a plain array.
 */
#ifndef YAKVM_ARCH_X86_INSN_WALK_H
#define YAKVM_ARCH_X86_INSN_WALK_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86/cpu.h"

/* Access kinds, as in the #PF error code (APM vol. 2, 8.4.2). An access
 * without ACCESS_USER is a supervisor one (CPL 0-2, or an implicit access
 * such as a descriptor-table read). */
#define ACCESS_WRITE (1u << 1)
#define ACCESS_USER  (1u << 2)
#define ACCESS_FETCH (1u << 4)

/* The #PF error code bits the walker adds to the access bits. */
#define PF_ERR_P    (1u << 0)   /* a protection violation, not a missing page */
#define PF_ERR_RSVD (1u << 3)   /* a reserved bit set in a present entry */

enum walk_result {
	WALK_OK,
	WALK_PAGE_FAULT,    /* the guest's tables say no: *pf_err is set */
	WALK_NOT_RAM,       /* a table or the target is not guest RAM */
};

/* The registers that choose the paging mode and its protections. */
struct walk_regs {
	uint64_t cr0, cr3, cr4, efer;
	unsigned cpl;       /* not read by the walker: for the glue's access kinds */
	unsigned maxphyaddr;    /* the guest's CPUID 8000_0008h EAX[7:0]; 0: 52 */
};

/* Reads size (4 or 8) bytes of guest-physical memory at gpa into *entry
 * (zeroed before); false when gpa is not guest RAM. */
typedef bool (*walk_read_fn)(void *ctx, uint64_t gpa, unsigned size,
			     uint64_t *entry);

/* Translates la through the tables of 32-bit, PAE, 4- or 5-level paging
 * (CR0.PG set), each entry read with read(ctx, ...). Every entry the walk
 * reads goes through read; the walk has a fixed depth, so tables that point
 * at themselves cannot loop. As the CPU does (APM vol. 2, 5.6 and 8.4.2):
 * an entry that is not present ends the walk with P = 0, a reserved bit set
 * in a present entry with P = RSVD = 1; otherwise the protections of all
 * levels together are checked (U/S, R/W with CR0.WP, NX with EFER.NXE) and
 * a violation gives P = 1. I/D is set for fetches only with EFER.NXE and
 * CR4.PAE. Not modelled: SMEP, SMAP, protection keys, the A and D bits (the
 * walk sets none), 1 GiB pages are allowed whatever CPUID says. */
enum walk_result walk_paged(const struct walk_regs *r, uint64_t la,
			    unsigned access, walk_read_fn read, void *ctx,
			    uint64_t *gpa, uint32_t *pf_err);

/* Translates la: identity with CR0.PG off (truncated to 32 bits outside long
 * mode), walk_paged() otherwise. *pf_err is set on WALK_PAGE_FAULT. Inline,
 * so that the exits of a guest without paging pay no call. */
static inline enum walk_result walk_translate(const struct walk_regs *r,
					      uint64_t la, unsigned access,
					      walk_read_fn read, void *ctx,
					      uint64_t *gpa, uint32_t *pf_err)
{
	if (!(r->cr0 & CR0_PG)) {
		*gpa = (r->efer & EFER_LMA) ? la : (la & 0xffffffffull);
		return WALK_OK;
	}
	return walk_paged(r, la, access, read, ctx, gpa, pf_err);
}

#endif
