/*
 * arch/x86/tsc.c - calibrate the TSC against PIT channel 2 (the 8254 runs at
 * 1.193182 MHz; channel 2's gate and output are on port 0x61), and silence
 * the legacy PICs.
 */
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"
#include "arch/x86/interrupt.h"

#define PIT_HZ 1193182u

static uint64_t khz, tsc_base;

void pit_wait_us(uint32_t us)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * us / 1000000);
	if (count > 0xffff)
		count = 0xffff;
	uint8_t p61 = inb(0x61);
	outb(0x61, (p61 & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	/* Mode 0: OUT goes high when the count reaches 0. Bound the wait so a
	 * machine without a PIT cannot hang us (about 10 s of TSC at 4 GHz). */
	for (uint64_t start = rdtsc(); !(inb(0x61) & 0x20);)
		if (rdtsc() - start > 40000000000ull)
			break;
	outb(0x61, p61);
}

void tsc_calibrate(void)
{
	uint64_t t0 = rdtsc();
	pit_wait_us(20000);
	uint64_t t1 = rdtsc();
	khz = (t1 - t0) / 20;
	if (!khz)
		khz = 1000000;
	tsc_base = t1;
}

uint64_t tsc_khz(void) { return khz; }
uint64_t tsc_to_us(uint64_t ticks) { return ticks * 1000 / khz; }
uint64_t time_us(void) { return tsc_to_us(rdtsc() - tsc_base); }

void legacy_pic_disable(void)
{
	/* ICW1-4: remap to VEC_PIC_BASE.. so a spurious IRQ is no exception. */
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE); outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 4); outb(0xa1, 2);
	outb(0x21, 1); outb(0xa1, 1);
	outb(0x21, 0xff); outb(0xa1, 0xff);	/* mask everything */
}
