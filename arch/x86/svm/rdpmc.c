/*
 * arch/x86/svm/rdpmc.c - RDPMC and RDPRU, intercepted (APM vol. 2, 15.9) so
 * that a guest never reads the host's performance counters, APERF or MPERF
 * (issue 17, item 8). RDPMC answers from the CPU model's legacy counters
 * (arch/x86/cpu_model.c): counters 0-3 exist and read 0; another ECX, or
 * CPL > 0 with CR4.PCE clear, gets #GP (APM vol. 3, "RDPMC"). RDPRU is not
 * in the model: #UD, as on a CPU without it (CPUID 8000_0008 EBX[4] clear).
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/cpu.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"

#define CR4_PCE (1ull << 8)
#define LEGACY_COUNTERS 4

void svm_handle_rdpmc(struct vcpu *v)
{
	struct vmcb_save *s = &v->vmcb->save;
	uint32_t ecx = (uint32_t)v->regs.r[GPR_RCX];
	bool cpl_ok = s->cpl == 0 || (s->cr4 & CR4_PCE);
	if (!cpl_ok || ecx >= LEGACY_COUNTERS) {
		vcpu_inject_gp(v);
		return;
	}
	v->regs.r[GPR_RAX] = 0;
	v->regs.r[GPR_RDX] = 0;
	vcpu_skip_instruction(v);
}

void svm_handle_rdpru(struct vcpu *v)
{
	vcpu_inject_ud(v);
}
