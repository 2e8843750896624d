/*
 * tests/guests/singlestep.c - the single-step trap over instructions yakvm
 * completes for the guest, in ring 0 and ring 3, and exact interrupt
 * windows (issue 14, items 4 and 5).
 *
 * Each step test sets RFLAGS.TF with POPF, so that the instruction after
 * the POPF is the first one stepped (APM vol. 2, 13.1.4), runs an
 * instruction that exits to yakvm, and ends at a label. The #DB handler
 * records every trap (EIP, CS, DR6) and clears TF once a trap lands on
 * the test's end label, so a missed trap shows as one recorded at a later
 * instruction. Ring 3 runs the same tests through a TSS, with IOPL=3.
 *
 * The window test: two self-IPIs (vectors 0x41, 0x40) wait with IF=0, then
 * STI; NOP; CLI. Both must come at the CLI: the first after the NOP (the
 * STI's shadow covers the NOP), the second after the first handler's IRET.
 */
#include "rt.h"
#include "hw.h"

#define TAG "step"
#define DR6_BS (1u << 14)
#define MAX_TRAPS 8

/* ---- the #DB handler --------------------------------------------------- */

static volatile uint32_t trap_eip[MAX_TRAPS], trap_cs[MAX_TRAPS], trap_dr6[MAX_TRAPS];
static volatile unsigned ntraps;
static volatile uint32_t trap_end;	/* the current test's end label */

static void on_db(struct rt_frame *f)
{
	uint32_t dr6;
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	__asm__ volatile("mov %0, %%dr6" ::"r"(0u));
	unsigned n = ntraps;
	if (n < MAX_TRAPS) {
		trap_eip[n] = f->eip;
		trap_cs[n] = f->cs;
		trap_dr6[n] = dr6;
	}
	ntraps = n + 1;
	if (f->eip == trap_end || n + 1 >= MAX_TRAPS)
		f->eflags &= ~0x100u;	/* TF off: the test is over */
}

/* ---- the step tests ------------------------------------------------------
 * STEP(name, setup, body): setup runs untraced; the POPF sets TF; body is
 * stepped up to name_end. Labels name_mid (if the body has one) and
 * name_end are what the traps must report. */
#define STEP(name, setup, body)						\
	__asm__(".text\n.globl " #name "\n" #name ":\n\t"		\
		"pusha\n\t" setup "\n\t"				\
		"pushf\n\torl $0x100, (%esp)\n\tpopf\n\t"		\
		body "\n"						\
		".globl " #name "_end\n" #name "_end:\n\t"		\
		"nop\n"							\
		".globl " #name "_after\n" #name "_after:\n\t"		\
		"popa\n\tret\n");					\
	void name(void);						\
	extern const char name##_end[], name##_after[];

static volatile uint8_t io_buf[4] = { 0x5a, 0, 0, 0 };
static volatile uint64_t apic_base_value;

STEP(st_cpuid, "xor %eax, %eax\n\txor %ecx, %ecx", "cpuid")
STEP(st_in, "mov $0x3fd, %dx", "inb %dx, %al")
STEP(st_out, "mov $0x3ff, %dx\n\tmov $0xa5, %al", "outb %al, %dx")
STEP(st_ins, "mov $0x3ff, %dx\n\tlea io_buf+1, %edi\n\tcld", "insb")
STEP(st_outs, "mov $0x3ff, %dx\n\tlea io_buf, %esi\n\tcld", "outsb")
/* REP INSB/OUTSB, 3 iterations: a trap after each, RIP on the
 * instruction until the last. */
STEP(st_rep_ins, "mov $0x3ff, %dx\n\tlea io_buf, %edi\n\tmov $3, %ecx\n\tcld",
     ".globl st_rep_ins_mid\nst_rep_ins_mid:\n\trep insb")
STEP(st_rep_outs, "mov $0x3ff, %dx\n\tlea io_buf, %esi\n\tmov $3, %ecx\n\tcld",
     ".globl st_rep_outs_mid\nst_rep_outs_mid:\n\trep outsb")
extern const char st_rep_ins_mid[], st_rep_outs_mid[];
STEP(st_mmio_read, "mov $0xfee00030, %ebx", "mov (%ebx), %eax")
STEP(st_mmio_write, "mov $0xfee00080, %ebx\n\txor %eax, %eax", "mov %eax, (%ebx)")
STEP(st_vmmcall, "xor %eax, %eax", "vmmcall")
/* An emulated instruction right after MOV SS: the shadow holds back the
 * MOV SS's own trap, so the one trap comes after the CPUID. */
STEP(st_movss, "mov %ss, %ebx\n\txor %eax, %eax\n\txor %ecx, %ecx",
     "mov %ebx, %ss\n\tcpuid")
/* After STI the trap is not held back (only interrupts are): one after
 * the STI, one after the CPUID, which runs in the STI's shadow. QEMU's TCG
 * holds back the STI's trap as for MOV SS (docs/status.md). */
STEP(st_sti, "cli\n\txor %eax, %eax\n\txor %ecx, %ecx",
     "sti\n.globl st_sti_mid\nst_sti_mid:\n\tcpuid")
/* Ring 0 only. */
STEP(st_rdmsr, "mov $0x1b, %ecx", "rdmsr")
STEP(st_wrmsr, "mov $0x1b, %ecx\n\trdmsr", "wrmsr")
STEP(st_hlt, "cli", "hlt")
STEP(st_xsetbv, "xor %ecx, %ecx\n\txgetbv", "xsetbv")
/* An instruction that faults raises no trap: RDMSR of a missing MSR gets
 * #GP, whose handler resumes at the end label with TF still set (IRET), so
 * the only trap comes after the instruction there. */
STEP(st_gp, "mov $0xc001ffff, %ecx\n\tmovl $st_gp_end, rt_fixup", "rdmsr")
extern const char st_sti_mid[];

static const char *end_name(uint32_t eip)
{
	static char buf[16];
	snprintf(buf, sizeof(buf), "0x%x", eip);
	return buf;
}

/* Runs one step test and checks its traps: exactly `n` of them, at
 * want[0..n-1], each with DR6.BS and from the ring in `ring`. */
static void step_check(const char *ring, const char *what, void (*fn)(void),
		       const uint32_t *want, unsigned n, uint32_t end)
{
	ntraps = 0;
	trap_end = end;
	fn();
	unsigned got = ntraps;
	bool ok = got == n;
	char detail[120];
	snprintf(detail, sizeof(detail), "%u trap(s), want %u", got, n);
	for (unsigned i = 0; ok && i < n; i++) {
		if (trap_eip[i] != want[i]) {
			ok = false;
			snprintf(detail, sizeof(detail), "trap %u at %s, want 0x%x",
				 i, end_name(trap_eip[i]), want[i]);
		} else if (!(trap_dr6[i] & DR6_BS)) {
			ok = false;
			snprintf(detail, sizeof(detail), "trap %u: DR6 0x%x without BS",
				 i, trap_dr6[i]);
		} else if ((trap_cs[i] & 3) != (ring[5] == '3' ? 3u : 0u)) {
			ok = false;
			snprintf(detail, sizeof(detail), "trap %u from CS 0x%x", i, trap_cs[i]);
		}
	}
	if (!ok && got >= 1 && n >= 1 && got != n)
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 ", first at %s (end 0x%x)", end_name(trap_eip[0]), end);
	char name[80];
	snprintf(name, sizeof(name), "%s: %s", ring, what);
	rt_check(TAG, ok, name, "%s", detail);
}

/* STI; CPUID: the trap after the CPUID (yakvm's) must come, last; the
 * one after the STI (the CPU's) is reported on its own line. */
static void sti_check(const char *ring)
{
	ntraps = 0;
	trap_end = (uint32_t)st_sti_end;
	st_sti();
	cli();
	unsigned n = ntraps;
	bool after_sti = n == 2 && trap_eip[0] == (uint32_t)st_sti_mid;
	bool ok = n >= 1 && n <= 2 && trap_eip[n - 1] == (uint32_t)st_sti_end &&
		  (trap_dr6[n - 1] & DR6_BS) && (n == 1 || after_sti);
	char name[80];
	snprintf(name, sizeof(name), "%s: CPUID in the STI's shadow traps after it", ring);
	rt_check(TAG, ok, name, "%u trap(s), first at 0x%x, last at 0x%x, end 0x%x",
		 n, trap_eip[0], trap_eip[n ? n - 1 : 0], (uint32_t)st_sti_end);
	printf("%s: %s: a trap after the STI itself: %s\n", TAG, ring, after_sti ? "yes" : "no");
}

#define ONE(ring, what, fn) do {						\
	uint32_t w_[1] = { (uint32_t)fn##_end };				\
	step_check(ring, what, fn, w_, 1, (uint32_t)fn##_end);		\
} while (0)

/* The tests both rings run. */
static void common_steps(const char *ring)
{
	ONE(ring, "CPUID traps after it", st_cpuid);
	ONE(ring, "IN traps after it", st_in);
	ONE(ring, "OUT traps after it", st_out);
	ONE(ring, "INSB traps after it", st_ins);
	ONE(ring, "OUTSB traps after it", st_outs);
	uint32_t wi[3] = { (uint32_t)st_rep_ins_mid, (uint32_t)st_rep_ins_mid,
			   (uint32_t)st_rep_ins_end };
	step_check(ring, "REP INSB (3) traps after each iteration", st_rep_ins, wi, 3,
		   (uint32_t)st_rep_ins_end);
	uint32_t wo[3] = { (uint32_t)st_rep_outs_mid, (uint32_t)st_rep_outs_mid,
			   (uint32_t)st_rep_outs_end };
	step_check(ring, "REP OUTSB (3) traps after each iteration", st_rep_outs, wo, 3,
		   (uint32_t)st_rep_outs_end);
	ONE(ring, "an MMIO read (LAPIC) traps after it", st_mmio_read);
	ONE(ring, "an MMIO write (LAPIC TPR) traps after it", st_mmio_write);
	ONE(ring, "VMMCALL traps after it", st_vmmcall);
	ONE(ring, "CPUID after MOV SS: one trap, after the CPUID", st_movss);
	sti_check(ring);
}

/* ---- ring 3 -------------------------------------------------------------- */

struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

static struct tss32 tss;
static uint64_t gdt[6] = {
	0,
	0x00cf9a000000ffffull,	/* 0x08: ring 0 code */
	0x00cf92000000ffffull,	/* 0x10: ring 0 data */
	0x00cffa000000ffffull,	/* 0x18: ring 3 code */
	0x00cff2000000ffffull,	/* 0x20: ring 3 data */
	0,			/* 0x28: the TSS, filled in */
};
static uint8_t kstack[8192] __attribute__((aligned(16)));
extern uint8_t ustack[8192];
uint8_t ustack[8192] __attribute__((aligned(16)));
volatile uint32_t kernel_esp;

/* enter_user(fn): runs fn in ring 3 (IOPL=3, IF=0); fn ends with INT 0x80,
 * whose stub comes back here. */
void enter_user(void (*fn)(void));
void user_return(void);
__asm__(".text\n.globl enter_user\nenter_user:\n\t"
	"pusha\n\t"
	"mov %esp, kernel_esp\n\t"
	"mov 36(%esp), %eax\n\t"
	"push $0x23\n\t"
	"push $ustack + 8192\n\t"
	"pushf\n\t"
	"orl $0x3000, (%esp)\n\t"	/* IOPL 3 */
	"andl $~0x300, (%esp)\n\t"	/* IF=0, TF=0 */
	"push $0x1b\n\t"
	"push %eax\n\t"
	"mov $0x23, %cx\n\tmov %cx, %ds\n\tmov %cx, %es\n\t"
	"iret\n"
	".globl user_return\nuser_return:\n\t"
	"mov $0x10, %cx\n\tmov %cx, %ds\n\tmov %cx, %es\n\tmov %cx, %ss\n\t"
	"mov kernel_esp, %esp\n\t"
	"popa\n\tret\n");

static void user_main(void)
{
	common_steps("ring 3");
	__asm__ volatile("int $0x80");
}

static void set_gate(unsigned vector, uint32_t handler, uint8_t attr)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) d;
	__asm__ volatile("sidt %0" : "=m"(d));
	volatile uint8_t *g = (volatile uint8_t *)d.base + vector * 8;
	g[0] = (uint8_t)handler;
	g[1] = (uint8_t)(handler >> 8);
	g[2] = 0x08;
	g[3] = 0;
	g[4] = 0;
	g[5] = attr;
	g[6] = (uint8_t)(handler >> 16);
	g[7] = (uint8_t)(handler >> 24);
}

static void setup_ring3(void)
{
	uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
	tss.esp0 = (uint32_t)(kstack + sizeof(kstack));
	tss.ss0 = 0x10;
	tss.iomap = sizeof(tss);	/* no I/O bitmap: IOPL decides */
	gdt[5] = (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
		 (0x89ull << 40) | ((uint64_t)(base >> 24) << 56);
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) g = { sizeof(gdt) - 1, (uint32_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n1:\t"
			 "mov $0x10, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "mov $0x28, %%ax\n\tltr %%ax" :: "m"(g) : "eax", "memory");
	set_gate(0x80, (uint32_t)user_return, 0xee);	/* DPL 3 */
}

/* ---- the interrupt window ---------------------------------------------- */

static volatile uint32_t irq_eip[4], irq_vec[4];
static volatile unsigned nirq;

static void on_ipi(struct rt_frame *f)
{
	unsigned n = nirq;
	if (n < 4) {
		irq_eip[n] = f->eip;
		irq_vec[n] = f->vector;
	}
	nirq = n + 1;
	lapic_write(LAPIC_EOI, 0);
}

extern const char win_cli[];

static void window_test(void)
{
	rt_set_irq_handler(0x40, on_ipi);
	rt_set_irq_handler(0x41, on_ipi);
	lapic_write(LAPIC_SVR, 0x1ff);	/* enabled, spurious 0xff */
	lapic_write(LAPIC_TPR, 0);
	cli();
	nirq = 0;
	/* Self-IPIs (destination shorthand 01, fixed). */
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, (1u << 18) | 0x40);
	lapic_write(LAPIC_ICR_LO, (1u << 18) | 0x41);
	__asm__ volatile("sti\n\tnop\n"
			 ".globl win_cli\nwin_cli:\n\tcli" ::: "memory");
	unsigned got = nirq;
	/* Whatever was missed comes now, so that the guest goes on. */
	sti();
	for (unsigned i = 0; i < 1000000 && nirq < 2; i++)
		__asm__ volatile("pause");
	cli();
	uint32_t at = (uint32_t)win_cli;
	rt_check(TAG, got == 2, "window: both pending self-IPIs come in STI; NOP; CLI",
		 "%u of 2 before the CLI", got);
	rt_check(TAG, got >= 1 && irq_vec[0] == 0x41 && irq_eip[0] == at,
		 "window: the first (0x41) after the NOP, at the CLI",
		 "vector 0x%x at 0x%x, CLI at 0x%x", irq_vec[0], irq_eip[0], at);
	rt_check(TAG, got >= 2 && irq_vec[1] == 0x40 && irq_eip[1] == at,
		 "window: the second (0x40) after the first handler's IRET, at the CLI",
		 "vector 0x%x at 0x%x", irq_vec[1], irq_eip[1]);
	rt_check(TAG, nirq == 2, "window: each self-IPI comes once", "%u interrupts", nirq);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	rt_set_irq_handler(1, on_db);
	__asm__ volatile("mov %0, %%dr6" ::"r"(0u));
	printf("step: ring 0\n");
	common_steps("ring 0");
	ONE("ring 0", "RDMSR traps after it", st_rdmsr);
	ONE("ring 0", "WRMSR traps after it", st_wrmsr);
	ONE("ring 0", "HLT with IF=0 ends at once with the trap after it", st_hlt);
	{
		/* The #GP'd RDMSR: no trap for it; the trap after the NOP at
		 * the end label, where the #GP handler resumed. */
		uint32_t w[1] = { (uint32_t)st_gp_after };
		rt_last_vector = 0;
		step_check("ring 0", "RDMSR that gets #GP raises no trap", st_gp, w, 1,
			   (uint32_t)st_gp_after);
		rt_check(TAG, rt_last_vector == 13, "ring 0: ... and the #GP came",
			 "vector %d", rt_last_vector);
	}
	uint32_t r[4];
	cpuid(1, 0, r);
	if (r[2] & (1u << 26)) {	/* XSAVE */
		uint32_t cr4;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 18)));	/* OSXSAVE */
		ONE("ring 0", "XSETBV traps after it", st_xsetbv);
	} else {
		printf("step: no XSAVE: XSETBV not tested\n");
	}
	setup_ring3();
	printf("step: ring 3\n");
	enter_user(user_main);
	printf("step: back in ring 0\n");
	window_test();
	(void)magic;
	(void)info;
	printf("%s: %d failures\n", TAG, rt_failures);
	return rt_failures ? 1 : 0;
}
