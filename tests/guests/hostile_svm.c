/*
 * tests/guests/hostile_svm.c - a guest that tries the SVM instructions
 * (issue 9, hostile guests). yakvm hides SVM (CPUID, EFER.SVME), so each of
 * VMRUN, VMLOAD, VMSAVE, CLGI, STGI, SKINIT and INVLPGA must raise #UD in the
 * guest, as on a CPU without SVM; so must MONITOR/MWAIT and XSETBV, which are
 * hidden too. VMMCALL is yakvm's hypercall: 0 returns 0, any other number
 * returns -1 in EAX. One "svm: ok|FAIL" line per check; the status counts
 * failures.
 */
#include "rt.h"

static int failures;

static void check(bool ok, const char *what)
{
	printf("svm: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static uint8_t scratch[8192] __attribute__((aligned(4096)));

/* Runs the three-byte instruction 0f 01 <modrm> with EAX = rax, ECX = rcx;
 * returns the vector it raised (0 if none). */
#define TRY_0F01(modrm, rax, rcx) ({					\
	rt_last_vector = 0;						\
	uint32_t a_ = (rax), c_ = (rcx);				\
	__asm__ volatile("movl $1f, rt_fixup\n\t"			\
			 ".byte 0x0f, 0x01, " #modrm "\n\t"		\
			 "1: movl $0, rt_fixup"				\
			 : "+a"(a_), "+c"(c_) : "d"(0) : "memory");	\
	rt_last_vector; })

static uint32_t vmmcall(uint32_t nr, uint32_t *vec)
{
	uint32_t a = nr;
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "vmmcall\n\t"
			 "1: movl $0, rt_fixup"
			 : "+a"(a) : "b"(0x11111111), "c"(0x22222222), "d"(0x33333333) : "memory");
	*vec = (uint32_t)rt_last_vector;
	return a;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t page = (uint32_t)scratch;
	/* A "VMCB" full of garbage for VMRUN/VMLOAD/VMSAVE to chew on. */
	for (unsigned i = 0; i < sizeof(scratch); i++)
		scratch[i] = (uint8_t)(i * 37 + 11);

	check(TRY_0F01(0xd8, page, 0) == 6, "VMRUN gives #UD");
	check(TRY_0F01(0xd8, 0, 0) == 6, "VMRUN of guest-physical 0 gives #UD");
	check(TRY_0F01(0xda, page, 0) == 6, "VMLOAD gives #UD");
	check(TRY_0F01(0xdb, page, 0) == 6, "VMSAVE gives #UD");
	check(TRY_0F01(0xdd, 0, 0) == 6, "CLGI gives #UD");
	check(TRY_0F01(0xdc, 0, 0) == 6, "STGI gives #UD");
	check(TRY_0F01(0xde, page, 0) == 6, "SKINIT gives #UD");
	check(TRY_0F01(0xdf, page, 1) == 6, "INVLPGA gives #UD");
	check(TRY_0F01(0xc8, page, 0) == 6, "MONITOR gives #UD");
	check(TRY_0F01(0xc9, 0, 0) == 6, "MWAIT gives #UD");
	check(TRY_0F01(0xd1, 0, 0) == 6, "XSETBV gives #UD");
	/* The scratch "VMCB" must be untouched by the VMSAVE attempt. */
	bool same = true;
	for (unsigned i = 0; i < sizeof(scratch); i++)
		same &= scratch[i] == (uint8_t)(i * 37 + 11);
	check(same, "VMSAVE wrote nothing into guest memory");

	uint32_t vec;
	uint32_t r = vmmcall(0, &vec);
	check(vec == 0 && r == 0, "VMMCALL 0 (no-op) returns 0");
	r = vmmcall(0x12345, &vec);
	check(vec == 0 && r == 0xffffffffu, "VMMCALL 0x12345 (unknown) returns -1");
	r = vmmcall(0xffffffffu, &vec);
	check(vec == 0 && r == 0xffffffffu, "VMMCALL 0xffffffff (unknown) returns -1");
	/* A storm of unknown hypercalls: every one returns -1. */
	unsigned bad = 0;
	uint32_t x = 0x2545f491;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		r = vmmcall(x | 1, &vec);
		bad += vec != 0 || r != 0xffffffffu;
	}
	check(bad == 0, "20000 random VMMCALLs each return -1");
	printf("svm: %d failures\n", failures);
	return failures;
}
