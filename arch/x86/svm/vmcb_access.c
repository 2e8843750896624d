/*
 * arch/x86/svm/vmcb_access.c - the seam's accessors (arch/x86/vendor.h):
 * the guest's registers in the VMCB's state-save area (APM vol. 2,
 * appendix B), event injection (15.20), TSC_OFFSET.
 * Pure field access: the host unit tests link it too.
 */
#include "arch/x86/vendor.h"
#include "arch/x86/regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/run/vcpu.h"

uint64_t vendor_rip(const struct vcpu *v) { return v->vmcb->save.rip; }
void vendor_set_rip(struct vcpu *v, uint64_t rip) { v->vmcb->save.rip = rip; }
uint64_t vendor_rflags(const struct vcpu *v) { return v->vmcb->save.rflags; }
void vendor_set_rflags(struct vcpu *v, uint64_t rflags) { v->vmcb->save.rflags = rflags; }
unsigned vendor_cpl(const struct vcpu *v) { return v->vmcb->save.cpl; }
uint64_t vendor_cr0(const struct vcpu *v) { return v->vmcb->save.cr0; }
uint64_t vendor_cr3(const struct vcpu *v) { return v->vmcb->save.cr3; }
uint64_t vendor_cr4(const struct vcpu *v) { return v->vmcb->save.cr4; }
uint64_t vendor_efer(const struct vcpu *v) { return v->vmcb->save.efer & ~(uint64_t)EFER_SVME; }
uint64_t vendor_dr7(const struct vcpu *v) { return v->vmcb->save.dr7; }
void vendor_set_dr7(struct vcpu *v, uint64_t dr7) { v->vmcb->save.dr7 = dr7; }
uint64_t vendor_tsc_offset(const struct vcpu *v) { return v->vmcb->control.tsc_offset; }

static struct vmcb_seg *seg(struct vmcb_save *s, unsigned i)
{
	struct vmcb_seg *segs[SEG_COUNT] = {
		[SEG_ES] = &s->es, [SEG_CS] = &s->cs, [SEG_SS] = &s->ss,
		[SEG_DS] = &s->ds, [SEG_FS] = &s->fs, [SEG_GS] = &s->gs,
	};
	return segs[i];
}

void vendor_get_seg(const struct vcpu *v, unsigned i, struct x86_seg *out)
{
	const struct vmcb_seg *s = seg(&v->vmcb->save, i);
	*out = (struct x86_seg){ s->selector, s->attrib, s->limit, s->base };
}

void vendor_set_seg(struct vcpu *v, unsigned i, const struct x86_seg *in)
{
	*seg(&v->vmcb->save, i) = (struct vmcb_seg){ in->selector, in->attrib, in->limit,
						    in->base };
}

void vendor_regs_written(struct vcpu *v)
{
	v->vmcb->save.rax = v->regs.r[GPR_RAX];
	v->vmcb->save.rsp = v->regs.r[GPR_RSP];
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err)
{
	v->vmcb->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | vector |
				    (has_err ? EVENT_ERR_VALID | ((uint64_t)err << 32) : 0);
}

void vcpu_inject_pf(struct vcpu *v, uint64_t cr2, uint32_t err)
{
	v->vmcb->save.cr2 = cr2;
	vcpu_inject_exception(v, 14, true, err);
}
