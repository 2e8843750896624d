/*
 * tests/guests/xsave.c - XSAVE, XSETBV and AVX state in a guest (issue 9).
 * Command line: "SEED [xcr0=N] [attack] [ms=N]".
 *
 * attack: XSETBV before CR4.OSXSAVE (#UD), then with every invalid value or
 * index (#GP: ECX != 0, bit 0 clear, AVX without SSE, bits CPUID 0xD does not
 * list, bit 63), each followed by XGETBV to see XCR0 unchanged; then valid
 * values read back, and CPUID 0xD.0 EBX following XCR0.
 *
 * Always: fills YMM0-7 (XMM0-7 with xcr0=3) and the x87 stack with a pattern
 * made from SEED, loads XCR0 = N (default 7), then checks for ms=N
 * milliseconds (default 1500), across
 * many preemptions by the VMs beside it on the same CPU, that the registers
 * and XGETBV are unchanged. With xcr0=3 a VEX instruction must give #UD
 * every time: the CPU really runs this guest with its own XCR0.
 * One "xsave: ok|FAIL" line per check; the exit status counts failures.
 */
#include "rt.h"
#include "hw.h"

#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE    (1u << 18)

static int failures;

static void check(bool ok, const char *what)
{
	printf("xsave: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

/* XSETBV / XGETBV returning the vector they raised (0 if none). */
static int xsetbv_safe(uint32_t index, uint64_t val)
{
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "xsetbv\n\t"
			 "1: movl $0, rt_fixup"
			 :: "c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	return rt_last_vector;
}

static int xgetbv_safe(uint32_t index, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "xgetbv\n\t"
			 "1: movl $0, rt_fixup"
			 : "+a"(lo), "+d"(hi) : "c"(index) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return rt_last_vector;
}

static uint64_t xcr0(void)
{
	uint64_t v = ~0ull;
	if (xgetbv_safe(0, &v))
		return ~0ull;
	return v;
}

/* A VEX instruction that changes nothing (vpor xmm7, xmm7, xmm7); every VEX
 * instruction gives #UD unless XCR0[2:1] = 11b (SDM vol. 1, 14.3). Returns
 * its vector. */
static int vex_safe(void)
{
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "vpor %%xmm7, %%xmm7, %%xmm7\n\t"
			 "1: movl $0, rt_fixup" ::: "memory");
	return rt_last_vector;
}

static uint32_t pattern(uint32_t seed, unsigned i) { return seed * 0x9e3779b9u + i * 0x85ebca6bu; }

static uint32_t cr4_read(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void attack(void)
{
	uint32_t r[4];
	uint64_t v;
	cpuid(1, 0, r);
	check(r[2] & (1u << 26), "CPUID.1:ECX.XSAVE is set");
	check(!(r[2] & (1u << 27)), "CPUID.1:ECX.OSXSAVE is clear while CR4.OSXSAVE is");
	check(xsetbv_safe(0, 3) == 6, "XSETBV with CR4.OSXSAVE clear gives #UD");
	check(xgetbv_safe(0, &v) == 6, "XGETBV with CR4.OSXSAVE clear gives #UD");

	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4_read() | CR4_OSXSAVE));
	cpuid(1, 0, r);
	check(r[2] & (1u << 27), "CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE");
	check(xcr0() == 1, "XCR0 is 1 (x87) after reset");
	cpuid(0xd, 0, r);
	uint32_t supported = r[0];
	check(supported == 7, "CPUID 0xD.0 EAX lists x87, SSE and AVX only");
	check(r[1] == 576, "CPUID 0xD.0 EBX is 576 for XCR0 = 1");
	uint32_t r6[4], ra[4];
	cpuid(6, 0, r6);
	cpuid(0xa, 0, ra);
	check(!(r6[0] | r6[1] | r6[2] | r6[3] | ra[0] | ra[1] | ra[2] | ra[3]),
	      "CPUID 0x6 and 0xA (next to 0xD) stay empty");

	static const struct { uint32_t index; uint64_t val; const char *what; } bad[] = {
		{ 1, 3, "XSETBV to XCR1 gives #GP" },
		{ 0xffffffff, 7, "XSETBV with ECX = 0xffffffff gives #GP" },
		{ 0, 0, "XSETBV of 0 (x87 bit clear) gives #GP" },
		{ 0, 2, "XSETBV of 2 (x87 bit clear) gives #GP" },
		{ 0, 6, "XSETBV of 6 (x87 bit clear) gives #GP" },
		{ 0, 5, "XSETBV of 5 (AVX without SSE) gives #GP" },
		{ 0, 7 | (1u << 9), "XSETBV with PKRU (not in CPUID 0xD) gives #GP" },
		{ 0, 7 | 0xe0, "XSETBV with the AVX-512 bits gives #GP" },
		{ 0, 7 | (1u << 3) | (1u << 4), "XSETBV with the MPX bits gives #GP" },
		{ 0, 3 | (1ull << 63), "XSETBV with bit 63 gives #GP" },
		{ 0, 0xffffffffffffffffull, "XSETBV of all ones gives #GP" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int vec = xsetbv_safe(bad[i].index, bad[i].val);
		check(vec == 13 && xcr0() == 1, bad[i].what);
		if (vec != 13)
			printf("xsave: (raised vector %d, XCR0 now 0x%x)\n", vec, (uint32_t)xcr0());
	}
	check(xsetbv_safe(0, 3) == 0 && xcr0() == 3, "XSETBV of 3 (x87, SSE) reads back");
	cpuid(0xd, 0, r);
	check(r[1] == 576, "CPUID 0xD.0 EBX is 576 for XCR0 = 3");
	check(vex_safe() == 6, "a VEX instruction gives #UD with XCR0 = 3");
	check(xsetbv_safe(0, 7) == 0 && xcr0() == 7, "XSETBV of 7 (x87, SSE, AVX) reads back");
	cpuid(0xd, 0, r);
	check(r[1] == 832, "CPUID 0xD.0 EBX is 832 for XCR0 = 7");
	if (r[1] != 832) {
		uint32_t r2[4];
		cpuid(0xd, 2, r2);
		printf("xsave: (EBX %u; leaf 0xD.2: %x %x %x %x; CR4 %x)\n", r[1], r2[0], r2[1], r2[2], r2[3], cr4_read());
	}
	check(vex_safe() == 0, "a VEX instruction runs with XCR0 = 7");
	check(xsetbv_safe(0, 5) == 13 && xcr0() == 7, "an invalid XSETBV leaves XCR0 = 7");
	check(xsetbv_safe(0, 1) == 0 && xcr0() == 1, "XSETBV of 1 (x87) reads back");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *a = (info->flags & 4) ? (const char *)info->cmdline : "";
	uint32_t seed = 0;
	uint64_t want_xcr0 = 7;
	bool hostile = false;
	uint32_t ms = 1500;
	for (; *a >= '0' && *a <= '9'; a++)
		seed = seed * 10 + (uint32_t)(*a - '0');
	for (; *a; a++) {
		if (memcmp(a, "xcr0=", 5) == 0)
			want_xcr0 = (uint64_t)(a[5] - '0');
		if (memcmp(a, "attack", 6) == 0)
			hostile = true;
		if (memcmp(a, "ms=", 3) == 0)
			for (ms = 0, a += 3; *a >= '0' && *a <= '9'; a++)
				ms = ms * 10 + (uint32_t)(*a - '0');
		if (!*a)
			break;
	}

	/* SSE on (the guest's own CR4), x87 initialized. */
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4_read() | CR4_OSFXSR | CR4_OSXMMEXCPT));
	__asm__ volatile("clts; fninit");
	if (hostile)
		attack();
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4_read() | CR4_OSXSAVE));

	static uint32_t want[64] __attribute__((aligned(32))), got[64] __attribute__((aligned(32)));
	for (unsigned i = 0; i < 64; i++)
		want[i] = pattern(seed, i);
	/* YMM0-7 need XCR0 = 7 to be written; then XCR0 = want_xcr0. */
	check(xsetbv_safe(0, 7) == 0, "XSETBV of 7");
	__asm__ volatile("vmovdqa 0(%0), %%ymm0\n\tvmovdqa 32(%0), %%ymm1\n\t"
			 "vmovdqa 64(%0), %%ymm2\n\tvmovdqa 96(%0), %%ymm3\n\t"
			 "vmovdqa 128(%0), %%ymm4\n\tvmovdqa 160(%0), %%ymm5\n\t"
			 "vmovdqa 192(%0), %%ymm6\n\tvmovdqa 224(%0), %%ymm7"
			 ::"r"(want) : "memory");
	volatile uint32_t s32 = seed;
	__asm__ volatile("fildl %0" ::"m"(s32));
	check(xsetbv_safe(0, want_xcr0) == 0, "XSETBV of the XCR0 to keep");
	bool avx = want_xcr0 & 4;
	/* Without AVX only the low halves can be read (SSE): compare those. */
	unsigned n = avx ? 8 : 4, stride = avx ? 8 : 4;

	uint64_t end = rdtsc() + tsc_per_ms() * ms;
	unsigned checks = 0, bad = 0;
	do {	/* at least one check, however short ms= is */
		if (avx)
			__asm__ volatile("vmovdqa %%ymm0, 0(%0)\n\tvmovdqa %%ymm1, 32(%0)\n\t"
					 "vmovdqa %%ymm2, 64(%0)\n\tvmovdqa %%ymm3, 96(%0)\n\t"
					 "vmovdqa %%ymm4, 128(%0)\n\tvmovdqa %%ymm5, 160(%0)\n\t"
					 "vmovdqa %%ymm6, 192(%0)\n\tvmovdqa %%ymm7, 224(%0)"
					 ::"r"(got) : "memory");
		else
			__asm__ volatile("movdqa %%xmm0, 0(%0)\n\tmovdqa %%xmm1, 32(%0)\n\t"
					 "movdqa %%xmm2, 64(%0)\n\tmovdqa %%xmm3, 96(%0)\n\t"
					 "movdqa %%xmm4, 128(%0)\n\tmovdqa %%xmm5, 160(%0)\n\t"
					 "movdqa %%xmm6, 192(%0)\n\tmovdqa %%xmm7, 224(%0)"
					 ::"r"(got) : "memory");
		volatile uint32_t x87;
		__asm__ volatile("fistl %0" : "=m"(x87));
		uint64_t x = xcr0();
		bool same = x87 == seed && x == want_xcr0;
		for (unsigned r = 0; r < 8; r++)
			same = same && memcmp(&got[r * 8], &want[r * 8], n * 4) == 0;
		if (!avx)
			same = same && vex_safe() == 6;
		checks++;
		if (!same && bad++ < 3)
			printf("xsave: FAIL state changed: ymm0 %x..%x (want %x..%x), x87 %u (want %u), "
			       "xcr0 %x (want %x), vex #%d\n", got[0], got[stride - 1], want[0],
			       want[stride - 1], x87, seed, (uint32_t)x, (uint32_t)want_xcr0,
			       avx ? 0 : vex_safe());
		rt_delay(20000);
	} while (rdtsc() < end);
	printf("xsave: %u checks, %u bad (seed %u, xcr0 %u)\n", checks, bad, seed,
	       (uint32_t)want_xcr0);
	printf("xsave: %d failures\n", failures + (int)bad);
	return failures + (int)bad;
}
