/*
 * tests/guests/gdbtarget.c - a guest for yakvm's gdb stub
 * (tests/e2e/scenarios_gdb.py drives it with the real gdb).
 *
 * It turns 32-bit paging on first (4 MiB pages): the first 4 MiB mapped
 * at 0 and again at ALIAS, so gdb's reads and writes through ALIAS only
 * work through the guest's page tables. Then the guest's own INT3, INT 0x40 and a single step (TF): with gdb
 * attached these exit to yakvm, which must give them back to the guest.
 * Then a loop calls gdb_marker() three times (counter 10, 20, 30), then
 * gdb_second() once, then spins until gdb sets `release`, and prints what
 * it ends with: counter is whatever gdb left there.
 */
#include "rt.h"

#define ALIAS 0x80000000u

static uint32_t page_dir[1024] __attribute__((aligned(4096)));

/* PDEs with PS=1 map 4 MiB each (APM vol. 2, 5.3, with CR4.PSE). */
static void paging_on(void)
{
	page_dir[0] = 0x83;			/* P, RW, PS: 0 → 0 */
	page_dir[ALIAS >> 22] = 0x83;		/* ALIAS → 0 */
	__asm__ volatile("mov %0, %%cr3" :: "r"(page_dir) : "memory");
	__asm__ volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	__asm__ volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0"
			 ::: "eax", "memory");
}

volatile uint32_t counter;
volatile uint32_t marker_calls, marker_last, second_calls;
volatile uint32_t release, spins;
uint8_t pattern[4] = { 0xca, 0xfe, 0xf0, 0x0d };

__attribute__((noinline)) void gdb_marker(uint32_t a, uint32_t b)
{
	marker_calls++;
	marker_last = a * 100 + b;
}

__attribute__((noinline)) void gdb_second(void)
{
	second_calls++;
}

static void on_debug(struct rt_frame *f) { f->eflags &= ~0x100u; }	/* TF off */
static void on_trap(struct rt_frame *f) { (void)f; }	/* rt counts them */

int guest_main(uint32_t magic, struct mb1_info *info)
{
	rt_set_irq_handler(1, on_debug);
	rt_set_irq_handler(3, on_trap);
	rt_set_irq_handler(0x40, on_trap);
	paging_on();
	printf("gdbtarget: started, paging on\n");
	__asm__ volatile("int3");
	__asm__ volatile("int $0x40");
	/* POPF sets TF: one #DB after the next instruction. */
	__asm__ volatile("pushf; orl $0x100, (%%esp); popf; nop; nop" ::: "memory", "cc");
	printf("gdbtarget: own int3 %u, int 0x40 %u, single-step traps %u\n",
	       rt_irq_count[3], rt_irq_count[0x40], rt_irq_count[1]);
	for (uint32_t i = 1; i <= 3; i++) {
		counter += 10;
		gdb_marker(counter, i);
	}
	gdb_second();
	printf("gdbtarget: spinning until released\n");
	while (!release)
		spins++;
	printf("gdbtarget: counter=%u marker_calls=%u second_calls=%u pattern[0]=0x%x\n",
	       counter, marker_calls, second_calls, pattern[0]);
	return 0;
}
