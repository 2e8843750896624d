/*
 * arch/x86/pcpu.h - one physical CPU: its descriptor tables, its stacks,
 * its virtualization host state, the vCPU it runs, and its run queue.
 * The running CPU finds its own struct pcpu through GS.base (this_cpu()).
 */
#ifndef YAKVM_ARCH_X86_PCPU_H
#define YAKVM_ARCH_X86_PCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/spinlock.h"

#define MAX_CPUS 64
#define MAX_RUNQ 64
#define MCE_LOG_LEN 8

struct vcpu;
struct vm;
struct vtimer;

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iopb_offset;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes");

/* IST slots (1-based in the IDT gate). */
enum { IST_NMI = 1, IST_DF = 2, IST_MC = 3 };

struct pcpu {
	struct pcpu *self;          /* GS:0, so this_cpu() is one load */
	unsigned id;                /* 0 = the boot CPU */
	uint32_t apic_id;

	uint64_t gdt[5] __attribute__((aligned(8)));
	struct tss tss __attribute__((aligned(16)));

	/* The backend's pages (arch/x86/svm/svm.c): the host-save area
	 * (VM_HSAVE_PA) and a page that holds the host state the world switch
	 * does not save (VMSAVE/VMLOAD: FS, GS, TR, LDTR, KernelGSbase,
	 * STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*). */
	uint64_t hsave_pa;
	uint64_t host_state_pa;

	struct vcpu *current;
	struct vm *last_vm;         /* whose vCPU ran here last (arch/x86/spec.c) */
	struct vcpu *fpu_owner;     /* whose x87/SSE state the CPU holds */
	struct vcpu *runq[MAX_RUNQ];
	unsigned nrunq, rr_next;
	struct spinlock runq_lock;  /* sched_add (any CPU) vs. a destroy's drop */
	volatile bool need_resched;
	volatile bool timer_irq;    /* the host LAPIC timer fired */
	bool console_due;           /* a VM line was queued during this exit */
	bool io_retry;              /* a device was busy: the IN/OUT runs again */
	uint64_t slice_end_ns;
	struct vtimer *timers;      /* armed device timers (core/run/timer.c) */
	struct spinlock timer_lock;

	/* Machine checks (arch/x86/mce.c), recorded in #MC context. */
	struct mce_record { unsigned bank; uint64_t status, addr; } mce_log[MCE_LOG_LEN];
	uint64_t mce_count, mce_reported;

	/* Host NMIs (arch/x86/nmi.c): the LINT pin wired to NMI, and counts. */
	uint8_t nmi_lint;
	uint64_t nmi_count, nmi_reported, nmi_last_rip;

	/* ASIDs handed out on this CPU (see arch/x86/svm/asid.c). */
	uint32_t next_asid, asid_generation;
};

static inline struct pcpu *this_cpu(void)
{
	struct pcpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

extern struct pcpu *pcpus[MAX_CPUS];
extern unsigned pcpu_count;

/* Builds and loads this CPU's GDT, TSS (with IST stacks) and IDT, and
 * points GS.base at p. */
void pcpu_init_tables(struct pcpu *p);
/* How many of its 3 IST stacks have their guard page unmapped. */
unsigned pcpu_ist_guards_unmapped(const struct pcpu *p);

#endif
