/*
 * tests/guests/hostile_idt.c - exceptions the CPU cannot deliver (issue 9,
 * hostile guests). The command line picks one:
 *   limit0    an IDT with limit 0, then UD2: #UD, #GP and #DF cannot be
 *             delivered: a triple fault, and yakvm stops the VM;
 *   unmapped  the IDT at guest-physical 0xd0000000 (the MMIO hole, no
 *             device): reading the gate faults in the nested page tables
 *             during the delivery; yakvm stops the VM with the address;
 *   stack     ESP in the MMIO hole, then UD2: pushing the exception frame
 *             faults in the nested page tables; yakvm stops the VM;
 *   lapic     the IDT in the local APIC's page (0xfee00000): the gate read
 *             is an MMIO access during event delivery, not an instruction;
 *             yakvm must not take UD2 for a memory access;
 *   tf        the IDT in the LAPIC page and a single-step trap over RAM
 *             stores: a probe (not in a scenario) of the known problem in
 *             docs/security.md - yakvm emulates the stores after the trap
 *             against the LAPIC instead of stopping the delivery.
 * The VM must stop with one clear line; it never prints "STILL RUNNING".
 */
#include "rt.h"

static void load_idt(uint32_t base, uint16_t limit)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) d = { limit, base };
	__asm__ volatile("lidt %0" ::"m"(d));
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	if (memcmp(c, "limit0", 6) == 0) {
		printf("idt: limit 0, then ud2\n");
		load_idt(0, 0);
		__asm__ volatile("ud2");
	} else if (memcmp(c, "unmapped", 8) == 0) {
		printf("idt: IDT at 0xd0000000, then ud2\n");
		load_idt(0xd0000000u, 0x7ff);
		__asm__ volatile("ud2");
	} else if (memcmp(c, "stack", 5) == 0) {
		printf("idt: ESP at 0xd0000100, then ud2\n");
		__asm__ volatile("movl $0xd0000100, %%esp; ud2" ::: "memory");
	} else if (memcmp(c, "lapic", 5) == 0) {
		printf("idt: IDT at 0xfee00000 (the LAPIC page), then ud2\n");
		load_idt(0xfee00000u, 0x7ff);
		__asm__ volatile("ud2");
	} else if (memcmp(c, "tf", 2) == 0) {
		/* A trap (#DB from TF) whose delivery reads the gate from the
		 * LAPIC page; RIP then points at an ordinary RAM store. */
		static volatile uint32_t cell;
		printf("idt: IDT at 0xfee00000, single-step over two RAM stores\n");
		load_idt(0xfee00000u, 0x7ff);
		__asm__ volatile("pushf; orl $0x100, (%%esp); popf\n\t"
				 "movl %0, (%1)\n\t"
				 "movl %0, (%1)\n\t"
				 :: "r"(0x12345678), "r"(&cell) : "memory");
		printf("idt: STILL RUNNING (cell 0x%x)\n", cell);
		return 1;
	} else {
		printf("idt: no mode on the command line\n");
		return 2;
	}
	printf("idt: STILL RUNNING\n");
	return 1;
}
