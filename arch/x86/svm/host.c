/*
 * arch/x86/svm/host.c - exits for the host's own events: a physical
 * interrupt, an NMI or a machine check arrived while the guest ran
 * (APM vol. 2, 15.13 and 15.12). They are the host's to handle.
 */
#include "arch/x86/svm/exit.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "arch/x86/nmi.h"
#include "arch/x86/mce.h"

/* A physical interrupt arrived while the guest ran. It is still pending:
 * the host takes it through its own IDT right after STGI (vmrun.S). */
void svm_handle_intr(struct vcpu *v) { (void)v; }
/* The NMI itself was taken through yakvm's IDT at STGI (arch/x86/nmi.c). */
void svm_handle_nmi(struct vcpu *v) { (void)v; nmi_report(); }

/* A machine check that struck while the guest ran exits here instead of
 * going to the guest's IDT (the #MC exception intercept, 15.12); it is the
 * host's to handle. If the guest's context was lost, only that VM stops. */
void svm_handle_mc(struct vcpu *v)
{
	if (mce_handle(true) == MCE_CONTEXT_LOST)
		vm_stop(v->vm, v, "a machine check destroyed the guest's context (RIPV=0)");
	mce_report();
}
