/*
 * arch/x86/fpu.h - the x87/SSE register state of guests. VMRUN does not
 * switch it (APM vol. 2, 15.5.1: it is not in the VMCB), and yakvm itself never
 * touches it (it is built with -mgeneral-regs-only), so a CPU's FPU holds the
 * state of the last vCPU that ran there. When a CPU switches to another vCPU,
 * the old one's state is saved with FXSAVE and the new one's loaded with
 * FXRSTOR (APM vol. 5, FXSAVE/FXRSTOR; CR4.OSFXSR makes them include the XMM
 * registers). Guests see no XSAVE (CPUID hides it and XSETBV gets #UD), so
 * this is all their state.
 *
 * DR0-DR3 are the same story (VMRUN switches DR6 and DR7 only, 15.5.1): the
 * guest may load them, they stay in the CPU, and they travel with the FPU
 * state. yakvm itself never arms a breakpoint (its DR7 is 0x400).
 */
#ifndef YAKVM_ARCH_X86_FPU_H
#define YAKVM_ARCH_X86_FPU_H

#include <stdint.h>

struct fpu_state {
	uint8_t area[512];
	uint64_t dr[4];
} __attribute__((aligned(16)));

/* On every CPU: CR4.OSFXSR and OSXMMEXCPT, so FXSAVE covers the XMMs. */
void fpu_cpu_init(void);
/* The power-on state: x87 control word 0x37f, MXCSR 0x1f80, all else 0. */
void fpu_state_init(struct fpu_state *f);

static inline void fpu_save(struct fpu_state *f)
{
	__asm__ volatile("fxsave64 %0" : "=m"(f->area));
	__asm__ volatile("mov %%dr0, %0" : "=r"(f->dr[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(f->dr[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(f->dr[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(f->dr[3]));
}

static inline void fpu_load(const struct fpu_state *f)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(f->area));
	__asm__ volatile("mov %0, %%dr0" ::"r"(f->dr[0]));
	__asm__ volatile("mov %0, %%dr1" ::"r"(f->dr[1]));
	__asm__ volatile("mov %0, %%dr2" ::"r"(f->dr[2]));
	__asm__ volatile("mov %0, %%dr3" ::"r"(f->dr[3]));
}

#endif
