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
 *             against the LAPIC instead of stopping the delivery;
 *   dfstorm   a #DF storm that the guest survives: the #DE gate is marked
 *             not present, so each DIV by zero raises #DE, then #NP for the
 *             gate (both contributory: a double fault, Intel SDM vol. 3,
 *             table 6-5). The #DF handler returns to the DIV, which faults
 *             again, 1000 times, then the handler makes the divisor 1;
 *             1000 such DIVs. No exit is involved: yakvm must simply keep
 *             running it and its neighbours.
 * The first five must stop with one clear line; they never print "STILL
 * RUNNING".
 */
#include "rt.h"

#define DF_PER_DIV 1000
#define DF_DIVS    1000

static volatile uint32_t df_count;

/* The frame's EIP is the DIV (the first fault's instruction); the divisor
 * (ECX, restored by the stub's POPA) decides whether it faults again. */
static void on_double_fault(struct rt_frame *f)
{
	if (++df_count % DF_PER_DIV == 0)
		f->ecx = 1;
}

static int df_storm(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) d;
	__asm__ volatile("sidt %0" : "=m"(d));
	volatile uint8_t *de_gate = (volatile uint8_t *)d.base;
	de_gate[5] &= 0x7f;	/* vector 0's gate: P=0 */
	rt_set_irq_handler(8, on_double_fault);
	printf("idt: #DF storm: %u DIVs by zero with #DE's gate not present\n", DF_DIVS);
	uint32_t done = 0;
	for (unsigned i = 0; i < DF_DIVS; i++) {
		uint32_t eax = 1000 + i, edx = 0, ecx = 0;
		__asm__ volatile("divl %%ecx" : "+a"(eax), "+d"(edx), "+c"(ecx) :: "memory");
		done += eax == 1000 + i && ecx == 1;
		if (i % 250 == 249)
			printf("idt: %u DIVs, %u double faults\n", i + 1, df_count);
	}
	rt_check("idt", df_count == DF_PER_DIV * DF_DIVS, "#DF storm: every DIV took 1000 #DFs",
		 "%u", df_count);
	rt_check("idt", done == DF_DIVS, "#DF storm: every DIV then completed", "%u", done);
	rt_check("idt", rt_irq_count[8] == df_count, "#DF storm: the handler ran for each",
		 "%u of %u", rt_irq_count[8], df_count);
	printf("idt: %d failures\n", rt_failures);
	return rt_failures ? 1 : 0;
}

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
	} else if (memcmp(c, "dfstorm", 7) == 0) {
		return df_storm();
	} else {
		printf("idt: no mode on the command line\n");
		return 2;
	}
	printf("idt: STILL RUNNING\n");
	return 1;
}
