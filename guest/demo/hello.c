/*
 * guest/demo/hello.c - the demo guest: it introduces itself on its serial
 * port with plain OUT instructions, shows what it learned from its Multiboot1
 * boot loader (yakvm) and from CPUID, counts a little, and ends its VM.
 */
#include "rt.h"

/* Twelve characters from three registers: the vendor string is in
 * EBX:EDX:ECX, a hypervisor signature in EBX:ECX:EDX. */
static void cpuid_string(uint32_t leaf, const int order[3], char out[13])
{
	uint32_t r[4];
	cpuid(leaf, 0, r);
	for (int i = 0; i < 3; i++)
		memcpy(out + 4 * i, &r[order[i]], 4);
	out[12] = 0;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *cmdline = (info->flags & 4) ? (const char *)info->cmdline : "";
	printf("Hello from a yakvm guest! (Multiboot1 magic 0x%x)\n", magic);
	printf("my command line: \"%s\"\n", cmdline);
	printf("my memory: %u KiB low, %u KiB high; loaded by %s\n",
	       info->mem_lower, info->mem_upper,
	       (info->flags & (1u << 9)) ? (const char *)info->boot_loader_name : "?");

	char vendor[13], hv[13];
	uint32_t r[4];
	static const int vendor_order[3] = { 1, 3, 2 }, hv_order[3] = { 1, 2, 3 };
	cpuid_string(0, vendor_order, vendor);
	cpuid(1, 0, r);
	bool under_hv = r[2] >> 31;
	cpuid_string(0x40000000, hv_order, hv);
	printf("CPU vendor %s, hypervisor present: %s, signature \"%s\"\n", vendor,
	       under_hv ? "yes" : "no", hv);

	for (int i = 1; i <= 5; i++) {
		printf("counting %d of 5\n", i);
		rt_delay(2000000);
	}
	printf("goodbye\n");
	return 0;
}
