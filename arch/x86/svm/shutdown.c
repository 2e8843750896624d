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

void svm_handle_shutdown(struct vcpu *v)
{
	uint64_t info = v->vmcb->control.exitintinfo;
	if (v->vm->desc.on_reset == VM_ON_RESET_REBOOT) {
		log_info("vm %s/%u: triple fault at rip=0x%lx: rebooting it (on_reset=reboot)",
			 v->vm->name, v->id, v->vmcb->save.rip);
		vm_request_reset(v->vm);
		return;
	}
	exit_ring_dump(v);	/* what the guest did, and yakvm, just before */
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
