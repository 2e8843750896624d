/*
 * tests/guests/msr_isolation.c - the SYSCALL/SYSENTER MSRs, KERNEL_GS_BASE
 * and TSC_AUX stay each vCPU's own (issue 9). Two or more of these run on one
 * physical CPU, each writing values made from its SEED (command line) to
 * STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE, SYSENTER_CS/ESP/EIP and
 * TSC_AUX, then reading them back again and again for a while, across many
 * preemptions by the others. RDTSCP (and RDPID where CPUID lists it) must
 * return this vCPU's TSC_AUX. A leak shows as another VM's value.
 * One "msri: ok|FAIL" line per check; the exit status counts failures.
 */
#include "rt.h"
#include "hw.h"

static int failures;

static void check(bool ok, const char *what)
{
	printf("msri: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static const struct {
	uint32_t msr;
	const char *name;
	uint64_t mask;          /* the bits the MSR keeps */
} msrs[] = {
	{ 0xc0000081, "STAR", ~0ull },
	{ 0xc0000082, "LSTAR", 0x00007fffffffffffull },	/* canonical */
	{ 0xc0000083, "CSTAR", 0x00007fffffffffffull },
	{ 0xc0000084, "SFMASK", 0xffffffffull },
	{ 0xc0000102, "KERNEL_GS_BASE", 0x00007fffffffffffull },
	{ 0x174, "SYSENTER_CS", 0xffffull },
	{ 0x175, "SYSENTER_ESP", 0xffffffffull },
	{ 0x176, "SYSENTER_EIP", 0xffffffffull },
	{ 0xc0000103, "TSC_AUX", 0xffffffffull },
};
#define NMSRS (sizeof(msrs) / sizeof(msrs[0]))
#define TSC_AUX 8

static uint64_t value(uint32_t seed, unsigned i)
{
	uint64_t v = (uint64_t)(seed * 0x9e3779b9u + i * 0x85ebca6bu) << 32 |
		     (seed * 0x7feb352du + i);
	return v & msrs[i].mask;
}

static uint32_t rdtscp_aux(void)
{
	uint32_t lo, hi, aux;
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}

static uint32_t rdpid(void)
{
	uint32_t v;
	__asm__ volatile("rdpid %0" : "=r"(v));
	return v;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *a = (info->flags & 4) ? (const char *)info->cmdline : "";
	uint32_t seed = 0;
	for (; *a >= '0' && *a <= '9'; a++)
		seed = seed * 10 + (uint32_t)(*a - '0');

	uint32_t r[4];
	cpuid(0x80000001, 0, r);
	bool has_rdtscp = r[3] & (1u << 27);
	cpuid(7, 0, r);
	bool has_rdpid = r[2] & (1u << 22);
	check(has_rdtscp, "CPUID lists RDTSCP");
	printf("msri: RDPID %s\n", has_rdpid ? "listed" : "not listed");

	uint64_t v;
	check(rdmsr_safe(0xc0000103, &v) == 0 && v == 0, "TSC_AUX reads 0 after reset");
	check(wrmsr_safe(0xc0000103, 1ull << 32) == 13, "TSC_AUX bits 63:32 are reserved (#GP)");
	bool written = true;
	for (unsigned i = 0; i < NMSRS; i++)
		written = wrmsr_safe(msrs[i].msr, value(seed, i)) == 0 && written;
	check(written, "every MSR takes its value");

	uint64_t end = rdtsc() + tsc_per_ms() * 1500;
	unsigned checks = 0, bad = 0;
	while (rdtsc() < end) {
		for (unsigned i = 0; i < NMSRS; i++) {
			if (rdmsr_safe(msrs[i].msr, &v) != 0 || v != value(seed, i)) {
				if (bad++ < 3)
					printf("msri: FAIL %s = %x:%x (want %x:%x)\n", msrs[i].name,
					       (uint32_t)(v >> 32), (uint32_t)v,
					       (uint32_t)(value(seed, i) >> 32), (uint32_t)value(seed, i));
			}
		}
		uint32_t aux = (uint32_t)value(seed, TSC_AUX);
		uint32_t got = has_rdtscp ? rdtscp_aux() : aux;
		uint32_t pid = has_rdpid ? rdpid() : aux;
		if ((got != aux || pid != aux) && bad++ < 3)
			printf("msri: FAIL RDTSCP gives %x, RDPID %x (want %x)\n", got, pid, aux);
		checks++;
		rt_delay(20000);
	}
	printf("msri: %u checks, %u bad (seed %u)\n", checks, bad, seed);
	printf("msri: %d failures\n", failures + (int)bad);
	return failures + (int)bad;
}
