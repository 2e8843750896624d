/*
 * arch/x86/desc.c - each CPU's GDT and TSS, and the shared IDT
 * (APM vol. 2, 4.8 "Long-Mode Segment Descriptors", 8.9 "Long-Mode Interrupt
 * Control Transfers", 12.2.5 the 64-bit TSS with its IST stacks).
 */
#include "arch/x86/pcpu.h"
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "mm/paging.h"
#include "lib/string.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS  0x18
#define IST_STACK_PAGES 2

struct pcpu *pcpus[MAX_CPUS];
unsigned pcpu_count;

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_stub_table[256];	/* arch/x86/isr.S */

static void idt_build(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = isr_stub_table[v];
		idt[v] = (struct idt_gate){
			.off0 = (uint16_t)a, .sel = SEL_CODE,
			.type = 0x8e,	/* present, DPL 0, 64-bit interrupt gate */
			.off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32),
		};
	}
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DF;
	idt[18].ist = IST_MC;
}

/* An IST stack with an unmapped guard page under it: an #NMI, #DF or #MC
 * handler that overflows its stack faults (#PF, then #DF on its own
 * stack) instead of overwriting whatever lies below. The page is only
 * flushed from this CPU's TLB, the one that uses the stack. */
static uint64_t ist_stack(void)
{
	uint64_t pa = pmm_alloc_pages(IST_STACK_PAGES);
	if (!pa)
		return 0;
	paging_unmap_page(pa);
	return pa + IST_STACK_PAGES * 4096;
}

unsigned pcpu_ist_guards_unmapped(const struct pcpu *p)
{
	unsigned n = 0;
	for (unsigned i = IST_NMI; i <= IST_MC; i++)
		if (p->tss.ist[i - 1] &&
		    !paging_is_mapped(p->tss.ist[i - 1] - IST_STACK_PAGES * 4096))
			n++;
	return n;
}

void pcpu_init_tables(struct pcpu *p)
{
	static bool idt_done;
	if (!idt_done) {
		idt_build();
		idt_done = true;
	}
	p->self = p;
	p->gdt[0] = 0;
	p->gdt[1] = 0x00af9a000000ffffull;	/* 64-bit code: L=1, D=0 */
	p->gdt[2] = 0x00cf92000000ffffull;	/* data */
	uint64_t t = (uint64_t)&p->tss;
	uint64_t lim = sizeof(p->tss) - 1;
	p->gdt[3] = (lim & 0xffff) | ((t & 0xffffff) << 16) |
		    (0x89ull << 40) |	/* present, available 64-bit TSS */
		    ((t >> 24) & 0xff) << 56;
	p->gdt[4] = t >> 32;

	memset(&p->tss, 0, sizeof(p->tss));
	p->tss.ist[IST_NMI - 1] = ist_stack();
	p->tss.ist[IST_DF - 1] = ist_stack();
	p->tss.ist[IST_MC - 1] = ist_stack();
	p->tss.iopb_offset = sizeof(p->tss);	/* no I/O bitmap */

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(p->gdt) - 1, (uint64_t)p->gdt },
				  idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %2\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %3, %%ax\n\t"
		"mov %%ax, %%ds\n\t"
		"mov %%ax, %%es\n\t"
		"mov %%ax, %%ss\n\t"
		"lidt %1\n\t"
		"mov %4, %%ax\n\t"
		"ltr %%ax"
		:
		: "m"(gdtr), "m"(idtr), "i"(SEL_CODE), "i"(SEL_DATA), "i"(SEL_TSS)
		: "rax", "memory");
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}
