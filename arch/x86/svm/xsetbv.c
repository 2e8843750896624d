/*
 * arch/x86/svm/xsetbv.c - XSETBV, always intercepted (VMCB 0x010 bit 13, exit
 * code 0x8d; APM vol. 2, 15.9 and appendix C): the guest's XCR0 never reaches
 * the CPU except through vmrun.S, which loads it around VMRUN only.
 *
 * The checks, in the order of the instruction's exception table (SDM vol. 2,
 * XSETBV; APM vol. 3, XSETBV):
 *   #UD      CR4.OSXSAVE = 0 (always so where the CPU has no XSAVE: the
 *            guest cannot set it then, MOV CR4 gives #GP for that bit)
 *   #GP(0)   CPL != 0 (virtual-8086 mode runs at CPL 3), ECX != 0,
 *            XCR0[0] = 0, XCR0[2] = 1 with XCR0[1] = 0, or a bit that
 *            CPUID Fn0000_000D_x0 (fpu_host.xcr0) does not list
 * The new XCR0 takes effect at the next VMRUN. (QEMU 7.2's TCG ignores the
 * intercept and runs XSETBV in the guest with the same checks; vmrun.S reads
 * XCR0 back after each exit for that.)
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"

void svm_handle_xsetbv(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (!fpu_host.xsave || !(s->cr4 & CR4_OSXSAVE)) {
		vcpu_inject_ud(v);
		return;
	}
	uint32_t index = (uint32_t)v->regs.r[GPR_RCX];
	uint64_t val = ((v->regs.r[GPR_RDX] & 0xffffffffull) << 32) |
		       (uint32_t)v->regs.r[GPR_RAX];
	if (s->cpl != 0 || index != 0 || !fpu_xcr0_valid(val)) {
		vcpu_inject_gp(v);	/* RIP stays on XSETBV */
		return;
	}
	if (vcpu_skip_instruction(v))
		v->fpu.xcr0 = val;
}
