/*
 * tests/guests/statsguest.c - a guest whose exits are known exactly, for the
 * exit statistics and the trace (tests/e2e/scenarios_stats.py).
 *
 * Counted mode (no arguments): prints nothing, so the UART adds no IOIO
 * exits, and does 1000 CPUID, 500 IN from an unowned port, 100 reads of the
 * LAPIC version register (one #NPF each), then ends through port 0xf4 (one
 * more IOIO). The runtime's start-up makes no exits. Status: the number of
 * wrong values read.
 *
 * "-- trace": a short script for a VM with trace=1, each exit once, in this
 * order: CPUID 0, 1, 0x40000000; OUT 'H' and '\n' to COM1; IN from the
 * unowned port; the LAPIC version; RDMSR of EFER; RDMSR of VM_CR (#GP).
 */
#include "rt.h"

#define N_CPUID   1000
#define N_IN      500
#define N_MMIO    100
#define UNOWNED   0x2a0
#define LAPIC_VER 0xfee00030u

static int counted(void)
{
	int bad = 0;
	uint32_t r[4];
	for (int i = 0; i < N_CPUID; i++) {
		cpuid(0x40000000, 0, r);
		bad += r[0] != 0x40000001;
	}
	for (int i = 0; i < N_IN; i++)
		bad += inb(UNOWNED) != 0xff;
	for (int i = 0; i < N_MMIO; i++)
		bad += (mmio_read32(LAPIC_VER) & 0xff) != 0x14;
	return bad;
}

static int script(void)
{
	uint32_t r[4];
	uint64_t v;
	cpuid(0, 0, r);
	cpuid(1, 0, r);
	cpuid(0x40000000, 0, r);
	outb(0x3f8, 'H');
	outb(0x3f8, '\n');
	int bad = inb(UNOWNED) != 0xff;
	bad += (mmio_read32(LAPIC_VER) & 0xff) != 0x14;
	bad += rdmsr_safe(0xc0000080, &v) != 0;
	bad += rdmsr_safe(0xc0010114, &v) != 13;
	return bad;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	(void)magic;
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	/* The command line is "PATH [-- args]": look for the word "trace". */
	for (; *c; c++)
		if (memcmp(c, "trace", 5) == 0)
			return script();
	return counted();
}
