/*
 * arch/x86/insn/fetch.c - the guest page-table walker and instruction fetch
 * (see fetch.h). Page-table formats: APM vol. 2, 5.3 (legacy 32-bit), 5.4
 * (PAE), 5.3.3/5.4 long mode 4-level and 5-level. Every table entry is read
 * through the VM's RAM map, so a guest whose tables point outside its RAM
 * gets WALK_NOT_RAM, never a host access. The walk has a fixed depth, so a
 * table that points at itself cannot loop.
 */
#include "arch/x86/insn/fetch.h"
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/exitcodes.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "lib/string.h"

#define PF_P    (1u << 0)
#define PF_RSVD (1u << 3)

static bool read_entry(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *e)
{
	*e = 0;
	return vm_read_gpa(v->vm, gpa, e, size);
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

enum walk_result guest_translate(struct vcpu *v, uint64_t la, unsigned access,
				 uint64_t *gpa, uint32_t *pf_err)
{
	const struct vmcb_save *s = &v->vmcb->save;
	*pf_err = access & (ACCESS_WRITE | ACCESS_USER | ACCESS_FETCH);
	if (!(s->cr0 & CR0_PG)) {
		*gpa = (s->efer & EFER_LMA) ? la : (la & 0xffffffffull);
		return WALK_OK;
	}
	bool nx_on = (s->efer & EFER_NXE) != 0;
	bool wp = (s->cr0 & CR0_WP) != 0;
	uint64_t e;

	if (!(s->cr4 & CR4_PAE)) {	/* 32-bit paging: 2 levels of 4-byte entries */
		la &= 0xffffffffull;
		uint64_t pde_pa = (s->cr3 & 0xfffff000ull) + ((la >> 22) << 2);
		if (!read_entry(v, pde_pa, 4, &e))
			return WALK_NOT_RAM;
		if (!(e & 1))
			return WALK_PAGE_FAULT;
		if (!allowed(e, access & ~ACCESS_FETCH, false, wp))
			goto prot;
		if ((e & 0x80) && (s->cr4 & CR4_PSE)) {	/* 4 MiB, PSE-36 */
			uint64_t base = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32;
			*gpa = base | (la & 0x3fffff);
			return WALK_OK;
		}
		uint64_t pte_pa = (e & 0xfffff000ull) + (((la >> 12) & 0x3ff) << 2);
		if (!read_entry(v, pte_pa, 4, &e))
			return WALK_NOT_RAM;
		if (!(e & 1))
			return WALK_PAGE_FAULT;
		if (!allowed(e, access & ~ACCESS_FETCH, false, wp))
			goto prot;
		*gpa = (e & 0xfffff000ull) | (la & 0xfff);
		return WALK_OK;
	}

	int levels;
	uint64_t table;
	if (s->efer & EFER_LMA) {
		levels = (s->cr4 & CR4_LA57) ? 5 : 4;
		table = s->cr3 & 0x000ffffffffff000ull;
	} else {			/* PAE: the PDPTE level, then 2 levels */
		la &= 0xffffffffull;
		if (!read_entry(v, (s->cr3 & 0xffffffe0ull) + ((la >> 30) << 3), 8, &e))
			return WALK_NOT_RAM;
		if (!(e & 1))
			return WALK_PAGE_FAULT;
		levels = 2;
		table = e & 0x000ffffffffff000ull;
	}
	for (int level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		if (!read_entry(v, table + (((la >> shift) & 511) << 3), 8, &e))
			return WALK_NOT_RAM;
		if (!(e & 1))
			return WALK_PAGE_FAULT;
		if (!allowed(e, access, nx_on, wp))
			goto prot;
		bool large = (level == 2 || level == 3) && (e & 0x80);
		if (level == 1 || large) {
			uint64_t mask = (1ull << shift) - 1;
			*gpa = (e & 0x000ffffffffff000ull & ~mask) | (la & mask);
			return WALK_OK;
		}
		table = e & 0x000ffffffffff000ull;
	}
	return WALK_PAGE_FAULT;	/* not reached */
prot:
	*pf_err |= PF_P;
	return WALK_PAGE_FAULT;
}

static enum walk_result copy_linear(struct vcpu *v, uint64_t la, void *buf,
				    size_t len, unsigned access, bool write,
				    uint64_t *fault_la, uint32_t *pf_err)
{
	uint8_t *p = buf;
	while (len) {
		size_t chunk = 4096 - (la & 0xfff);
		if (chunk > len)
			chunk = len;
		uint64_t gpa;
		enum walk_result r = guest_translate(v, la, access, &gpa, pf_err);
		if (r != WALK_OK) {
			*fault_la = la;
			return r;
		}
		bool ok = write ? vm_write_gpa(v->vm, gpa, p, chunk)
				: vm_read_gpa(v->vm, gpa, p, chunk);
		if (!ok) {
			*fault_la = la;
			return WALK_NOT_RAM;
		}
		la += chunk;
		p += chunk;
		len -= chunk;
	}
	return WALK_OK;
}

enum walk_result guest_read_linear(struct vcpu *v, uint64_t la, void *dst,
				   size_t len, unsigned access, uint64_t *fault_la,
				   uint32_t *pf_err)
{
	return copy_linear(v, la, dst, len, access, false, fault_la, pf_err);
}

enum walk_result guest_write_linear(struct vcpu *v, uint64_t la, const void *src,
				    size_t len, uint64_t *fault_la, uint32_t *pf_err)
{
	unsigned access = ACCESS_WRITE | (v->vmcb->save.cpl == 3 ? ACCESS_USER : 0);
	return copy_linear(v, la, (void *)src, len, access, true, fault_la, pf_err);
}

/* Long mode with a 64-bit code segment (APM vol. 2, 4.8.1). */
static bool code_64(const struct vmcb_save *s)
{
	return (s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L);
}

/* CS:RIP as a linear address; outside 64-bit code it wraps at 4 GiB. */
static uint64_t code_linear(const struct vmcb_save *s)
{
	uint64_t la = s->cs.base + s->rip;
	return code_64(s) ? la : (la & 0xffffffffull);
}

static unsigned code_access(const struct vmcb_save *s)
{
	return ACCESS_FETCH | (s->cpl == 3 ? ACCESS_USER : 0);
}

unsigned vcpu_code_bits(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (code_64(s))
		return 64;
	if (!(s->cr0 & CR0_PE) || (s->rflags & RFLAGS_VM))
		return 16;
	return (s->cs.attrib & SEG_ATTR_DB) ? 32 : 16;
}

const uint8_t *vcpu_peek_inst_bytes(struct vcpu *v, size_t *avail)
{
	const struct vmcb_save *s = &v->vmcb->save;
	uint64_t la = code_linear(s);
	size_t n = 4096 - (la & 0xfff);
	if (n > 15)
		n = 15;
	uint64_t gpa;
	uint32_t err;
	if (guest_translate(v, la, code_access(s), &gpa, &err) != WALK_OK)
		return NULL;
	*avail = n;
	uint64_t page = gpa & ~0xfffull;
	if (v->code_page_hva && v->code_page_gpa == page)
		return v->code_page_hva + (gpa & 0xfff);
	const uint8_t *h = vm_gpa_to_hva(v->vm, page, 4096);
	if (!h)		/* a page only partly RAM: no cache */
		return vm_gpa_to_hva(v->vm, gpa, n);
	v->code_page_gpa = page;
	v->code_page_hva = h;
	return h + (gpa & 0xfff);
}

bool vcpu_get_inst_bytes(struct vcpu *v, uint8_t *buf, size_t *len)
{
	struct vmcb *vmcb = v->vmcb;
	uint64_t code = vmcb->control.exitcode;
	if (svm.decode_assists && vmcb->control.insn_len &&
	    (code == VMEXIT_NPF || code == VMEXIT_EXCP_BASE + 14)) {
		*len = vmcb->control.insn_len;
		memcpy(buf, vmcb->control.insn_bytes, *len);
		return true;
	}
	size_t avail;
	const uint8_t *peek = vcpu_peek_inst_bytes(v, &avail);
	if (peek && avail == 15) {	/* the common case: all on one page of RAM */
		memcpy(buf, peek, 15);
		*len = 15;
		return true;
	}
	const struct vmcb_save *s = &vmcb->save;
	uint64_t la = code_linear(s);
	unsigned access = code_access(s);
	/* Read up to 15 bytes, but not past a page we cannot read: an
	 * instruction that ends before the next page must not fault on it. */
	size_t first = 4096 - (la & 0xfff);
	if (first > 15)
		first = 15;
	uint64_t fault_la;
	uint32_t err;
	enum walk_result r = guest_read_linear(v, la, buf, first, access, &fault_la, &err);
	*len = first;
	if (r == WALK_OK && first < 15 &&
	    guest_read_linear(v, la + first, buf + first, 15 - first, access,
			      &fault_la, &err) == WALK_OK)
		*len = 15;
	if (r == WALK_PAGE_FAULT) {
		vcpu_inject_pf(v, fault_la, err);
		return false;
	}
	if (r == WALK_NOT_RAM) {
		vm_stop(v->vm, v, "instruction fetch at linear 0x%lx is not from guest RAM", la);
		return false;
	}
	return true;
}

uint64_t vcpu_rip_after(struct vcpu *v, unsigned len)
{
	const struct vmcb_save *s = &v->vmcb->save;
	uint64_t rip = s->rip + len;
	return code_64(s) ? rip : (rip & 0xffffffffull);
}
