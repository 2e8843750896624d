/*
 * tests/guests/hostile_excstorm.c - an exception that recurs during its own
 * delivery, for ever (issue 17, item 1). The command line picks one:
 *   ac  CVE-2015-5307: CR0.AM=1 and, in ring 3, EFLAGS.AC=1; the #AC gate
 *       leads to a ring-3 code segment, so the frame is pushed at CPL 3 on
 *       the current stack. First, on an aligned stack, one misaligned load
 *       is checked to give #AC with error code 0 (the handler clears AC and
 *       the load is retried); then ESP is made odd and a PUSH raises #AC,
 *       whose delivery raises #AC again, and so on.
 *   db  CVE-2015-8104: first a data breakpoint is checked to reach the
 *       guest's #DB handler; then, in long mode, #DB goes through IST1 (so
 *       every delivery pushes its frame at the same address) and DR0
 *       watches the slot where SS is pushed: each delivery hits the
 *       breakpoint, whose trap is another #DB, and so on.
 * Without yakvm's #AC/#DB intercepts the CPU would stay inside the
 * delivery for ever, deaf to interrupts (the neighbour on that CPU stops);
 * with them each attempt is a #VMEXIT and the monitor's `destroy` ends the
 * VM. Bochs only: QEMU's TCG does not check alignment.
 */
#include "rt.h"

#define SEL_CODE64 0x28
#define SEL_TSS64  0x30

static uint64_t gdt[8] __attribute__((aligned(16))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,	/* rt's 0x08 0x10 */
	0x00cffa000000ffffull, 0x00cff2000000ffffull,	/* 0x1b 0x23: ring 3 */
	0x00af9a000000ffffull,				/* 0x28: 64-bit code */
	0, 0,						/* 0x30: 64-bit TSS */
};
static struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr;

/* --- #AC ---------------------------------------------------------------- */

static uint8_t ustack[4096] __attribute__((aligned(16)));
volatile uint32_t ac_count, ac_error;
void ac_handler(void);
void ring3_entry(void);

/* The ring-3 #AC handler (gate 17 leads to selector 0x1b): count, note the
 * error code, clear AC in the saved EFLAGS, retry the access. */
__asm__(".text\n.globl ac_handler\nac_handler:\n"
	"incl ac_count\n"
	"popl ac_error\n"
	"andl $~0x40000, 8(%esp)\n"
	"iret\n"
	".globl ring3_entry\nring3_entry:\n"
	"mov $0x23, %ax\nmov %ax, %ds\nmov %ax, %es\n"
	"call ring3_main\n"
	"1: jmp 1b\n");

static void set_gate32(unsigned vec, uint16_t sel, void (*fn)(void))
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	uint32_t a = (uint32_t)fn;
	uint64_t *idt = (uint64_t *)idtr.base;
	idt[vec] = (a & 0xffff) | ((uint64_t)sel << 16) | (0x8e00ull << 32) |
		   ((uint64_t)(a >> 16) << 48);
}

void ring3_main(void)
{
	static uint8_t buf[8] __attribute__((aligned(8)));
	uint32_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	printf("excstorm: in ring 3 (CS 0x%x) with EFLAGS.AC=1\n", cs);
	uint32_t x = *(volatile uint32_t *)(buf + 1);	/* misaligned */
	(void)x;
	rt_check("excstorm", ac_count == 1 && ac_error == 0,
		 "a misaligned load in ring 3 gives the guest #AC with error code 0",
		 "%u #AC, error %u", ac_count, ac_error);
	printf("excstorm: #AC storm begins\n");
	__asm__ volatile("pushf\n\torl $0x40000, (%%esp)\n\tpopf\n\t"
			 "mov %0, %%esp\n\t"
			 "push %%eax\n"
			 "1: jmp 1b" :: "r"((uint32_t)(ustack + 2049)) : "memory");
}

static void ac_storm(void)
{
	set_gate32(17, 0x1b, ac_handler);
	__asm__ volatile("mov %%cr0, %%eax\n\tor $0x40000, %%eax\n\tmov %%eax, %%cr0"
			 ::: "eax");
	/* IRET to ring 3: IOPL 3 (the console's ports), AC, IF clear. */
	__asm__ volatile("pushl $0x23\n\tpushl %0\n\tpushl $0x43002\n\t"
			 "pushl $0x1b\n\tpushl %1\n\tiret"
			 :: "r"((uint32_t)(ustack + sizeof(ustack))), "r"(ring3_entry)
			 : "memory");
}

/* --- #DB ---------------------------------------------------------------- */

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t idt64[2 * 256] __attribute__((aligned(16)));
static uint8_t tss64[104] __attribute__((aligned(16)));
static uint8_t ist_stack[4096] __attribute__((aligned(16)));
struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idt64r;
uint32_t ist_top, watch_slot;
void long_entry(void);
void db64_handler(void);
static volatile uint32_t db_watch;
static volatile uint32_t db_dr6;

/* In long mode: IST1 for #DB, DR0 on the slot the frame's SS goes to, and
 * a store there to start it. The handler is never reached. */
__asm__(".text\n.code64\n.globl long_entry\nlong_entry:\n"
	"mov $idt64r, %eax\nlidt (%rax)\n"
	"mov $0x30, %ax\nltr %ax\n"
	"mov $watch_slot, %ebx\nmov (%rbx), %eax\nmov %rax, %dr0\n"
	"mov $0xd0001, %eax\nmov %rax, %dr7\n"	/* L0, write, 4 bytes */
	"mov (%rbx), %eax\nmovl $0, (%rax)\n"
	"1: jmp 1b\n"
	".globl db64_handler\ndb64_handler:\n"
	"2: jmp 2b\n"
	".code32\n");

static volatile uint32_t db_eip;

static void on_db(struct rt_frame *f)
{
	uint32_t dr6;
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	db_dr6 = dr6;
	db_eip = f->eip;
}

void icebp_at(void);
void icebp_after(void);

static void db_storm(void)
{
	/* ICEBP (INT1): one #DB, a trap: the frame's EIP is past it. */
	rt_set_irq_handler(1, on_db);
	__asm__ volatile(".globl icebp_at, icebp_after\n"
			 "icebp_at: .byte 0xf1\nicebp_after:" ::: "memory");
	rt_check("excstorm", rt_irq_count[1] == 1 && db_eip == (uint32_t)icebp_after,
		 "ICEBP gives the guest one #DB with EIP past it", "%u #DB, EIP 0x%x "
		 "(ICEBP at 0x%x)", rt_irq_count[1], db_eip, (uint32_t)icebp_at);
	rt_irq_count[1] = 0;
	/* The guest's own data breakpoint reaches its handler. */
	__asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr7"
			 :: "r"(&db_watch), "r"(0xd0001u));
	db_watch = 1;
	__asm__ volatile("mov %0, %%dr7" :: "r"(0x400u));
	rt_check("excstorm", rt_irq_count[1] == 1,
		 "a data breakpoint gives the guest its #DB", "%u #DB, DR6 0x%x",
		 rt_irq_count[1], db_dr6);

	/* Long mode, identity-mapped 2 MiB pages over the first 1 GiB. */
	for (unsigned i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
	pdpt[0] = (uint32_t)pd | 3;
	pml4[0] = (uint32_t)pdpt | 3;
	uint32_t h = (uint32_t)db64_handler;
	idt64[2] = (h & 0xffff) | ((uint64_t)SEL_CODE64 << 16) | (1ull << 32) |
		   (0x8eull << 40) | ((uint64_t)(h >> 16) << 48);
	idt64r.limit = sizeof(idt64) - 1;
	idt64r.base = (uint32_t)idt64;
	ist_top = (uint32_t)(ist_stack + sizeof(ist_stack));
	watch_slot = ist_top - 8;			/* SS goes there first */
	memcpy(tss64 + 0x24, &ist_top, 4);		/* IST1 */
	tss64[102] = sizeof(tss64);			/* no I/O bitmap */
	uint32_t t = (uint32_t)tss64;
	gdt[6] = (sizeof(tss64) - 1) | ((uint64_t)(t & 0xffffff) << 16) |
		 (0x89ull << 40) | ((uint64_t)(t >> 24) << 56);
	gdt[7] = 0;
	printf("excstorm: #DB storm begins (IST1 frame at 0x%x, DR0 0x%x)\n",
	       ist_top, watch_slot);
	cli();
	__asm__ volatile("mov %%cr4, %%eax\n\tor $0x20, %%eax\n\tmov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3\n\t"
			 "mov $0xc0000080, %%ecx\n\trdmsr\n\tor $0x100, %%eax\n\twrmsr\n\t"
			 "mov %%cr0, %%eax\n\tor $0x80000000, %%eax\n\tmov %%eax, %%cr0\n\t"
			 "ljmp $0x28, $long_entry"
			 :: "r"(pml4) : "eax", "ecx", "edx", "memory");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	bool db = false;
	for (; *c; c++)
		if (memcmp(c, "db", 2) == 0)
			db = true;
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)gdt;
	__asm__ volatile("lgdt %0" :: "m"(gdtr));
	if (db)
		db_storm();
	else
		ac_storm();
	printf("excstorm: STILL RUNNING after the storm\n");
	return 1;
}
