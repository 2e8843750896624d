/*
 * arch/x86/svm/hlt.c - HLT exits. The vCPU gives up its physical CPU until an
 * interrupt is pending for it. A vCPU that halts with RFLAGS.IF=0 can only be
 * woken by an NMI, INIT or SMI; yakvm says so once.
 */
#include "arch/x86/svm/exit.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "core/run/intr.h"
#include "core/run/single_step.h"

void svm_handle_hlt(struct vcpu *v)
{
	if (!vcpu_skip_instruction(v))
		return;
	if (vcpu_has_wakeup(v)) {
		v->events_pending = true;
		return;	/* an interrupt is already waiting: HLT ends at once */
	}
	if (vcpu_guest_tf(v))
		return;	/* the single-step trap ends it (core/run/single_step.c) */
	v->state = VCPU_HALTED;
	if (!(v->vmcb->save.rflags & RFLAGS_IF) && !v->halted_reported) {
		v->halted_reported = true;
		log_info("vm %s/%u halted with interrupts disabled at rip=0x%lx",
			 v->vm->name, v->id, v->vmcb->save.rip);
	}
}
