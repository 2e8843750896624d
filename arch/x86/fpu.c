/* arch/x86/fpu.c - guest x87/SSE state (see fpu.h). */
#include "arch/x86/fpu.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

void fpu_cpu_init(void)
{
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0(read_cr0() & ~(CR0_EM | CR0_TS));
}

void fpu_state_init(struct fpu_state *f)
{
	memset(f, 0, sizeof(*f));
	f->area[0] = 0x7f;	/* FCW = 0x037f (bytes 0-1) */
	f->area[1] = 0x03;
	f->area[24] = 0x80;	/* MXCSR = 0x1f80 (bytes 24-27) */
	f->area[25] = 0x1f;
	f->area[28] = 0xff;	/* MXCSR_MASK (bytes 28-31): all settable */
	f->area[29] = 0xff;
}
