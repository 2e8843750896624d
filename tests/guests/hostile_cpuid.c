/*
 * tests/guests/hostile_cpuid.c - a CPUID sweep (issue 9, hostile guests):
 * every basic (0-0x20), hypervisor (0x40000000-0x400000ff) and extended
 * (0x80000000-0x80000030) leaf, each with subleaves 0-3 and four random ones,
 * plus 4096 random leaves over all 32 bits. Each answer must be the same when
 * asked twice. After the sweep the hypervisor bit and yakvm's signature are
 * still there, and SVM is still hidden. The status counts failures.
 */
#include "rt.h"

static int failures;

static void check(bool ok, const char *what)
{
	printf("cpuid-sweep: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static uint32_t rng = 0xdeadbeef;

static uint32_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static unsigned asked, unstable;

static void probe(uint32_t leaf, uint32_t sub)
{
	uint32_t a[4], b[4];
	cpuid(leaf, sub, a);
	cpuid(leaf, sub, b);
	asked++;
	/* Leaf 1 EBX[31:24] is the APIC ID, fixed; nothing here may change
	 * between two questions in a row. */
	if (memcmp(a, b, sizeof(a)) != 0 && unstable++ < 5)
		printf("cpuid-sweep: FAIL leaf 0x%x.%x answered differently twice\n", leaf, sub);
}

static void range(uint32_t first, uint32_t last)
{
	for (uint32_t l = first; l <= last; l++) {
		for (uint32_t s = 0; s < 4; s++)
			probe(l, s);
		for (int i = 0; i < 4; i++)
			probe(l, xorshift());
	}
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	range(0, 0x20);
	range(0x40000000, 0x400000ff);
	range(0x80000000, 0x80000030);
	for (int i = 0; i < 4096; i++)
		probe(xorshift(), xorshift());
	printf("cpuid-sweep: %u leaf/subleaf pairs asked twice each\n", asked);
	check(unstable == 0, "every answer is the same when asked twice");

	uint32_t r[4];
	cpuid(1, 0, r);
	check(r[2] >> 31, "hypervisor-present bit still set");
	char sig[13];
	cpuid_signature(0x40000000, sig);
	printf("cpuid-sweep: leaf 0x40000000 signature \"%s\"\n", sig);
	check(memcmp(sig, "yakvm", 6) == 0, "leaf 0x40000000 still says \"yakvm\"");
	cpuid(0x80000001, 0, r);
	check(!(r[2] & 4), "SVM still hidden (leaf 0x80000001 ECX[2])");
	cpuid(0x8000000a, 0, r);
	check(r[0] == 0 && r[1] == 0 && r[3] == 0, "leaf 0x8000000a (SVM features) still empty");
	cpuid(1, 0, r);
	check(!(r[2] & (1u << 21)), "x2APIC still hidden (leaf 1 ECX[21])");
	printf("cpuid-sweep: %d failures\n", failures);
	return failures;
}
