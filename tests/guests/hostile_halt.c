/*
 * tests/guests/hostile_halt.c - never ends on its own: with "spin" on its
 * command line it spins with IF=0 forever, otherwise it halts with IF=0
 * forever (CLI; HLT, which only an NMI, INIT or SMI could end). Its
 * neighbours must keep running, the halted vCPU must cost no exits, and the
 * monitor's `destroy` ends it.
 */
#include "rt.h"

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	bool spin = false;
	for (; *c; c++)
		if (memcmp(c, "spin", 4) == 0)
			spin = true;
	printf("halt: %s with IF=0 forever\n", spin ? "spinning" : "halting");
	cli();
	for (;;) {
		if (spin)
			__builtin_ia32_pause();
		else
			__asm__ volatile("hlt");
	}
}
