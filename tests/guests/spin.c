/*
 * tests/guests/spin.c - a vCPU that never gives its CPU back on its own: it
 * prints a line, clears IF and spins. Only the host timer can take the CPU
 * away from it, so its neighbours on the same physical CPU run only if
 * yakvm preempts it.
 *
 * Command line: "ms=N" spins for N ms of TSC time (no interrupt, no exit
 * asked for: RDTSC in a loop), then prints "spin: done spinning" and ends
 * with status 0; without it (or ms=0) it spins forever.
 */
#include "rt.h"
#include "hw.h"

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t ms = 0;
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	for (; *c; c++)
		if (memcmp(c, "ms=", 3) == 0) {
			for (c += 3; *c >= '0' && *c <= '9'; c++)
				ms = ms * 10 + (uint32_t)(*c - '0');
			break;
		}
	uint64_t per_ms = tsc_per_ms();
	cli();
	if (!ms) {
		printf("spin: spinning with IF=0 forever\n");
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	printf("spin: spinning with IF=0 for %u ms\n", ms);
	uint64_t end = rdtsc() + per_ms * ms;
	while (rdtsc() < end)
		;
	printf("spin: done spinning\n");
	return 0;
}
