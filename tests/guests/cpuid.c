/*
 * tests/guests/cpuid.c - what CPUID shows a guest under yakvm: the
 * hypervisor-present bit, yakvm's signature at 0x40000000, and no SVM.
 * Prints one "cpuid: ok|FAIL" line per check; the status counts failures.
 */
#include "rt.h"

static int failures;

static void check(bool ok, const char *what)
{
	printf("cpuid: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	check(r[2] >> 31, "hypervisor-present bit (leaf 1 ECX[31])");
	char sig[13];
	uint32_t max_leaf = cpuid_signature(0x40000000, sig);
	printf("cpuid: leaf 0x40000000 eax=0x%x signature \"%s\"\n", max_leaf, sig);
	check(memcmp(sig, "yakvm", 6) == 0, "signature is \"yakvm\"");
	check(max_leaf >= 0x40000001, "max hypervisor leaf");
	cpuid(0x80000001, 0, r);
	check(!(r[2] & 4), "SVM hidden (leaf 0x80000001 ECX[2])");
	cpuid(0x8000000a, 0, r);
	check(r[0] == 0 && r[3] == 0, "leaf 0x8000000a empty");
	cpuid(1, 0, r);
	check((r[1] >> 24) == 0, "initial APIC ID is 0 on the boot vCPU");

	uint64_t efer;
	check(rdmsr_safe(0xc0000080, &efer) == 0 && !(efer & (1u << 12)),
	      "EFER reads without SVME");
	check(wrmsr_safe(0xc0000080, efer | (1u << 12)) == 13,
	      "setting EFER.SVME gives #GP");
	uint64_t v;
	check(rdmsr_safe(0xc0010114, &v) == 13, "VM_CR gives #GP");
	check(rdmsr_safe(0x12345678, &v) == 13, "an unknown MSR gives #GP");
	printf("cpuid: %d failures\n", failures);
	return failures;
}
