/*
 * arch/x86/svm/cr.c - the guest's writes of CR4 (the CR4 write intercept)
 * and of CR0 bits other than TS and MP (the selective CR0 write intercept,
 * APM vol. 2, 15.9), checked against the CPU model (arch/x86/cpu_model.c).
 * The CPU itself checks a guest's CR writes against the host's features, not
 * the model's, and an emulator may not check them at all (QEMU's TCG lets
 * CR4 = 0xffffffff through, and the next VMRUN fails): here a write gets #GP
 * for a reserved bit, a bit of a hidden feature, or a forbidden combination
 * (APM vol. 3, "MOV CRn"; vol. 2, 3.1.1-3.1.3 and 14.6), as on a CPU of the
 * model. Without decode assists EXITINFO1 does not name the register, so the
 * instruction (MOV to CR0/CR4, LMSW) is decoded from the guest's memory.
 */
#include <stddef.h>
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/fetch.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"

/* CR0 bits 31:0 that are not defined read as 0 and ignore writes (as KVM);
 * ET reads 1 (APM vol. 2, 3.1.1). Bits 63:32 must be zero. */
#define CR0_ET_BIT (1ull << 4)

static struct vmcb_seg *seg_of(struct vmcb_save *s, unsigned seg)
{
	switch (seg) {
	case SEG_ES: return &s->es;
	case SEG_CS: return &s->cs;
	case SEG_SS: return &s->ss;
	case SEG_FS: return &s->fs;
	case SEG_GS: return &s->gs;
	}
	return &s->ds;
}

/* The 16-bit source of LMSW from memory (0F 01 /6). */
static bool lmsw_mem(struct vcpu *v, const struct insn *in, uint64_t *val)
{
	struct vmcb_save *s = &v->vmcb->save;
	uint64_t ea = (uint64_t)(int64_t)in->disp;
	if (in->rip_relative)
		ea += s->rip + in->len;
	else if (in->base != INSN_NO_REG)
		ea += v->regs.r[in->base];
	if (in->index != INSN_NO_REG)
		ea += v->regs.r[in->index] * in->scale;
	if (in->addrsize == 4)
		ea = (uint32_t)ea;
	else if (in->addrsize == 2)
		ea = (uint16_t)ea;
	unsigned seg = in->seg;
	if (seg == INSN_SEG_NONE)
		seg = (in->base == GPR_RSP || in->base == GPR_RBP) ? SEG_SS : SEG_DS;
	bool long64 = in->mode_bits == 64;
	if (!long64 || seg == SEG_FS || seg == SEG_GS)
		ea += seg_of(s, seg)->base;
	if (!long64)
		ea = (uint32_t)ea;
	uint16_t w;
	uint64_t fault_la;
	uint32_t pf_err;
	switch (guest_read_linear(v, ea, &w, 2, s->cpl == 3 ? ACCESS_USER : 0,
				  &fault_la, &pf_err)) {
	case WALK_OK:
		*val = w;
		return true;
	case WALK_PAGE_FAULT:
		vcpu_inject_pf(v, fault_la, pf_err);
		return false;
	case WALK_NOT_RAM:
		break;
	}
	vm_stop(v->vm, v, "LMSW reads outside guest RAM at 0x%lx", ea);
	return false;
}

/* Decodes the write of CRn that exited: its new value, or false when the
 * exit is already dealt with (a #PF queued, the VM stopped). For LMSW
 * *lmsw is set and the value is its 16-bit source. */
static bool decode_cr_write(struct vcpu *v, unsigned cr, uint64_t *val, bool *lmsw)
{
	uint8_t buf[INSN_MAX_LEN];
	size_t n;
	struct insn in;
	*lmsw = false;
	if (!vcpu_get_inst_bytes(v, buf, &n))
		return false;
	if (insn_decode(&in, buf, n, vcpu_code_bits(v)) == INSN_OK &&
	    in.map == INSN_MAP_0F && in.has_modrm) {
		if (in.opcode == 0x22 && in.reg == cr && !in.lock) {
			/* MOV CRn, reg: always a register operand. */
			*val = v->regs.r[in.rm];
			if (in.mode_bits != 64)
				*val = (uint32_t)*val;
			return true;
		}
		if (in.opcode == 0x01 && cr == 0 && (in.modrm >> 3 & 7) == 6) {
			*lmsw = true;
			if (in.mod == 3) {
				*val = (uint16_t)v->regs.r[in.rm];
				return true;
			}
			return lmsw_mem(v, &in, val);
		}
	}
	vm_stop(v->vm, v, "cannot decode the write of CR%u (%02x %02x %02x %02x)",
		cr, buf[0], buf[1], buf[2], buf[3]);
	return false;
}

/* The guest's TLB entries go, as a MOV to CR0/CR4 that changes paging bits
 * would flush them (APM vol. 2, 5.5.3). */
static void flush_guest_tlb(struct vcpu *v)
{
	v->vmcb->control.tlb_control = svm.flush_by_asid ? TLB_CONTROL_FLUSH_ASID
							 : TLB_CONTROL_FLUSH_ALL;
}

static bool cs_long(const struct vmcb_save *s)
{
	return (s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L);
}

/* MOV to CR4: #GP for bits the model does not offer, and for clearing PAE
 * in long mode. */
static bool cr4_write_ok(const struct vmcb_save *s, uint64_t val)
{
	if (val & ~cpu_policy.cr4_allowed)
		return false;
	if ((s->efer & EFER_LMA) && !(val & CR4_PAE))
		return false;
	return true;
}

/* MOV to CR0 (APM vol. 3, "MOV CRn"; vol. 2, 14.6.1): the returned value, or
 * false for #GP. */
static bool cr0_write_ok(const struct vmcb_save *s, uint64_t val, uint64_t *out)
{
	if (val >> 32)
		return false;
	val = (val & cpu_policy.cr0_allowed) | CR0_ET_BIT;
	if ((val & CR0_NW) && !(val & CR0_CD))
		return false;
	if ((val & CR0_PG) && !(val & CR0_PE))
		return false;
	bool pg_on = (val & CR0_PG) && !(s->cr0 & CR0_PG);
	bool pg_off = !(val & CR0_PG) && (s->cr0 & CR0_PG);
	if (pg_on && (s->efer & EFER_LME) && (!(s->cr4 & CR4_PAE) || (s->cs.attrib & SEG_ATTR_L)))
		return false;
	if (pg_off && cs_long(s))
		return false;	/* long mode is left from compatibility mode only */
	*out = val;
	return true;
}

static void handle_cr_write(struct vcpu *v, unsigned cr)
{
	struct vmcb_save *s = &v->vmcb->save;
	uint64_t val;
	bool lmsw;
	if (s->cpl != 0) {
		vcpu_inject_gp(v);
		return;
	}
	if (!decode_cr_write(v, cr, &val, &lmsw))
		return;
	if (cr == 4) {
		if (!cr4_write_ok(s, val)) {
			vcpu_inject_gp(v);
			return;
		}
		s->cr4 = val;
	} else {
		/* LMSW writes PE, MP, EM, TS only, and cannot clear PE. */
		if (lmsw)
			val = (s->cr0 & ~0xeull) | (val & 0xf) | (s->cr0 & CR0_PE);
		uint64_t cr0;
		if (!cr0_write_ok(s, val, &cr0)) {
			vcpu_inject_gp(v);
			return;
		}
		/* Paging on with LME activates long mode, off leaves it
		 * (EFER.LMA, APM vol. 2, 14.6). */
		if ((cr0 & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME))
			s->efer |= EFER_LMA;
		if (!(cr0 & CR0_PG) && (s->cr0 & CR0_PG))
			s->efer &= ~EFER_LMA;
		s->cr0 = cr0;
	}
	flush_guest_tlb(v);
	vcpu_skip_instruction(v);
}

void svm_handle_cr4_write(struct vcpu *v) { handle_cr_write(v, 4); }
void svm_handle_cr0_sel_write(struct vcpu *v) { handle_cr_write(v, 0); }
