/*
 * arch/x86/svm/shutdown.c - the exits that end a VM's run: SHUTDOWN (a triple
 * fault, APM vol. 2, 15.12; on a PC that resets the machine) and
 * VMEXIT_INVALID (VMRUN refused the guest state, 15.5.1).
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/vmcb_check.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "core/diag/exit_ring.h"

/* Where the guest was: the state a triple fault left, a line each. */
static void dump_guest_state(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	const char *n = v->vm->name;
	log_info("  vm %s/%u: rip=%lx rsp=%lx rflags=%lx cpl=%u cs=%x ss=%x",
		 n, v->id, s->rip, s->rsp, s->rflags, s->cpl, s->cs.selector, s->ss.selector);
	log_info("  vm %s/%u: cr0=%lx cr2=%lx cr3=%lx cr4=%lx efer=%lx",
		 n, v->id, s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
	log_info("  vm %s/%u: idtr=%lx/%x gdtr=%lx/%x tr=%x base %lx gs=%lx",
		 n, v->id, s->idtr.base, s->idtr.limit, s->gdtr.base, s->gdtr.limit,
		 s->tr.selector, s->tr.base, s->gs.base);
}

void svm_handle_shutdown(struct vcpu *v)
{
	uint64_t info = v->vmcb->control.exitintinfo;
	if (v->vm->desc.on_reset == VM_ON_RESET_REBOOT) {
		log_info("vm %s/%u: triple fault at rip=0x%lx: rebooting it (on_reset=reboot)",
			 v->vm->name, v->id, v->vmcb->save.rip);
		vm_request_reset(v->vm);
		return;
	}
	dump_guest_state(v);
	exit_ring_dump(v, svm_exit_name);	/* what the guest did, and yakvm, just before */
	if (info & EVENT_VALID)
		vm_stop(v->vm, v, "triple fault (shutdown) while delivering vector %lu",
			info & 0xff);
	else
		vm_stop(v->vm, v, "triple fault (shutdown)");
}

void svm_handle_invalid(struct vcpu *v)
{
	char why[160];
	if (vmcb_check_guest_state(v->vmcb, why, sizeof(why)))
		vm_stop(v->vm, v, "VMRUN refused the guest state (VMEXIT_INVALID); "
			"yakvm's own checks of APM 15.5.1 pass on what is left of it");
	else
		vm_stop(v->vm, v, "VMRUN refused the guest state (VMEXIT_INVALID): %s", why);
}
