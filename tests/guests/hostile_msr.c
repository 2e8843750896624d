/*
 * tests/guests/hostile_msr.c - a guest that attacks the MSR interface
 * (issue 9, hostile guests). First the SVM control MSRs: setting EFER.SVME,
 * VM_HSAVE_PA, VM_CR, SYSCFG and TSC_RATIO must each give #GP (reads too:
 * never the host's value). Then a sweep: RDMSR of every MSR in the three
 * ranges the MSR permission map covers (0-0x1fff, 0xc0000000-0xc0001fff,
 * 0xc0010000-0xc0011fff) and of one MSR every 0x10000 over all 32 bits, and
 * WRMSR of a random value (xorshift, fixed seed) to each of them except
 * EFER and APIC_BASE (which would change this guest's own execution).
 * Each access must either succeed or raise #GP, nothing else; the counts
 * are printed, and the guest must come out alive: "msr: sweep done". In
 * 0xc0010000-0xc0011fff exactly the CPU model's MSRs read, each with its
 * synthetic value: the legacy performance counters (0), SYSCFG (0), HWCR
 * (TscFreqSel) and the Interrupt Pending Message (0).
 */
#include "rt.h"

#define EFER       0xc0000080u
#define EFER_SVME  (1u << 12)
#define APIC_BASE  0x1bu

static int failures;

static void check(bool ok, const char *what)
{
	printf("msr: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static uint32_t rng = 0x9e3779b9;

static uint32_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

struct counts {
	unsigned ok, gp, other;
};

static void access(uint32_t msr, bool write, struct counts *c)
{
	uint64_t val;
	int vec;
	if (write) {
		if (msr == EFER || msr == APIC_BASE)
			return;
		val = ((uint64_t)xorshift() << 32) | xorshift();
		vec = wrmsr_safe(msr, val);
	} else {
		vec = rdmsr_safe(msr, &val);
	}
	if (vec == 0) {
		c->ok++;
	} else if (vec == 13) {
		c->gp++;
	} else {
		if (c->other++ < 5)
			printf("msr: FAIL %s of MSR 0x%x raised vector %d (not #GP)\n",
			       write ? "WRMSR" : "RDMSR", msr, vec);
		failures++;
	}
}

/* The CPU model's MSRs in 0xc0010000-0xc0011fff and their values. */
static const struct { uint32_t msr; uint64_t val; } model_amd[] = {
	{ 0xc0010000, 0 }, { 0xc0010001, 0 }, { 0xc0010002, 0 }, { 0xc0010003, 0 },
	{ 0xc0010004, 0 }, { 0xc0010005, 0 }, { 0xc0010006, 0 }, { 0xc0010007, 0 },
	{ 0xc0010010, 0 }, { 0xc0010015, 1u << 24 }, { 0xc0010055, 0 },
};
#define NMODEL (sizeof(model_amd) / sizeof(model_amd[0]))

static void readable_amd(uint32_t m, unsigned *readable_svm_range, unsigned *unexpected)
{
	uint64_t v = 0;
	rdmsr_safe(m, &v);
	printf("msr: readable: 0x%x = 0x%llx\n", m, (unsigned long long)v);
	++*readable_svm_range;
	for (unsigned i = 0; i < NMODEL; i++)
		if (model_amd[i].msr == m) {
			*unexpected += v != model_amd[i].val;
			return;
		}
	++*unexpected;
}

static unsigned unexpected_amd;

static void sweep(bool write, struct counts *c, unsigned *readable_svm_range)
{
	static const uint32_t base[] = { 0, 0xc0000000u, 0xc0010000u };
	for (unsigned r = 0; r < 3; r++)
		for (uint32_t m = base[r]; m < base[r] + 0x2000; m++) {
			unsigned before = c->ok;
			access(m, write, c);
			if (!write && r == 2 && c->ok != before)
				readable_amd(m, readable_svm_range, &unexpected_amd);
		}
	for (uint32_t hi = 0; hi < 0x10000; hi++)
		access(hi << 16 | (hi & 0xff), write, c);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint64_t v, efer;
	check(rdmsr_safe(EFER, &efer) == 0 && !(efer & EFER_SVME), "EFER reads without SVME");
	check(wrmsr_safe(EFER, efer | EFER_SVME) == 13, "WRMSR EFER with SVME gives #GP");
	check(wrmsr_safe(EFER, EFER_SVME) == 13, "WRMSR EFER = SVME alone gives #GP");
	check(wrmsr_safe(EFER, ~0ull) == 13, "WRMSR EFER = all ones gives #GP");
	check(wrmsr_safe(0xc0010117, 0x100000) == 13, "WRMSR VM_HSAVE_PA gives #GP");
	check(rdmsr_safe(0xc0010117, &v) == 13, "RDMSR VM_HSAVE_PA gives #GP (no host address)");
	check(wrmsr_safe(0xc0010114, 0x10) == 13, "WRMSR VM_CR (SVMDIS) gives #GP");
	check(wrmsr_safe(0xc0010114, 0) == 13, "WRMSR VM_CR = 0 gives #GP");
	check(rdmsr_safe(0xc0010114, &v) == 13, "RDMSR VM_CR gives #GP");
	check(wrmsr_safe(0xc0010010, 1u << 23) == 13, "WRMSR SYSCFG.MemEncryptionModEn gives #GP");
	check(wrmsr_safe(0xc0010010, 1u << 19) == 13, "WRMSR SYSCFG.MtrrFixDramModEn gives #GP");
	check(rdmsr_safe(0xc0010010, &v) == 0 && v == 0, "RDMSR SYSCFG reads the model's 0");
	check(wrmsr_safe(0xc0000104, 1ull << 32) == 13, "WRMSR TSC_RATIO gives #GP");
	check(rdmsr_safe(0xc0000104, &v) == 13, "RDMSR TSC_RATIO gives #GP");
	check(wrmsr_safe(0xc0010115, 0) == 13, "WRMSR IGNNE gives #GP");
	check(wrmsr_safe(0xc0010116, 0) == 13, "WRMSR SMM_CTL gives #GP");
	check(rdmsr_safe(EFER, &v) == 0 && v == efer, "EFER is unchanged after the attempts");

	struct counts rd = { 0 }, wr = { 0 };
	unsigned readable = 0;
	sweep(false, &rd, &readable);
	printf("msr: RDMSR sweep: %u MSRs, %u read, %u #GP, %u other\n",
	       rd.ok + rd.gp + rd.other, rd.ok, rd.gp, rd.other);
	check(readable == NMODEL && unexpected_amd == 0,
	      "in 0xc0010000-0xc0011fff exactly the CPU model's MSRs read, with its values");
	sweep(true, &wr, &readable);
	printf("msr: WRMSR sweep: %u MSRs, %u written, %u #GP, %u other\n",
	       wr.ok + wr.gp + wr.other, wr.ok, wr.gp, wr.other);
	check(rd.other == 0 && wr.other == 0, "every access succeeded or raised #GP");

	/* Still alive, and SVM still hidden. */
	check(rdmsr_safe(EFER, &v) == 0 && !(v & EFER_SVME), "EFER still reads without SVME");
	check(wrmsr_safe(EFER, v | EFER_SVME) == 13, "setting SVME still gives #GP");
	printf("msr: sweep done\n");
	printf("msr: %d failures\n", failures);
	return failures;
}
