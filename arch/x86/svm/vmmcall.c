/*
 * arch/x86/svm/vmmcall.c - VMMCALL, the guest's call into yakvm, and the SVM
 * instructions a guest may not use.
 *
 * Hypercalls: RAX = number. 0 = no-op (returns 0; what benchmarks time).
 * Any other number returns -1 in RAX.
 *
 * VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT and INVLPGA: the guest sees no
 * SVM (CPUID and EFER.SVME read as 0), so it gets #UD as on such a CPU
 * (APM vol. 3, the instructions' exception tables). MONITOR/MWAIT are hidden
 * too: #UD. (XSETBV has its own handler, xsetbv.c.)
 */
#include "arch/x86/svm/exit.h"
#include "core/run/vcpu.h"

void svm_handle_vmmcall(struct vcpu *v)
{
	uint64_t nr = v->regs.r[GPR_RAX];
	v->regs.r[GPR_RAX] = nr == 0 ? 0 : (uint64_t)-1;
	vcpu_skip_instruction(v);
}

void svm_handle_svm_insn(struct vcpu *v)
{
	vcpu_inject_ud(v);
}
