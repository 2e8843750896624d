/*
 * arch/x86/svm/exit.c - the exit table. After VMRUN returns, EXITCODE
 * (VMCB 0x070) says why (APM vol. 2, appendix C); the handler for that code
 * does the work and the vCPU loop runs the guest again. An exit with no
 * handler stops that VM, never yakvm.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/svm/vmcb.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "core/run/intr.h"
#include "arch/x86/nmi.h"
#include "arch/x86/mce.h"

typedef void (*exit_handler_t)(struct vcpu *v);

/* A physical interrupt arrived while the guest ran. It is still pending:
 * the host takes it through its own IDT right after STGI (vmrun.S). */
static void handle_intr(struct vcpu *v) { (void)v; }
/* The NMI itself was taken through yakvm's IDT at STGI (arch/x86/nmi.c). */
static void handle_nmi(struct vcpu *v) { (void)v; nmi_report(); }

/* A machine check that struck while the guest ran exits here instead of
 * going to the guest's IDT (the #MC exception intercept, 15.12); it is the
 * host's to handle. If the guest's context was lost, only that VM stops. */
static void handle_mc(struct vcpu *v)
{
	if (mce_handle(true) == MCE_CONTEXT_LOST)
		vm_stop(v->vm, v, "a machine check destroyed the guest's context (RIPV=0)");
	mce_report();
}

/* INVD would drop dirty cache lines, possibly yakvm's: treat it as WBINVD,
 * which the hardware keeps coherent anyway, so just skip it. */
static void handle_invd(struct vcpu *v) { vcpu_skip_instruction(v); }

/* WBINVD and WBNOINVD (one intercept bit, one exit code, APM vol. 2,
 * table B-1): a guest looping on them would flush the caches shared with
 * other VMs' CPUs. Guest memory is write-back and coherent (DMA is not
 * passed through), so there is nothing to write back for it: skip. A CPL
 * above 0 got #GP before the intercept (15.9). */
static void handle_wbinvd(struct vcpu *v) { vcpu_skip_instruction(v); }

static const exit_handler_t exit_handlers[VMEXIT_NPF + 1] = {
	[VMEXIT_EXCP_BASE + 1] = svm_handle_db,
	[VMEXIT_EXCP_BASE + 3] = svm_handle_bp,
	[VMEXIT_EXCP_BASE + 17] = svm_handle_ac,
	[VMEXIT_INTR]     = handle_intr,
	[VMEXIT_NMI]      = handle_nmi,
	[VMEXIT_EXCP_BASE + 18] = handle_mc,
	[VMEXIT_VINTR]    = svm_handle_vintr,
	[VMEXIT_IRET]     = svm_handle_iret,
	[VMEXIT_CPUID]    = svm_handle_cpuid,
	[VMEXIT_SWINT]    = svm_handle_swint,
	[VMEXIT_HLT]      = svm_handle_hlt,
	[VMEXIT_INVD]     = handle_invd,
	[VMEXIT_WBINVD]   = handle_wbinvd,
	[VMEXIT_IOIO]     = yakvm_cpu_handle_ioio,
	[VMEXIT_MSR]      = svm_handle_msr,
	[VMEXIT_SHUTDOWN] = svm_handle_shutdown,
	[VMEXIT_VMMCALL]  = svm_handle_vmmcall,
	[VMEXIT_VMRUN]    = svm_handle_svm_insn,
	[VMEXIT_VMLOAD]   = svm_handle_svm_insn,
	[VMEXIT_VMSAVE]   = svm_handle_svm_insn,
	[VMEXIT_STGI]     = svm_handle_svm_insn,
	[VMEXIT_CLGI]     = svm_handle_svm_insn,
	[VMEXIT_SKINIT]   = svm_handle_svm_insn,
	[VMEXIT_INVLPGA]  = svm_handle_svm_insn,
	[VMEXIT_MONITOR]  = svm_handle_svm_insn,
	[VMEXIT_MWAIT]    = svm_handle_svm_insn,
	[VMEXIT_MWAIT_CONDITIONAL] = svm_handle_svm_insn,
	[VMEXIT_XSETBV]   = svm_handle_xsetbv,
	[VMEXIT_CR4_WRITE] = svm_handle_cr4_write,
	[VMEXIT_CR0_SEL_WRITE] = svm_handle_cr0_sel_write,
	[VMEXIT_RDPMC]    = svm_handle_rdpmc,
	[VMEXIT_RDPRU]    = svm_handle_rdpru,
	[VMEXIT_NPF]      = svm_handle_npf,
};

void svm_handle_exit(struct vcpu *v)
{
	uint64_t code = v->vmcb->control.exitcode;
	if (vmexit_is_invalid(code)) {
		svm_handle_invalid(v);
		return;
	}
	if (code < sizeof(exit_handlers) / sizeof(exit_handlers[0]) &&
	    exit_handlers[code]) {
		exit_handlers[code](v);
		return;
	}
	vm_stop(v->vm, v, "unhandled #VMEXIT 0x%lx (%s), exitinfo1=0x%lx exitinfo2=0x%lx",
		code, svm_exit_name(code), v->vmcb->control.exitinfo1,
		v->vmcb->control.exitinfo2);
}
