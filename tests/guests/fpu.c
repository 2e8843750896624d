/*
 * tests/guests/fpu.c - x87, SSE and debug-address state must stay each
 * guest's own. Two (or more) of these run on one physical CPU, each filling
 * XMM0-7, the x87 stack and DR0-DR3 (VMRUN does not switch them) with a
 * pattern made from its argument, then checking them again and
 * again for a while, across many preemptions by the other. A leak or loss of
 * state shows as a changed register. Exit status: the number of bad checks.
 */
#include "rt.h"
#include "hw.h"

static uint32_t pattern(uint32_t seed, unsigned i) { return seed * 0x9e3779b9u + i * 0x85ebca6bu; }

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *a = (info->flags & 4) ? (const char *)info->cmdline : "";
	uint32_t seed = 0;
	for (; *a >= '0' && *a <= '9'; a++)
		seed = seed * 10 + (uint32_t)(*a - '0');

	/* CR4.OSFXSR and OSXMMEXCPT: SSE on (the guest's own CR4). */
	uint32_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 9) | (1u << 10)));
	__asm__ volatile("clts; fninit");

	static uint32_t want[32] __attribute__((aligned(16))), got[32] __attribute__((aligned(16)));
	for (unsigned i = 0; i < 32; i++)
		want[i] = pattern(seed, i);
	__asm__ volatile("movdqa 0(%0), %%xmm0\n\tmovdqa 16(%0), %%xmm1\n\t"
			 "movdqa 32(%0), %%xmm2\n\tmovdqa 48(%0), %%xmm3\n\t"
			 "movdqa 64(%0), %%xmm4\n\tmovdqa 80(%0), %%xmm5\n\t"
			 "movdqa 96(%0), %%xmm6\n\tmovdqa 112(%0), %%xmm7"
			 ::"r"(want) : "memory");
	/* DR0-DR3: addresses only; DR7 leaves them disarmed. */
	uint32_t dr_want[4] = { pattern(seed, 40), pattern(seed, 41), pattern(seed, 42),
				pattern(seed, 43) };
	__asm__ volatile("mov %0, %%dr0" ::"r"(dr_want[0]));
	__asm__ volatile("mov %0, %%dr1" ::"r"(dr_want[1]));
	__asm__ volatile("mov %0, %%dr2" ::"r"(dr_want[2]));
	__asm__ volatile("mov %0, %%dr3" ::"r"(dr_want[3]));
	/* x87: push the seed as an integer. */
	volatile uint32_t s32 = seed;
	__asm__ volatile("fildl %0" ::"m"(s32));

	uint64_t per_ms = tsc_per_ms();
	uint64_t end = rdtsc() + per_ms * 1500;
	unsigned checks = 0, bad = 0;
	while (rdtsc() < end) {
		__asm__ volatile("movdqa %%xmm0, 0(%0)\n\tmovdqa %%xmm1, 16(%0)\n\t"
				 "movdqa %%xmm2, 32(%0)\n\tmovdqa %%xmm3, 48(%0)\n\t"
				 "movdqa %%xmm4, 64(%0)\n\tmovdqa %%xmm5, 80(%0)\n\t"
				 "movdqa %%xmm6, 96(%0)\n\tmovdqa %%xmm7, 112(%0)"
				 ::"r"(got) : "memory");
		volatile uint32_t x87;
		__asm__ volatile("fistl %0" : "=m"(x87));
		uint32_t dr[4];
		__asm__ volatile("mov %%dr0, %0" : "=r"(dr[0]));
		__asm__ volatile("mov %%dr1, %0" : "=r"(dr[1]));
		__asm__ volatile("mov %%dr2, %0" : "=r"(dr[2]));
		__asm__ volatile("mov %%dr3, %0" : "=r"(dr[3]));
		checks++;
		if (memcmp(got, want, sizeof(got)) != 0 || x87 != seed ||
		    memcmp(dr, dr_want, sizeof(dr)) != 0) {
			if (bad++ < 3)
				printf("fpu: FAIL state changed: xmm0 %x (want %x), x87 %u (want %u), "
				       "dr0 %x (want %x)\n", got[0], want[0], x87, seed, dr[0], dr_want[0]);
		}
		rt_delay(20000);
	}
	printf("fpu: %u checks, %u bad (seed %u)\n", checks, bad, seed);
	return (int)bad;
}
