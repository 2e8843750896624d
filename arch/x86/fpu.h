/*
 * arch/x86/fpu.h - the x87/SSE/AVX register state of guests, and the other
 * registers that travel with it. VMRUN does not switch any of it (APM vol. 2,
 * 15.5.1: it is not in the VMCB), and yakvm itself never touches it (it is
 * built with -mgeneral-regs-only), so a CPU's FPU holds the state of the last
 * vCPU that ran there. When a CPU switches to another vCPU, the old one's
 * state is saved and the new one's loaded (core/run/sched.c):
 *  - with XSAVE (CPUID Fn0000_0001 ECX[26]): XSAVE/XRSTOR with the host's
 *    XCR0 as the mask. The host's XCR0 enables every component guests may
 *    enable, so it covers any guest XCR0 (APM vol. 2, 11.5; SDM vol. 1, 13.7);
 *  - without: FXSAVE/FXRSTOR (CR4.OSFXSR makes them include the XMMs).
 * The guest's XCR0 is kept here too, and vmrun.S loads it around VMRUN
 * (VMRUN does not switch XCR0 either).
 *
 * DR0-DR3 are the same story (VMRUN switches DR6 and DR7 only, 15.5.1), and
 * so is TSC_AUX (VMRUN and VMLOAD leave it alone, 15.5.1 and 15.5.2): the
 * guest loads them, they stay in the CPU, and they travel with the FPU
 * state. yakvm itself never arms a breakpoint (its DR7 is 0x400) and never
 * reads TSC_AUX (no RDTSCP/RDPID in the host).
 */
#ifndef YAKVM_ARCH_X86_FPU_H
#define YAKVM_ARCH_X86_FPU_H

#include <stdint.h>
#include <stdbool.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

struct fpu_state {
	uint8_t *area;              /* FXSAVE or XSAVE image, 64-byte aligned */
	uint64_t xcr0;              /* the guest's XCR0 (XSETBV) */
	uint64_t dr[4];
	uint64_t tsc_aux;
};

/* What this machine offers, found by fpu_cpu_init() on the boot CPU. */
struct fpu_host {
	bool xsave;                 /* XSAVE and XSETBV, CR4.OSXSAVE set */
	bool tsc_aux;               /* the TSC_AUX MSR (RDTSCP or RDPID) */
	uint64_t xcr0;              /* the host's XCR0: all guests may have */
	uint32_t size;              /* bytes of one save area */
};
extern struct fpu_host fpu_host;
/* vmrun.S reads it after #VMEXIT. */
extern uint64_t fpu_host_xcr0;

/* On every CPU: CR4.OSFXSR and OSXMMEXCPT (FXSAVE covers the XMMs), and
 * CR4.OSXSAVE with the host's XCR0 when the CPU has XSAVE. */
void fpu_cpu_init(void);
/* Allocates f's save area; false when memory is short. */
bool fpu_state_alloc(struct fpu_state *f);
void fpu_state_free(struct fpu_state *f);
/* The power-on state: x87 control word 0x37f, MXCSR 0x1f80, XCR0 = x87,
 * all else 0. */
void fpu_state_init(struct fpu_state *f);
/* Whether a guest may load `xcr0` with XSETBV (SDM vol. 2, XSETBV). */
bool fpu_xcr0_valid(uint64_t xcr0);

static inline void xsetbv(uint32_t index, uint64_t val)
{
	__asm__ volatile("xsetbv" ::"c"(index), "a"((uint32_t)val),
			 "d"((uint32_t)(val >> 32)));
}

static inline void fpu_save(struct fpu_state *f)
{
	if (fpu_host.xsave)
		__asm__ volatile("xsave64 (%0)" ::"r"(f->area), "a"((uint32_t)fpu_host.xcr0),
				 "d"((uint32_t)(fpu_host.xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" ::"r"(f->area) : "memory");
	__asm__ volatile("mov %%dr0, %0" : "=r"(f->dr[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(f->dr[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(f->dr[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(f->dr[3]));
	/* TSC_AUX: every guest write is intercepted and kept in f already. */
}

static inline void fpu_load(const struct fpu_state *f)
{
	if (fpu_host.xsave)
		__asm__ volatile("xrstor64 (%0)" ::"r"(f->area), "a"((uint32_t)fpu_host.xcr0),
				 "d"((uint32_t)(fpu_host.xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(f->area) : "memory");
	__asm__ volatile("mov %0, %%dr0" ::"r"(f->dr[0]));
	__asm__ volatile("mov %0, %%dr1" ::"r"(f->dr[1]));
	__asm__ volatile("mov %0, %%dr2" ::"r"(f->dr[2]));
	__asm__ volatile("mov %0, %%dr3" ::"r"(f->dr[3]));
	if (fpu_host.tsc_aux) {
		uint32_t lo = (uint32_t)f->tsc_aux, hi = (uint32_t)(f->tsc_aux >> 32);
		__asm__ volatile("wrmsr" ::"c"(0xc0000103u), "a"(lo), "d"(hi));
	}
}

#endif
