/* arch/x86/svm/asid.c - ASID generations (see asid.h). */
#include "arch/x86/svm/asid.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/vendor.h"

void asid_assign(struct vcpu *v, struct pcpu *p)
{
	if (v->last_pcpu == p && v->asid_generation == p->asid_generation)
		return;	/* its ASID on this CPU is still its own */
	if (p->next_asid == 0 || p->next_asid >= svm.nasid) {
		p->asid_generation++;
		p->next_asid = 1;
		v->vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	}
	v->vmcb->control.guest_asid = p->next_asid++;
	v->asid_generation = p->asid_generation;
	v->last_pcpu = p;
}

void vendor_fresh_asid(struct vcpu *v, struct pcpu *p)
{
	v->last_pcpu = NULL;	/* no entry from before */
	asid_assign(v, p);
}
