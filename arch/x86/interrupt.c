/*
 * arch/x86/interrupt.c - what the host does with an interrupt or exception.
 * Exceptions in yakvm itself are bugs: they get a full report and stop the
 * CPU. An NMI is reported and the interrupted code goes on (APM vol. 2, 8.2).
 */
#include "arch/x86/interrupt.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "lib/log.h"

static irq_handler_t handlers[256];

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 floating point", "#AC alignment check", "#MC machine check",
	"#XF SIMD floating point", "reserved 20", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

void irq_register(unsigned vector, irq_handler_t h)
{
	handlers[vector & 0xff] = h;
}

static void report(const struct intr_frame *f)
{
	struct pcpu *p = this_cpu();
	log_urgent();	/* it may have struck while this CPU printed */
	kprintf("\nyakvm: EXCEPTION %s (vector %lu) on CPU %u, error code 0x%lx\n"
		"  rip=%016lx cs=%04lx rflags=%016lx rsp=%016lx ss=%04lx\n"
		"  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n"
		"  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n"
		"  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n"
		"  r13=%016lx r14=%016lx r15=%016lx\n"
		"  cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx\n",
		exc_names[f->vector], f->vector, p ? p->id : 0, f->error,
		f->rip, f->cs, f->rflags, f->rsp, f->ss,
		f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->r8,
		f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
		read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void interrupt_dispatch(struct intr_frame *f);
void interrupt_dispatch(struct intr_frame *f)
{
	unsigned v = (unsigned)f->vector;
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v == VEC_NMI)
		return;	/* before nmi_cpu_init(): nothing to count yet */
	if (v < 32) {
		report(f);
		panic("unexpected %s in yakvm", exc_names[v]);
	}
	if (v == VEC_SPURIOUS || (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16))
		return;	/* spurious: no EOI */
	log_warn("unexpected interrupt vector %u on CPU %u", v, this_cpu()->id);
}
