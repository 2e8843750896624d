/*
 * tests/guests/hostile_random.c - random instructions (issue 9, item 18), in
 * the manner of HyperCube: blocks of random instructions with random
 * operands, run in real, 32-bit protected and 64-bit long mode, aimed at the
 * VM's MMIO (LAPIC, IOAPIC), its ports and MSRs, and its RAM.
 *
 * Command line: "seed=N mode=real|prot|long|all count=N" (count: blocks per
 * mode); "verbose=1" prints each block and its vector, "verbose=2" also the
 * block and registers before it runs; "lme_first=1" (see long_on). All that
 * is random comes from a PRNG seeded with the seed and the mode, so a seed
 * replays exactly.
 *
 * Each block is one to three instructions built from an opcode table (random
 * prefixes, REX in long mode, ModRM/SIB/displacement/immediates), followed
 * by a NOP sled and INT 0x80, in its own slot page. The harness loads the
 * registers with values aimed at the targets, arms a LAPIC timer watchdog,
 * and enters the block; INT 0x80, any exception and any interrupt all come
 * back to the harness through per-vector stubs that record the vector and
 * return to the harness' saved stack (a longjmp), whatever the block did.
 *
 * What keeps the harness alive:
 *  - protected and long mode: most blocks run in ring 3 with paging; only the
 *    slot, two scratch pages, a stack page and the LAPIC and IOAPIC pages
 *    are user pages. The TSS I/O bitmap lets ring 3 use every port but those
 *    that end or reset the VM (debug exit, i8042 command, port 0x92, ACPI
 *    PM1 control and reset) and this VM's console. One block in four runs in
 *    ring 0 with one instruction from a set that touches no memory and does
 *    not branch (RDMSR/WRMSR/CPUID/IN/OUT/...): the MSRs are reached there.
 *  - real mode (CPL 0): one instruction per block; no instruction that
 *    changes control flow, IF, CR0/DR/IDTR; ports filtered as above. The IVT
 *    and the 16-bit stubs are copied again before each block.
 *  - after each block the harness writes LAPIC EOI, SVR, TPR and the timer,
 *    and after ring-0 blocks APIC_BASE, EFER and SYSENTER_CS again.
 *  - a reset of the VM (an INIT IPI to itself, for one) starts the image
 *    again: a CMOS byte set while the blocks run tells the second boot,
 *    which prints "random: reset by its own random code" and ends.
 *
 * Prints per mode "random: mode=M seed=N blocks=B insns=I completed=C
 * vectors: V:count..." and at the end "random: done seed=N".
 */
#include "rt.h"
#include "hw.h"

enum { M_REAL, M_PROT, M_LONG };
static const char *const mode_name[] = { "real", "prot", "long" };

/* ---- layout --------------------------------------------------------------- */

#define USER_BASE  0x40000000u		/* linear: slot, scratch x2, stack */
#define U_SLOT     (USER_BASE)
#define U_SCRATCH  (USER_BASE + 0x1000)
#define U_STACK_TOP (USER_BASE + 0x4000)
#define WATCHDOG_NS 30000000u		/* LAPIC timer at divide 1: ns */
#define VEC_WATCHDOG 0xf0
#define VEC_END    0x80
#define CMOS_MARK  0x5e			/* CMOS byte: blocks are running */
#define MARK_VALUE 0xa7

/* Real mode: IVT at 0, register block at 0x7e00, 16-bit blob at 0x8000
 * (CS 0x0800), data segment 0x4000, stack 0x5000, slot 0x6000:0. */
#define R_BLOCK    0x7e00u
#define R_BLOB     0x8000u
#define R_DS       0x4000u
#define R_SS       0x5000u
#define R_SLOT_SEG 0x6000u

/* GDT selectors */
#define S_CODE32   0x08
#define S_DATA     0x10
#define S_UCODE32  0x1b
#define S_UDATA    0x23
#define S_TSS32    0x28
#define S_CODE64   0x30
#define S_UCODE64  0x3b
#define S_TSS64    0x40
#define S_CODE16   0x50
#define S_DATA16   0x58

uint64_t gdt[12] __attribute__((aligned(16))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0x00cffa000000ffffull,
	0x00cff2000000ffffull, 0, 0x00af9a000000ffffull, 0x00affa000000ffffull,
	0, 0, 0x00009a000000ffffull, 0x000092000000ffffull,
};
struct __attribute__((packed)) dtr { uint16_t limit; uint32_t base; };
struct dtr gdtr = { sizeof(gdt) - 1, 0 };
struct dtr rt_idtr;			/* the runtime's IDT, saved */
struct dtr idt32r, idt64r;

/* A TSS (32- and 64-bit share the layout we use: stack at 4, I/O map base
 * at 102) with its I/O permission bitmap (APM vol. 2, 12.2.4 and 12.2.5). */
struct tss {
	uint8_t hdr[104];
	uint8_t iopb[8192];
	uint8_t end;
} __attribute__((packed));
static struct tss tss32 __attribute__((aligned(128)));
static struct tss tss64 __attribute__((aligned(128)));
static uint8_t kstack[8192] __attribute__((aligned(16)));

static uint64_t idt32[256] __attribute__((aligned(16)));
static uint64_t idt64[512] __attribute__((aligned(16)));

/* Paging: 32-bit (PSE) for protected mode, 4-level for long mode. */
static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32_user[1024] __attribute__((aligned(4096)));
static uint32_t pt32_apic[1024] __attribute__((aligned(4096)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_user[512] __attribute__((aligned(4096)));
static uint64_t pd_hi[512] __attribute__((aligned(4096)));
static uint64_t pt_user[512] __attribute__((aligned(4096)));
static uint64_t pt_io[512] __attribute__((aligned(4096)));
static uint64_t pt_lapic[512] __attribute__((aligned(4096)));
static uint8_t upages[4][4096] __attribute__((aligned(4096)));

/* Shared with the assembly below. */
uint64_t g_regs[16];			/* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
volatile uint32_t h_esp;		/* the harness' stack while a block runs */
volatile uint32_t h_vector;
uint32_t l_ring0;

uint32_t run_prot(uint32_t ring0);
uint32_t run_long(uint32_t ring0);
uint32_t run_real(void);
void harness_trap(uint32_t vector);
extern char p_stubs[], l_stubs[], blob_start[], blob_end[], r_stubs[], rgdtr[], rvec[];

#define STUB_SIZE 7	/* push imm8; jmp rel32 */
#define RSTUB_SIZE 5	/* mov imm8, %al; jmp rel16 */

/* Per-vector stubs: 32-bit to p_common, 64-bit to l_common. */
__asm__(".pushsection .text\n"
	".altmacro\n"
	".macro vstub v, target\n"
	".byte 0x6a, (\\v) & 0xff\n"
	".byte 0xe9\n.long \\target - (. + 4)\n"
	".endm\n"
	".balign 16\n.globl p_stubs\np_stubs:\n"
	".set i, 0\n.rept 256\nvstub %i, p_common\n.set i, i + 1\n.endr\n"
	".balign 16\n.globl l_stubs\nl_stubs:\n"
	".set i, 0\n.rept 256\nvstub %i, l_common\n.set i, i + 1\n.endr\n"

	/* --- protected mode ------------------------------------------------- */
	".code32\n"
	".globl run_prot\nrun_prot:\n"
	"push %ebp\npush %edi\npush %esi\npush %ebx\n"
	"mov %esp, h_esp\n"
	"cmpl $0, 20(%esp)\n"
	"jne 1f\n"
	"pushl $0x23\npushl g_regs+32\npushl $0x202\npushl $0x1b\npushl $0x40000000\n"
	"mov $0x23, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %fs\nmov %ax, %gs\n"
	"jmp 2f\n"
	"1: pushl $0x202\npushl $0x08\npushl $0x40000000\n"
	"2: mov g_regs+8, %ecx\nmov g_regs+16, %edx\nmov g_regs+24, %ebx\n"
	"mov g_regs+40, %ebp\nmov g_regs+48, %esi\nmov g_regs+56, %edi\n"
	"mov g_regs, %eax\n"
	"iret\n"
	"p_common:\n"
	"cld\n"		/* the block may have left DF set; C needs it clear */
	"cmpl $0, %ss:h_esp\n"
	"je p_harness\n"
	"mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %fs\nmov %ax, %gs\n"
	"pop %eax\nmovzbl %al, %eax\n"
	"mov h_esp, %esp\nmovl $0, h_esp\n"
	"pop %ebx\npop %esi\npop %edi\npop %ebp\nret\n"
	"p_harness:\n"		/* an NMI or a fault in the harness itself */
	"pushal\nmovzbl 32(%esp), %eax\npush %eax\ncall harness_trap\n"
	"add $4, %esp\npopal\nadd $4, %esp\niret\n"

	/* --- long mode (the harness runs in compatibility mode) ------------- */
	".globl run_long\nrun_long:\n"
	"push %ebp\npush %edi\npush %esi\npush %ebx\n"
	"mov %esp, h_esp\n"
	"mov 20(%esp), %eax\nmov %eax, l_ring0\n"
	"ljmp $0x30, $l_enter\n"
	".code64\n"
	"l_enter:\n"
	"cmpl $0, l_ring0(%rip)\n"
	"jne 1f\n"
	"pushq $0x23\npushq g_regs+32(%rip)\npushq $0x202\npushq $0x3b\n"
	"jmp 2f\n"
	"1: mov %rsp, %rax\npushq $0x10\npushq %rax\npushq $0x202\npushq $0x30\n"
	"2: pushq $0x40000000\n"
	"mov g_regs+8(%rip), %rcx\nmov g_regs+16(%rip), %rdx\nmov g_regs+24(%rip), %rbx\n"
	"mov g_regs+40(%rip), %rbp\nmov g_regs+48(%rip), %rsi\nmov g_regs+56(%rip), %rdi\n"
	"mov g_regs+64(%rip), %r8\nmov g_regs+72(%rip), %r9\nmov g_regs+80(%rip), %r10\n"
	"mov g_regs+88(%rip), %r11\nmov g_regs+96(%rip), %r12\nmov g_regs+104(%rip), %r13\n"
	"mov g_regs+112(%rip), %r14\nmov g_regs+120(%rip), %r15\n"
	"mov g_regs(%rip), %rax\n"
	"iretq\n"
	"l_common:\n"
	"cmpl $0, h_esp(%rip)\n"
	"je l_harness\n"
	"pop %rax\nmovzbl %al, %eax\nmovl %eax, h_vector(%rip)\n"
	"movl h_esp(%rip), %esp\nmovl $0, h_esp(%rip)\n"
	"pushq $0x08\nmovl l_back_ptr(%rip), %eax\npushq %rax\nlretq\n"
	"l_harness:\n"		/* an NMI: return; a fault in the harness: triple fault */
	"cmpb $2, (%rsp)\nje 1f\n"
	"cmpb $32, (%rsp)\njae 1f\n"
	"lidt l_zero_idt(%rip)\nint3\n"
	"1: add $8, %rsp\niretq\n"
	"l_zero_idt: .word 0\n.quad 0\n"
	"l_back_ptr: .long l_back\n"
	".code32\n"
	"l_back:\n"
	"cld\n"
	"mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %fs\nmov %ax, %gs\nmov %ax, %ss\n"
	"mov h_vector, %eax\n"
	"pop %ebx\npop %esi\npop %edi\npop %ebp\nret\n"

	/* --- real mode ------------------------------------------------------ */
	".globl run_real\nrun_real:\n"
	"push %ebp\npush %edi\npush %esi\npush %ebx\n"
	"mov %esp, h_esp\n"
	"ljmp $0x50, $(0x8000 + r_entry16 - blob_start)\n"
	"r_back32:\n"
	"cld\n"
	"mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %fs\nmov %ax, %gs\nmov %ax, %ss\n"
	"lidt rt_idtr\n"
	"mov h_esp, %esp\nmovl $0, h_esp\n"
	"movzbl (0x8000 + rvec - blob_start), %eax\n"
	"pop %ebx\npop %esi\npop %edi\npop %ebp\nret\n"
	/* the blob: copied to 0x8000, runs with CS base 0 (16-bit protected
	 * mode, S_CODE16) or 0x8000 (real mode, CS 0x0800) */
	".code16\n.balign 16\n.globl blob_start\nblob_start:\n"
	".globl r_stubs\nr_stubs:\n"
	".macro rstub v\n.byte 0xb0, \\v\n.byte 0xe9\n.word r_common - (. + 2)\n.endm\n"
	".set i, 0\n.rept 256\nrstub %i\n.set i, i + 1\n.endr\n"
	"r_entry16:\n"		/* 16-bit protected mode: limits for real mode */
	"mov $0x58, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %ss\n"
	"mov $0x10, %ax\nmov %ax, %fs\nmov %ax, %gs\n"
	"mov %cr0, %eax\nand $0xfffffffe, %eax\nmov %eax, %cr0\n"
	"ljmp $0x0800, $(r_real - blob_start)\n"
	"r_real:\n"
	"lidtl %cs:(r_ivt - blob_start)\n"
	"mov $0x4000, %ax\nmov %ax, %ds\nmov %ax, %es\n"
	"mov $0x5000, %ax\nmov %ax, %ss\n"
	"movl %fs:0x7e10, %esp\n"
	"pushw $0x0202\npushw $0x6000\npushw $0\n"
	"movl %fs:0x7e04, %ecx\nmovl %fs:0x7e08, %edx\nmovl %fs:0x7e0c, %ebx\n"
	"movl %fs:0x7e14, %ebp\nmovl %fs:0x7e18, %esi\nmovl %fs:0x7e1c, %edi\n"
	"movl %fs:0x7e00, %eax\n"
	"iret\n"
	"r_common:\n"		/* AL = vector; only CS (0x0800) is trusted */
	"movb %al, %cs:(rvec - blob_start)\n"
	"lgdtl %cs:(rgdtr - blob_start)\n"
	"mov %cr0, %eax\nor $1, %eax\nmov %eax, %cr0\n"
	"ljmpl $0x08, $r_back32\n"
	"r_ivt: .word 0x3ff\n.long 0\n"
	".globl rgdtr\nrgdtr: .word 0\n.long 0\n"
	".globl rvec\nrvec: .byte 0\n"
	".globl blob_end\nblob_end:\n"
	".code32\n"
	".popsection\n");

void harness_trap(uint32_t vector)
{
	if (vector == 2 || vector >= 32)
		return;
	printf("random: FAIL: exception %u in the harness itself\n", vector);
	rt_exit(2);
}

/* ---- random numbers ------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	uint64_t x = rng_state;	/* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n) { return rnd() % n; }

/* ---- the opcode table ----------------------------------------------------- */

#define F_M     0x0001	/* ModRM */
#define F_I8    0x0002
#define F_IZ    0x0004	/* imm16/32 by operand size (imm64: B8+r with REX.W) */
#define F_I16   0x0008
#define F_MOFFS 0x0010	/* a moffs of the address size */
#define F_MOD3  0x0020	/* ModRM register form only */
#define F_CF    0x0040	/* transfers control: ring 3 only */
#define F_PRIV  0x0080	/* changes CR/DR/IDTR/IF: not in real mode */
#define F_R0    0x0100	/* the ring-0 set: no memory, no branch */
#define F_PORT  0x0200	/* imm8 is a port */
#define F_VEC   0x0400	/* imm8 is a vector */
#define F_GRP3  0x0800	/* F6/F7: /0 and /1 take an immediate */
#define F_NO64  0x1000	/* a VEX prefix in 64-bit mode */

struct op {
	uint8_t n, b[2];
	uint8_t regs;	/* allowed ModRM.reg values (bit mask), 0: all */
	uint16_t f;
};

#define O1(x, f)       { 1, { x, 0 }, 0, f }
#define O1R(x, r, f)   { 1, { x, 0 }, r, f }
#define O2(x, f)       { 2, { 0x0f, x }, 0, f }
#define O2R(x, r, f)   { 2, { 0x0f, x }, r, f }

static const struct op fixed_ops[] = {
	O1(0x80, F_M | F_I8), O1(0x81, F_M | F_IZ), O1(0x83, F_M | F_I8),
	O1(0x84, F_M), O1(0x85, F_M), O1(0x86, F_M), O1(0x87, F_M),
	O1(0x88, F_M), O1(0x89, F_M), O1(0x8a, F_M), O1(0x8b, F_M),
	O1(0x88, F_M), O1(0x89, F_M), O1(0x8a, F_M), O1(0x8b, F_M),
	O1(0x8c, F_M), O1(0x8e, F_M), O1(0x8d, F_M), O1R(0x8f, 0x01, F_M),
	O1(0x90, 0), O1(0x91, 0), O1(0x98, 0), O1(0x99, 0),
	O1(0x9c, 0), O1(0x9d, F_PRIV), O1(0x9e, 0), O1(0x9f, 0),
	O1(0xa0, F_MOFFS), O1(0xa1, F_MOFFS), O1(0xa2, F_MOFFS), O1(0xa3, F_MOFFS),
	O1(0xa4, 0), O1(0xa5, 0), O1(0xa6, 0), O1(0xa7, 0), O1(0xa8, F_I8), O1(0xa9, F_IZ),
	O1(0xaa, 0), O1(0xab, 0), O1(0xac, 0), O1(0xad, 0), O1(0xae, 0), O1(0xaf, 0),
	O1(0xb0, F_I8), O1(0xb3, F_I8), O1(0xb8, F_IZ), O1(0xbb, F_IZ), O1(0xbe, F_IZ),
	O1(0xc0, F_M | F_I8), O1(0xc1, F_M | F_I8), O1(0xd0, F_M), O1(0xd1, F_M),
	O1(0xd2, F_M), O1(0xd3, F_M),
	O1(0xc4, F_M | F_NO64), O1(0xc5, F_M | F_NO64),
	O1R(0xc6, 0x01, F_M | F_I8), O1R(0xc7, 0x01, F_M | F_IZ),
	O1R(0xc6, 0x01, F_M | F_I8), O1R(0xc7, 0x01, F_M | F_IZ),
	{ 1, { 0xc8, 0 }, 0, F_I16 | F_I8 }, O1(0xc9, 0),
	O1(0xcc, F_R0), O1(0xcd, F_I8 | F_VEC | F_R0), O1(0xce, 0), O1(0xf1, F_R0),
	O1(0xcf, F_CF), O1(0xc3, F_CF), O1(0xcb, F_CF), O1(0xc2, F_CF | F_I16),
	O1(0xe8, F_CF | F_IZ), O1(0xe9, F_CF | F_IZ), O1(0xeb, F_CF | F_I8),
	O1(0x74, F_CF | F_I8), O1(0x75, F_CF | F_I8), O1(0xe2, F_CF | F_I8),
	O1R(0xff, 0x14, F_M | F_CF), O1(0xea, F_CF | F_I16 | F_IZ),
	O1(0xd4, F_I8), O1(0xd5, F_I8), O1(0xd6, 0), O1(0xd7, 0),
	O1(0xe4, F_I8 | F_PORT | F_R0), O1(0xe5, F_I8 | F_PORT | F_R0),
	O1(0xe6, F_I8 | F_PORT | F_R0), O1(0xe7, F_I8 | F_PORT | F_R0),
	O1(0xec, F_R0), O1(0xed, F_R0), O1(0xee, F_R0), O1(0xef, F_R0),
	O1(0xe4, F_I8 | F_PORT | F_R0), O1(0xe7, F_I8 | F_PORT | F_R0),
	O1(0xec, F_R0), O1(0xef, F_R0),
	O1(0x6c, 0), O1(0x6d, 0), O1(0x6e, 0), O1(0x6f, 0),
	O1(0x6c, 0), O1(0x6d, 0), O1(0x6e, 0), O1(0x6f, 0),
	O1(0xf4, F_R0), O1(0xf5, 0), O1(0xf8, 0), O1(0xf9, 0), O1(0xfa, F_PRIV),
	O1(0xfb, 0), O1(0xfc, 0), O1(0xfd, 0),
	O1(0xf6, F_M | F_GRP3), O1(0xf7, F_M | F_GRP3),
	O1R(0xfe, 0x03, F_M), O1R(0xff, 0x43, F_M),
	O1(0x06, 0), O1(0x07, 0), O1(0x0e, 0), O1(0x16, 0), O1(0x17, 0), O1(0x1e, 0),
	O1(0x1f, 0), O1(0x27, 0), O1(0x2f, 0), O1(0x37, 0), O1(0x3f, 0),
	O1(0x50, 0), O1(0x53, 0), O1(0x56, 0), O1(0x58, 0), O1(0x5b, 0), O1(0x5f, 0),
	O1(0x60, 0), O1(0x61, 0), O1(0x62, F_M), O1(0x63, F_M), O1(0x68, F_IZ),
	O1(0x6a, F_I8), O1(0x69, F_M | F_IZ), O1(0x6b, F_M | F_I8),
	/* two bytes */
	O2(0x00, F_M), O2R(0x01, 0xb7, F_M), O2R(0x01, 0x48, F_M | F_PRIV),
	O2R(0x01, 0xbf, F_M | F_MOD3 | F_R0), O2R(0x01, 0xbf, F_M | F_MOD3 | F_R0),
	O2(0x02, F_M), O2(0x03, F_M),
	O2(0x05, 0), O2(0x06, F_R0), O2(0x07, F_CF), O2(0x08, F_R0), O2(0x09, F_R0),
	O2(0x0b, F_R0), O2(0x0d, F_M), O2(0x18, F_M), O2(0x1f, F_M),
	O2(0x20, F_M | F_MOD3 | F_R0), O2(0x21, F_M | F_MOD3 | F_R0),
	O2(0x22, F_M | F_MOD3 | F_PRIV), O2(0x23, F_M | F_MOD3 | F_PRIV),
	O2(0x30, F_R0), O2(0x32, F_R0), O2(0x30, F_R0), O2(0x32, F_R0),
	O2(0x30, F_R0), O2(0x32, F_R0), O2(0x31, F_R0), O2(0x33, F_R0),
	O2(0xa2, F_R0), O2(0xa2, F_R0), O2(0x34, F_CF), O2(0x35, F_CF),
	O2(0xa0, 0), O2(0xa1, 0), O2(0xa8, 0), O2(0xa9, 0),
	O2(0xa3, F_M), O2(0xab, F_M), O2(0xb3, F_M), O2(0xbb, F_M), O2R(0xba, 0xf0, F_M | F_I8),
	O2(0xa4, F_M | F_I8), O2(0xa5, F_M), O2(0xac, F_M | F_I8), O2(0xad, F_M),
	O2(0xaf, F_M), O2(0xb0, F_M), O2(0xb1, F_M), O2(0xc0, F_M), O2(0xc1, F_M),
	O2(0xb6, F_M), O2(0xb7, F_M), O2(0xbe, F_M), O2(0xbf, F_M),
	O2(0x44, F_M), O2(0x4f, F_M), O2(0x94, F_M), O2(0x9d, F_M),
	O2R(0xc7, 0x02, F_M), O2(0xc8, 0), O2(0xcb, 0), O2R(0xae, 0x80, F_M),
};

/* The ALU rows (00-3F): op r/m,r; op r,r/m (both sizes); op AL/eAX,imm. */
static struct op ops[sizeof(fixed_ops) / sizeof(fixed_ops[0]) + 48];
static unsigned nops;

static void ops_init(void)
{
	for (unsigned row = 0; row < 8; row++)
		for (unsigned k = 0; k < 6; k++) {
			uint8_t x = (uint8_t)(row * 8 + k);
			ops[nops++] = (struct op){ 1, { x, 0 }, 0,
				k < 4 ? F_M : k == 4 ? F_I8 : F_IZ };
		}
	for (unsigned i = 0; i < sizeof(fixed_ops) / sizeof(fixed_ops[0]); i++)
		ops[nops++] = fixed_ops[i];
}

/* ---- operands --------------------------------------------------------------- */

static const uint16_t port_pool[] = {
	0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x60, 0x61, 0x70, 0x71,
	0x80, 0x4d0, 0x4d1, 0xcf8, 0xcfc, 0xcfd, 0xcfe, 0xcf9, 0xb000, 0xb002,
	0xb008, 0x2f8, 0x3fd, 0x1f0, 0x1f7, 0x3d4, 0xe9,
};
static const uint32_t msr_pool[] = {
	0x10, 0x1b, 0x3a, 0x8b, 0xfe, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x1d9,
	0x200, 0x201, 0x20f, 0x250, 0x258, 0x277, 0x2ff, 0x400, 0x6e0, 0x802, 0x830,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000084, 0xc0000100, 0xc0000101,
	0xc0000102, 0xc0000103, 0xc0010000, 0xc0010004, 0xc0010010, 0xc0010015,
	0xc0010114, 0xc0010117, 0xc0010140, 0x40000000, 0x4b564d00,
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A port that does not end or reset the VM nor reach its console. */
static bool port_ok(uint32_t port, unsigned size)
{
	for (uint32_t p = port; p < port + size; p++) {
		uint32_t q = p & 0xffff;
		if ((q >= 0xf4 && q <= 0xf7) || q == 0x64 || q == 0x92 ||
		    q == 0xb004 || q == 0xb005 || q == 0xb00c || (q >= 0x3f8 && q <= 0x3ff))
			return false;
	}
	return true;
}

static uint16_t a_port(void)
{
	uint16_t p = below(4) ? port_pool[below(NELEM(port_pool))] : (uint16_t)rnd();
	return port_ok(p, 4) ? p : 0x80;
}

static uint32_t a_msr(void)
{
	return below(5) ? msr_pool[below(NELEM(msr_pool))] : rnd();
}

/* A register value aimed at a target. */
static uint64_t a_value(int mode)
{
	/* real mode: only FS and GS (base 0, limit 4 GiB) reach the devices;
	 * DS, ES and SS have 64 KiB limits */
	switch (below(20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:
		return mode == M_REAL ? below(0x10000) : U_SCRATCH + below(0x1800);
	case 7: case 8:
		return LAPIC_BASE + (below(64) << 4) + (below(8) ? 0 : below(4));
	case 9:
		return IOAPIC_BASE + (below(2) << 4);
	case 10: case 11:
		return a_port();
	case 12: case 13:
		return a_msr();
	case 14: case 15: case 16:
		return below(0x100);
	default:
		if (mode == M_LONG && below(2))
			return (uint64_t)rnd() << 32 | rnd();
		return mode == M_REAL ? below(0x10000) : rnd();
	}
}

static const uint8_t prefixes[] = { 0x66, 0x67, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e,
				    0x64, 0x65, 0x66, 0xf3, 0xf0 };

/* yakvm stops a VM whose string instruction has a device page on either
 * side (a documented limit): a block with one gets RAM pointers in rSI and
 * rDI three times in four, so that a block does not end most runs. */
static bool block_has_string;

/* Appends one instruction at p; returns its length. */
static unsigned gen_insn(uint8_t *p, int mode, bool ring0)
{
	const struct op *o;
	for (;;) {
		o = &ops[below(nops)];
		if (ring0 && !(o->f & F_R0))
			continue;
		if (mode == M_REAL && (o->f & (F_CF | F_PRIV)))
			continue;
		if (mode == M_LONG && (o->f & F_NO64))
			continue;
		break;
	}
	if (o->n == 1 && ((o->b[0] >= 0xa4 && o->b[0] <= 0xaf && o->b[0] != 0xa8 && o->b[0] != 0xa9) ||
			  (o->b[0] >= 0x6c && o->b[0] <= 0x6f)))
		block_has_string = true;
	unsigned n = 0, npfx = below(8);
	npfx = npfx < 4 ? 0 : npfx < 6 ? 1 : npfx < 7 ? 2 : 3;
	bool p66 = false, p67 = false;
	int lock_at = -1;
	for (unsigned i = 0; i < npfx; i++) {
		uint8_t x = prefixes[below(NELEM(prefixes))];
		if (ring0 && x == 0xf0)
			x = 0x66;
		if (x == 0xf0)
			lock_at = (int)n;
		p66 |= x == 0x66;
		p67 |= x == 0x67;
		p[n++] = x;
	}
	uint8_t rex = 0;
	if (mode == M_LONG && below(5) < 2)
		p[n++] = rex = (uint8_t)(0x40 | below(16));
	bool osz16 = mode == M_REAL ? !p66 : (p66 && !(rex & 8));
	unsigned asz = mode == M_REAL ? (p67 ? 4 : 2) : mode == M_PROT ? (p67 ? 2 : 4)
		     : (p67 ? 4 : 8);
	for (unsigned i = 0; i < o->n; i++)
		p[n++] = o->b[i];
	unsigned imm = 0;
	if (o->f & F_M) {
		unsigned mod = (o->f & F_MOD3) ? 3 : (unsigned[]){ 0, 0, 0, 1, 1, 2, 3, 3 }[below(8)];
		unsigned reg, rm = below(8);
		if (ring0 && rm == 4)	/* ring 0 shares the harness' stack: not ESP */
			rm = 0;
		do
			reg = below(8);
		while (o->regs && !(o->regs & (1u << reg)));
		p[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
		if (mod != 3)
			lock_at = -1;	/* LOCK with a memory operand: kept */
		if ((o->f & F_GRP3) && reg < 2)
			imm = o->b[0] == 0xf6 ? 1 : osz16 ? 2 : 4;
		if (mod != 3 && asz == 2) {
			unsigned disp = mod == 1 ? 1 : mod == 2 || rm == 6 ? 2 : 0;
			if (mod == 0 && rm != 6)
				disp = 0;
			for (unsigned i = 0; i < disp; i++)
				p[n++] = (uint8_t)rnd();
		} else if (mod != 3) {
			unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
			if (rm == 4) {
				uint8_t sib = (uint8_t)rnd();
				p[n++] = sib;
				if (mod == 0 && (sib & 7) == 5)
					disp = 4;
			} else if (mod == 0 && rm == 5) {
				disp = 4;
			}
			uint32_t d = below(2) ? below(0x100) : rnd();
			for (unsigned i = 0; i < disp; i++)
				p[n++] = (uint8_t)(disp == 1 ? rnd() : d >> (8 * i));
		}
	}
	/* LOCK without a memory operand is #UD, but QEMU 7.2's TCG aborts on
	 * some (LOCK BT r,r: "tcg fatal error"): DS there instead. */
	if (lock_at >= 0)
		p[lock_at] = 0x3e;
	if (o->f & F_MOFFS) {
		uint64_t a = a_value(mode);
		for (unsigned i = 0; i < asz; i++)
			p[n++] = (uint8_t)(a >> (8 * i));
	}
	if (o->f & F_I16) {
		p[n++] = (uint8_t)rnd();
		p[n++] = (uint8_t)rnd();
	}
	if (o->f & F_IZ) {
		bool imm64 = (rex & 8) && o->n == 1 && o->b[0] >= 0xb8 && o->b[0] <= 0xbf;
		imm = imm64 ? 8 : osz16 ? 2 : 4;
	}
	uint64_t v = a_value(mode);
	for (unsigned i = 0; i < imm; i++)
		p[n++] = (uint8_t)(v >> (8 * i));
	if (o->f & F_I8) {
		uint8_t x = (uint8_t)rnd();
		if (o->f & F_PORT)
			x = (uint8_t)a_port();
		if ((o->f & F_PORT) && !port_ok(x, 4))
			x = 0x80;
		if ((o->f & F_VEC) && below(2))
			x = (uint8_t)below(32);
		p[n++] = x;
	}
	return n;
}

/* A block at slot: its instructions, a NOP sled, INT 0x80, UD2. */
static unsigned gen_block(uint8_t *slot, int mode, bool ring0)
{
	block_has_string = false;
	unsigned n = 0, count = (ring0 || mode == M_REAL) ? 1 : 1 + below(3);
	for (unsigned i = 0; i < count; i++)
		n += gen_insn(slot + n, mode, ring0);
	for (unsigned i = 0; i < 16; i++)
		slot[n + i] = 0x90;
	slot[n + 16] = 0xcd;
	slot[n + 17] = VEC_END;
	slot[n + 18] = 0x0f;
	slot[n + 19] = 0x0b;
	return count;
}

static void gen_regs(int mode, bool ring0)
{
	for (unsigned i = 0; i < 16; i++)
		g_regs[i] = a_value(mode);
	if (below(2))
		g_regs[1] = a_msr();
	if (below(3))
		g_regs[2] = a_port();
	if (mode == M_REAL || ring0)	/* no IOPB there */
		if (!port_ok((uint32_t)g_regs[2] & 0xffff, 4))
			g_regs[2] = 0x80;
	if (block_has_string && below(4)) {
		g_regs[6] = mode == M_REAL ? below(0x10000) : U_SCRATCH + below(0x1800);
		g_regs[7] = mode == M_REAL ? below(0x10000) : U_SCRATCH + below(0x1800);
	}
	if (mode == M_REAL)
		g_regs[4] = 0xff00 - below(0x100) * 2;
	else
		g_regs[4] = U_STACK_TOP - 0x100 - below(0x100) * 4;
}

/* ---- machine state ---------------------------------------------------------- */

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t efer0, apic_base0;
static uint32_t verbose;

static void lapic_rearm(void)
{
	lapic_write(0xb0, 0);		/* EOI */
	lapic_write(0xf0, 0x1ff);	/* SVR: enabled, spurious 0xff */
	lapic_write(0x80, 0);		/* TPR */
	lapic_write(0x3e0, 0xb);	/* divide by 1 */
	lapic_write(0x320, VEC_WATCHDOG);	/* one-shot, unmasked */
	lapic_write(0x380, WATCHDOG_NS);
}

static void restore_msrs(void)
{
	wrmsr(0x1b, apic_base0);
	wrmsr(0xc0000080, efer0);
	wrmsr(0x174, 0);		/* SYSENTER_CS: SYSENTER gives #GP */
}

static uint64_t tss_desc(struct tss *t)
{
	uint32_t base = (uint32_t)t, limit = sizeof(*t) - 1;
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | 0x89ull << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(base >> 24) << 56;
}

static void tss_init(struct tss *t, bool is64)
{
	memset(t, 0, sizeof(*t));
	uint32_t top = (uint32_t)(kstack + sizeof(kstack));
	memcpy(t->hdr + 4, &top, 4);
	if (!is64) {
		uint32_t ss0 = S_DATA;
		memcpy(t->hdr + 8, &ss0, 4);
	}
	uint16_t iomap = 104;
	memcpy(t->hdr + 102, &iomap, 2);
	for (uint32_t p = 0; p < 0x10000; p++)
		if (!port_ok(p, 1))
			t->iopb[p / 8] |= (uint8_t)(1u << (p % 8));
	t->end = 0xff;
}

static void tables_init(void)
{
	gdtr.base = (uint32_t)gdt;
	gdt[S_TSS32 / 8] = tss_desc(&tss32);
	gdt[S_TSS64 / 8] = tss_desc(&tss64);
	gdt[S_TSS64 / 8 + 1] = 0;
	__asm__ volatile("lgdt %0\n\tljmp $0x08, $1f\n1:" :: "m"(gdtr) : "memory");
	__asm__ volatile("sidt %0" : "=m"(rt_idtr));
	tss_init(&tss32, false);
	tss_init(&tss64, true);
	for (unsigned v = 0; v < 256; v++) {
		uint32_t a = (uint32_t)(p_stubs + v * STUB_SIZE);
		uint32_t type = v == VEC_END ? 0xee00 : 0x8e00;	/* DPL 3 for INT 0x80 */
		idt32[v] = (a & 0xffff) | (uint32_t)S_CODE32 << 16 |
			   (uint64_t)((a & 0xffff0000) | type) << 32;
		a = (uint32_t)(l_stubs + v * STUB_SIZE);
		idt64[2 * v] = (a & 0xffff) | (uint32_t)S_CODE64 << 16 |
			       (uint64_t)((a & 0xffff0000) | type) << 32;
		idt64[2 * v + 1] = 0;
	}
	idt32r = (struct dtr){ sizeof(idt32) - 1, (uint32_t)idt32 };
	idt64r = (struct dtr){ sizeof(idt64) - 1, (uint32_t)idt64 };

	/* protected mode: RAM in 4 MiB supervisor pages; user pages at 1 GiB;
	 * the IOAPIC and LAPIC pages (uncached, user) */
	for (unsigned i = 0; i < 16; i++)
		pd32[i] = i << 22 | 0x83;
	pd32[USER_BASE >> 22] = (uint32_t)pt32_user | 7;
	for (unsigned i = 0; i < 4; i++)
		pt32_user[i] = (uint32_t)upages[i] | 7;
	pd32[IOAPIC_BASE >> 22] = (uint32_t)pt32_apic | 7;
	pt32_apic[0] = IOAPIC_BASE | 0x1f;
	pt32_apic[(LAPIC_BASE - IOAPIC_BASE) >> 12] = LAPIC_BASE | 0x1f;
	/* long mode: the same in 4 levels (2 MiB supervisor pages for RAM) */
	pml4[0] = (uint32_t)pdpt | 7;
	pdpt[0] = (uint32_t)pd_low | 7;
	for (unsigned i = 0; i < 32; i++)
		pd_low[i] = (uint64_t)i << 21 | 0x83;
	pdpt[1] = (uint32_t)pd_user | 7;
	pd_user[0] = (uint32_t)pt_user | 7;
	for (unsigned i = 0; i < 4; i++)
		pt_user[i] = (uint32_t)upages[i] | 7;
	pdpt[3] = (uint32_t)pd_hi | 7;
	pd_hi[(IOAPIC_BASE - 0xc0000000u) >> 21] = (uint32_t)pt_io | 7;
	pd_hi[(LAPIC_BASE - 0xc0000000u) >> 21] = (uint32_t)pt_lapic | 7;
	pt_io[0] = IOAPIC_BASE | 0x1f;
	pt_lapic[0] = LAPIC_BASE | 0x1f;
}

static void ltr(uint16_t sel)
{
	gdt[sel / 8] &= ~(2ull << 40);	/* not busy */
	__asm__ volatile("ltr %0" :: "r"(sel) : "memory");
}

static void prot_on(void)
{
	__asm__ volatile("mov %%cr4, %%eax\n\tor $0x10, %%eax\n\tmov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3\n\t"
			 "mov %%cr0, %%eax\n\tor $0x80000000, %%eax\n\tmov %%eax, %%cr0\n\tjmp 1f\n1:"
			 :: "r"(pd32) : "eax", "memory");
	__asm__ volatile("lidt %0" :: "m"(idt32r));
	ltr(S_TSS32);
}

static void paging_off(void)
{
	__asm__ volatile("mov %%cr0, %%eax\n\tand $0x7fffffff, %%eax\n\tmov %%eax, %%cr0\n\tjmp 1f\n1:\n\t"
			 "mov %%cr4, %%eax\n\tand $~0x30, %%eax\n\tmov %%eax, %%cr4"
			 ::: "eax", "memory");
	__asm__ volatile("lidt %0" :: "m"(rt_idtr));
}

/* lme_first=1: EFER.LME before CR4.PAE, with an exit (the console) in
 * between; legal, and what made QEMU's #VMEXIT lose yakvm's CR0 (vmrun.S). */
static uint32_t lme_first;

static void long_on(void)
{
	if (lme_first) {
		wrmsr(0xc0000080, rdmsr(0xc0000080) | 0x100);
		printf("random: EFER.LME set before CR4.PAE, paging off\n");
	}
	__asm__ volatile("mov %%cr4, %%eax\n\tor $0x20, %%eax\n\tmov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3" :: "r"(pml4) : "eax", "memory");
	wrmsr(0xc0000080, rdmsr(0xc0000080) | 0x100);	/* EFER.LME */
	__asm__ volatile("mov %%cr0, %%eax\n\tor $0x80000000, %%eax\n\tmov %%eax, %%cr0\n\tjmp 1f\n1:"
			 ::: "eax", "memory");
	__asm__ volatile("lidt %0" :: "m"(idt64r));
	ltr(S_TSS64);
}

/* APM vol. 2, 14.7 "Leaving Long Mode": paging off (from compatibility
 * mode, identity-mapped), then EFER.LME, then PAE. */
static void long_off(void)
{
	__asm__ volatile("mov %%cr0, %%eax\n\tand $0x7fffffff, %%eax\n\tmov %%eax, %%cr0\n\tjmp 1f\n1:"
			 ::: "eax", "memory");
	wrmsr(0xc0000080, rdmsr(0xc0000080) & ~0x100ull);
	paging_off();
}

/* ---- one mode ----------------------------------------------------------------- */

static void load_real_blob(void)
{
	memcpy((void *)R_BLOB, blob_start, (size_t)(blob_end - blob_start));
	struct dtr *g = (struct dtr *)(R_BLOB + (rgdtr - blob_start));
	*g = gdtr;
	uint32_t *ivt = (uint32_t *)0;
	for (unsigned v = 0; v < 256; v++)
		__asm__ volatile("movl %1, (%0)" :: "r"(ivt + v),
				 "r"((uint32_t)(R_BLOB >> 4) << 16 |
				     (uint32_t)(r_stubs - blob_start + v * RSTUB_SIZE)) : "memory");
}

static uint32_t vec_count[256];

static int fmt_at(char *buf, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, 16, f, ap);
	va_end(ap);
	return n;
}

static void run_mode(int mode, uint32_t seed, uint32_t count)
{
	rng_state = ((uint64_t)seed << 8 | (uint64_t)mode) * 0x9e3779b97f4a7c15ull + 1;
	memset(vec_count, 0, sizeof(vec_count));
	memset(upages, 0, sizeof(upages));
	uint32_t insns = 0, completed = 0;
	if (mode == M_PROT)
		prot_on();
	if (mode == M_LONG)
		long_on();
	efer0 = rdmsr(0xc0000080);
	for (uint32_t b = 0; b < count; b++) {
		bool ring0 = mode == M_REAL || below(4) == 0;
		uint8_t *slot = mode == M_REAL ? (uint8_t *)(R_SLOT_SEG << 4) : upages[0];
		/* the block may have left anything in the slot page */
		memset(slot, 0x90, 128);
		insns += gen_block(slot, mode, ring0 && mode != M_REAL);
		gen_regs(mode, ring0);
		uint32_t v;
		if (verbose > 1) {
			printf("random: %s block %u ring%u:", mode_name[mode], b, ring0 ? 0 : 3);
			for (unsigned i = 0; i < 24 && !(slot[i] == 0x90 && slot[i + 1] == 0x90); i++)
				printf(" %02x", slot[i]);
			printf(" regs");
			for (unsigned i = 0; i < 8; i++)
				printf(" %llx", g_regs[i]);
			printf("\n");
		}
		lapic_rearm();
		if (mode == M_REAL) {
			load_real_blob();
			for (unsigned i = 0; i < 8; i++)
				((volatile uint32_t *)R_BLOCK)[i] = (uint32_t)g_regs[i];
			v = run_real();
		} else if (mode == M_PROT) {
			v = run_prot(ring0);
		} else {
			v = run_long(ring0);
		}
		if (ring0)
			restore_msrs();
		lapic_write(0x380, 0);	/* watchdog off */
		lapic_write(0xb0, 0);
		if (verbose) {
			printf("random: %s block %u ring%u vector %u:", mode_name[mode], b,
			       ring0 ? 0 : 3, v);
			for (unsigned i = 0; i < 16 && !(slot[i] == 0x90 && slot[i + 1] == 0x90); i++)
				printf(" %02x", slot[i]);
			printf("\n");
		}
		vec_count[v & 0xff]++;
		completed += v == VEC_END;
	}
	if (mode == M_PROT)
		paging_off();
	if (mode == M_LONG)
		long_off();
	char line[200];
	int n = 0;
	for (unsigned v = 0; v < 256 && n < 170; v++)
		if (vec_count[v] && v != VEC_END)
			n += fmt_at(line + n, " %u:%u", v, vec_count[v]);
	line[n] = 0;
	printf("random: mode=%s seed=%u blocks=%u insns=%u completed=%u vectors:%s\n",
	       mode_name[mode], seed, count, insns, completed, n ? line : " none");
}

static uint32_t arg(const char *cmd, const char *key, uint32_t dflt)
{
	size_t k = strlen(key);
	for (const char *c = cmd; *c; c++)
		if (memcmp(c, key, k) == 0 && (c == cmd || c[-1] == ' ')) {
			uint32_t v = 0;
			for (c += k; *c >= '0' && *c <= '9'; c++)
				v = v * 10 + (uint32_t)(*c - '0');
			return v;
		}
	return dflt;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *cmd = (info->flags & 4) ? (const char *)info->cmdline : "";
	uint32_t seed = arg(cmd, "seed=", 1), count = arg(cmd, "count=", 200);
	verbose = arg(cmd, "verbose=", 0);
	lme_first = arg(cmd, "lme_first=", 0);
	bool want[3] = { true, true, true };
	for (const char *c = cmd; *c; c++)
		if (memcmp(c, "mode=", 5) == 0)
			for (int m = 0; m < 3; m++)
				want[m] = memcmp(c + 5, mode_name[m], 4) == 0 ||
					  memcmp(c + 5, "all", 3) == 0;
	if (cmos_read(CMOS_MARK) == MARK_VALUE) {
		cmos_write(CMOS_MARK, 0);
		printf("random: reset by its own random code (seed=%u)\n", seed);
		return 3;
	}
	ops_init();
	tables_init();
	apic_base0 = rdmsr(0x1b);
	printf("random: seed=%u count=%u, %u opcodes\n", seed, count, nops);
	cmos_write(CMOS_MARK, MARK_VALUE);
	for (int m = 0; m < 3; m++)
		if (want[m])
			run_mode(m, seed, count);
	cmos_write(CMOS_MARK, 0);
	printf("random: done seed=%u\n", seed);
	return 0;
}
