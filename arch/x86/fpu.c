/* arch/x86/fpu.c - guest x87/SSE/AVX state (see fpu.h). */
#include "arch/x86/fpu.h"
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "lib/string.h"

struct fpu_host fpu_host;
uint64_t fpu_host_xcr0;

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX   (1u << 28)
#define FXSAVE_SIZE      512

/* The boot CPU decides; the others follow (all CPUs are alike). */
static void detect(void)
{
	struct cpuid_regs r1 = cpuid(1, 0);
	fpu_host.size = FXSAVE_SIZE;
	/* TSC_AUX exists with RDTSCP (Fn8000_0001 EDX[27]) or RDPID
	 * (Fn0000_0007 ECX[22]); APM vol. 3, RDTSCP and RDPID. */
	bool rdpid = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ecx & (1u << 22));
	bool rdtscp = cpuid(0x80000000, 0).eax >= 0x80000001 &&
		      (cpuid(0x80000001, 0).edx & (1u << 27));
	fpu_host.tsc_aux = rdpid || rdtscp;
	if (!(r1.ecx & CPUID1_ECX_XSAVE) || cpuid(0, 0).eax < 0xd)
		return;
	/* XCR0 components the CPU supports: Fn0000_000D_x0 EDX:EAX. Guests
	 * get x87, SSE and AVX of them; the rest (MPX, AVX-512, PKRU, ...)
	 * stay off. */
	uint64_t supported = cpuid(0xd, 0).eax;
	if (!(supported & XCR0_SSE))
		return;
	fpu_host.xcr0 = XCR0_X87 | XCR0_SSE;
	if ((supported & XCR0_AVX) && (r1.ecx & CPUID1_ECX_AVX))
		fpu_host.xcr0 |= XCR0_AVX;
	fpu_host.xsave = true;
	fpu_host_xcr0 = fpu_host.xcr0;
}

void fpu_cpu_init(void)
{
	static bool detected;
	if (!detected) {
		detect();
		detected = true;
	}
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0(read_cr0() & ~(CR0_EM | CR0_TS));
	if (!fpu_host.xsave)
		return;
	/* XSETBV needs CR4.OSXSAVE (SDM vol. 1, 13.3). */
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(0, fpu_host.xcr0);
	/* Fn0000_000D_x0 EBX: the XSAVE area size for the XCR0 now loaded. */
	uint32_t size = cpuid(0xd, 0).ebx;
	if (size > fpu_host.size)
		fpu_host.size = size;
}

bool fpu_state_alloc(struct fpu_state *f)
{
	size_t pages = (fpu_host.size + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t pa = pmm_alloc_pages(pages);	/* page-aligned: 64 is enough */
	if (!pa)
		return false;
	f->area = phys_to_virt(pa);
	return true;
}

void fpu_state_free(struct fpu_state *f)
{
	pmm_free_pages(virt_to_phys(f->area), (fpu_host.size + PAGE_SIZE - 1) / PAGE_SIZE);
	f->area = NULL;
}

void fpu_state_init(struct fpu_state *f)
{
	uint8_t *area = f->area;
	memset(area, 0, fpu_host.size);
	area[0] = 0x7f;		/* FCW = 0x037f (bytes 0-1) */
	area[1] = 0x03;
	area[24] = 0x80;	/* MXCSR = 0x1f80 (bytes 24-27) */
	area[25] = 0x1f;
	area[28] = 0xff;	/* MXCSR_MASK (bytes 28-31): all settable */
	area[29] = 0xff;
	/* The XSAVE header (bytes 512-575) stays 0: XSTATE_BV = 0 puts every
	 * component in its initial state, XCOMP_BV = 0 is the standard form
	 * XRSTOR expects (SDM vol. 1, 13.8.1). MXCSR is loaded from the legacy
	 * area anyway. */
	memset(f->dr, 0, sizeof(f->dr));
	f->tsc_aux = 0;
	f->xcr0 = XCR0_X87;	/* XCR0's value at reset (SDM vol. 1, 13.3) */
}

bool fpu_xcr0_valid(uint64_t xcr0)
{
	/* SDM vol. 2, XSETBV, and vol. 1, 13.3: bit 0 must be set, AVX needs
	 * SSE, and no bit the CPUID shown to the guest (Fn0000_000D_x0, i.e.
	 * the host's XCR0) does not list. */
	if (!(xcr0 & XCR0_X87))
		return false;
	if ((xcr0 & XCR0_AVX) && !(xcr0 & XCR0_SSE))
		return false;
	return !(xcr0 & ~fpu_host.xcr0);
}
