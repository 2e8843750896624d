/*
 * core/run/single_step.c - the single-step trap after an emulated instruction.
 *
 * With RFLAGS.TF=1 the CPU raises #DB after each instruction it executes,
 * with DR6.BS set and the saved RIP past the instruction: a trap (APM
 * vol. 2, 13.1 "Software-Debug Resources", DR6 in 13.1.1; Intel SDM
 * vol. 3, 17.3.1.4, also for each iteration of a REP string instruction).
 * An instruction that exits to yakvm (CPUID, IN/OUT, INS/OUTS,
 * RDMSR/WRMSR, an MMIO access, HLT, XSETBV, VMMCALL...) is completed by
 * yakvm instead, so the trap is yakvm's to raise.
 *
 * An instruction that faulted (yakvm queued #GP, #UD, #PF...) raises no
 * trap. The MOV SS / POP SS shadow delays the trap of the MOV SS itself to
 * after the next instruction; the emulated instruction is that next one,
 * so its trap is due as usual, one #DB for both (Intel SDM vol. 3, 6.8.3).
 * After an STI the trap is not held back (only interrupts are). As KVM
 * does, a HLT with TF=1 is ended at once by the trap. A REP INS or OUTS
 * traps after each iteration, RIP still on it until the last
 * (arch/x86/svm/ioio_string.c does one per exit then).
 */
#include "core/run/single_step.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"

#define DR6_BS (1ull << 14)	/* single step (DR6, APM vol. 2, 13.1.1) */
#define DR6_ONES 0xffff0ff0ull	/* DR6 bits that read as 1 */

bool vcpu_guest_tf(const struct vcpu *v)
{
	if (v->dbg.step)	/* TF is gdb's: the guest's own is kept aside */
		return v->dbg.guest_tf;
	return (v->vmcb->save.rflags & RFLAGS_TF) != 0;
}

void vcpu_single_step_trap(struct vcpu *v, bool guest_tf, uint64_t rip_before)
{
	struct vmcb *vmcb = v->vmcb;
	bool in_place = v->step_in_place;	/* a REP iteration */
	v->step_in_place = false;
	if (!guest_tf || (vmcb->save.rip == rip_before && !in_place) ||
	    (vmcb->control.eventinj & EVENT_VALID) || v->vm->state != VM_RUNNING ||
	    v->state == VCPU_WAIT_SIPI || v->state == VCPU_STOPPED)
		return;
	vmcb->save.dr6 |= DR6_ONES | DR6_BS;
	vcpu_inject_exception(v, 1, false, 0);
	if (v->state == VCPU_HALTED)
		v->state = VCPU_RUNNABLE;
}
