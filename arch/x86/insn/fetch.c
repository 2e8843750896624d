/*
 * arch/x86/insn/fetch.c - the guest page-table walker and instruction fetch
 * (see fetch.h). Page-table formats: APM vol. 2, 5.3 (legacy 32-bit), 5.4
 * (PAE), 5.3.3/5.4 long mode 4-level and 5-level. Every table entry is read
 * through the VM's RAM map, so a guest whose tables point outside its RAM
 * gets WALK_NOT_RAM, never a host access. The walk has a fixed depth, so a
 * table that points at itself cannot loop.
 */
/*
 * arch/x86/insn/fetch.c - a vCPU's view of guest memory: the glue between a
 * vCPU and the pure page walker (walk.c), and instruction fetch (see
 * fetch.h). The vCPU's registers come from arch/x86/svm/paging_state.c;
 * every table entry and every byte is read through the VM's RAM map, so a
 * guest whose tables point outside its RAM gets WALK_NOT_RAM, never a host
 * access.
 */
#include "arch/x86/insn/fetch.h"
#include "arch/x86/svm/paging_state.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/string.h"

/* The walker's reader: guest RAM only. */
static bool read_gpa(void *vm, uint64_t gpa, unsigned size, uint64_t *e)
{
	return vm_read_gpa(vm, gpa, e, size);
}

static enum walk_result translate(struct vcpu *v, const struct walk_regs *r,
				  uint64_t la, unsigned access, uint64_t *gpa,
				  uint32_t *pf_err)
{
	return walk_translate(r, la, access, read_gpa, v->vm, gpa, pf_err);
}

enum walk_result guest_translate(struct vcpu *v, uint64_t la, unsigned access,
				 uint64_t *gpa, uint32_t *pf_err)
{
	struct walk_regs r;
	svm_paging_state(v, &r);
	return translate(v, &r, la, access, gpa, pf_err);
}

static unsigned user_if_cpl3(const struct walk_regs *r)
{
	return r->cpl == 3 ? ACCESS_USER : 0;
}

static enum walk_result copy_linear(struct vcpu *v, const struct walk_regs *r,
				    uint64_t la, void *buf, size_t len,
				    unsigned access, bool write,
				    uint64_t *fault_la, uint32_t *pf_err)
{
	uint8_t *p = buf;
	while (len) {
		size_t chunk = 4096 - (la & 0xfff);
		if (chunk > len)
			chunk = len;
		uint64_t gpa;
		enum walk_result w = translate(v, r, la, access, &gpa, pf_err);
		if (w != WALK_OK) {
			*fault_la = la;
			return w;
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
	struct walk_regs r;
	svm_paging_state(v, &r);
	return copy_linear(v, &r, la, dst, len, access, false, fault_la, pf_err);
}

enum walk_result guest_write_linear(struct vcpu *v, uint64_t la, const void *src,
				    size_t len, uint64_t *fault_la, uint32_t *pf_err)
{
	struct walk_regs r;
	svm_paging_state(v, &r);
	return copy_linear(v, &r, la, (void *)src, len,
			   ACCESS_WRITE | user_if_cpl3(&r), true, fault_la, pf_err);
}

static unsigned code_access(const struct code_state *c)
{
	return ACCESS_FETCH | user_if_cpl3(&c->paging);
}

unsigned vcpu_code_bits(struct vcpu *v)
{
	return svm_code_bits(v);
}

/* Inlined into both callers: the skip path of every intercepted
 * instruction runs through it. */
static inline __attribute__((always_inline)) const uint8_t *
peek(struct vcpu *v, const struct code_state *c, size_t *avail)
{
	uint64_t la = c->la;
	size_t n = 4096 - (la & 0xfff);
	if (n > 15)
		n = 15;
	uint64_t gpa;
	uint32_t err;
	if (translate(v, &c->paging, la, code_access(c), &gpa, &err) != WALK_OK)
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

const uint8_t *vcpu_peek_inst_bytes(struct vcpu *v, size_t *avail)
{
	struct code_state c;
	svm_code_state(v, &c);
	return peek(v, &c, avail);
}

/* 15 bytes as two overlapping 8-byte moves (memcpy here is a loop). */
static void copy15(uint8_t *dst, const uint8_t *src)
{
	uint64_t a, b;
	__builtin_memcpy(&a, src, 8);
	__builtin_memcpy(&b, src + 7, 8);
	__builtin_memcpy(dst, &a, 8);
	__builtin_memcpy(dst + 7, &b, 8);
}

bool vcpu_get_inst_bytes(struct vcpu *v, uint8_t *buf, size_t *len)
{
	*len = svm_exit_insn_bytes(v, buf);
	if (*len)
		return true;
	struct code_state c;
	svm_code_state(v, &c);
	size_t avail;
	const uint8_t *p = peek(v, &c, &avail);
	if (p && avail == 15) {	/* the common case: all on one page of RAM */
		copy15(buf, p);
		*len = 15;
		return true;
	}
	uint64_t la = c.la;
	unsigned access = code_access(&c);
	/* Read up to 15 bytes, but not past a page we cannot read: an
	 * instruction that ends before the next page must not fault on it. */
	size_t first = 4096 - (la & 0xfff);
	if (first > 15)
		first = 15;
	uint64_t fault_la;
	uint32_t err;
	enum walk_result r = copy_linear(v, &c.paging, la, buf, first, access, false,
					 &fault_la, &err);
	*len = first;
	if (r == WALK_OK && first < 15 &&
	    copy_linear(v, &c.paging, la + first, buf + first, 15 - first, access,
			false, &fault_la, &err) == WALK_OK)
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
	return svm_rip_after(v, len);
}
