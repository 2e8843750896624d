/* arch/x86/svm/paging_state.c - a vCPU's paging and code state from its VMCB
 * (see paging_state.h). */
#include "arch/x86/svm/paging_state.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/cpu.h"
#include "core/run/vcpu.h"
#include "lib/string.h"

void svm_paging_state(struct vcpu *v, struct walk_regs *r)
{
	const struct vmcb_save *s = &v->vmcb->save;
	r->cr0 = s->cr0;
	r->cr3 = s->cr3;
	r->cr4 = s->cr4;
	r->efer = s->efer;
	r->cpl = s->cpl;
	r->maxphyaddr = svm.phys_bits;	/* what the guest's CPUID shows (cpuid.c) */
}

/* Long mode with a 64-bit code segment (APM vol. 2, 4.8.1). */
static bool code_64(const struct vmcb_save *s)
{
	return (s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L);
}

void svm_code_state(struct vcpu *v, struct code_state *c)
{
	const struct vmcb_save *s = &v->vmcb->save;
	svm_paging_state(v, &c->paging);
	uint64_t la = s->cs.base + s->rip;
	c->la = code_64(s) ? la : (la & 0xffffffffull);
}

unsigned svm_code_bits(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (code_64(s))
		return 64;
	if (!(s->cr0 & CR0_PE) || (s->rflags & RFLAGS_VM))
		return 16;
	return (s->cs.attrib & SEG_ATTR_DB) ? 32 : 16;
}

uint64_t svm_rip_after(struct vcpu *v, unsigned len)
{
	const struct vmcb_save *s = &v->vmcb->save;
	uint64_t rip = s->rip + len;
	return code_64(s) ? rip : (rip & 0xffffffffull);
}

size_t svm_exit_insn_bytes(struct vcpu *v, uint8_t *buf)
{
	const struct vmcb_control *c = &v->vmcb->control;
	uint64_t code = c->exitcode;
	if (!svm.decode_assists || !c->insn_len ||
	    (code != VMEXIT_NPF && code != VMEXIT_EXCP_BASE + 14))
		return 0;
	memcpy(buf, c->insn_bytes, c->insn_len);
	return c->insn_len;
}
