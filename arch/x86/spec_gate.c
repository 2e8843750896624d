/* arch/x86/spec_gate.c - see spec_gate.h. */
#include "arch/x86/spec_gate.h"

bool ibpb_offered(uint32_t max_ext_leaf, uint32_t ext8_ebx)
{
	return max_ext_leaf >= 0x80000008u && (ext8_ebx & (1u << 12));
}

bool ibpb_needed(const void *last_vm, const void *next_vm, bool offered)
{
	return offered && last_vm && last_vm != next_vm;
}

enum canary_source canary_source(uint32_t cpuid1_ecx, uint32_t max_leaf, uint32_t cpuid7_ebx)
{
	if (max_leaf >= 7 && (cpuid7_ebx & (1u << 18)))
		return CANARY_RDSEED;
	if (cpuid1_ecx & (1u << 30))
		return CANARY_RDRAND;
	return CANARY_TSC;
}

const char *canary_source_name(enum canary_source s)
{
	return s == CANARY_RDSEED ? "RDSEED" : s == CANARY_RDRAND ? "RDRAND" : "the TSC";
}

uint64_t canary_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x & ~0xffull;
}
