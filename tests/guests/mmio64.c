/*
 * tests/guests/mmio64.c - the MMIO path from a 64-bit long-mode guest. Needs
 * the test device (testdev=1, devices/testdev.h) at guest-physical 0xfeb00000.
 *
 * From the Multiboot1 entry the guest builds its own 4-level page tables
 * (identity for the low 4 GiB in 2 MiB pages, plus aliases, below), enables
 * PAE, EFER.LME and paging, and so runs its C code in compatibility mode.
 * Each case is a 64-bit stub pair (t_ID_r on a RAM twin of the device window,
 * t_ID_m on the device) reached by a far call to a 64-bit code segment; both
 * start with the same registers (RAX..R14), flags and memory, and must end
 * with the same, and the device's status registers must show the expected
 * accesses (see mmio32.c for the scheme).
 *
 * During a stub R15 holds the window's linear address; DS and ES hold a
 * segment with a non-zero base, which 64-bit mode ignores (so must yakvm; an
 * explicit ES/DS override is left out, as QEMU's TCG wrongly adds the base).
 * Symbols set per copy: B the window (0x400000 / 0xfeb00000); BR a page of
 * this image that the page tables map onto the window (RIP-relative cases);
 * BL an alias at 1 GiB and BH one above 4 GiB, both in the guest's tables.
 * The IDT is the runtime's 32-bit one: an exception in long mode would be a
 * triple fault, and yakvm stops the VM with that message.
 *
 * Prints "mmio64: ok|FAIL <case>" and "mmio64: N passed, M failed".
 */
#include "rt.h"

#define TD     0xfeb00000u
#define RAMW   0x00400000u
#define WIN    0x100u
#include "mmio_compare.h"

#define SEL_CODE32 0x08
#define SEL_FLAT   0x10
#define SEL_CODE64 0x18
#define SEL_ODD    0x20		/* data, base 0x00300000: ignored in 64-bit mode */

static const uint64_t gdt[] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull,
	0x00cf92300000ffffull,
};

/* The page tables; rip_ram / rip_mmio are linear pages of this image that
 * the tables map onto the RAM twin and the device. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[5][512] __attribute__((aligned(4096)));
static uint64_t pt0[512] __attribute__((aligned(4096)));
uint8_t rip_ram[4096] __attribute__((aligned(4096)));
uint8_t rip_mmio[4096] __attribute__((aligned(4096)));

/* rax rcx rdx rbx rsp(unused) rbp rsi rdi r8..r15 (r15: the window) */
struct ctx {
	uint64_t r[16];
	uint64_t flags;
};

uint32_t g_ctx;
uint64_t g_base;

#define STUB(name, pre, insn, post) \
	".globl " name "\n" name ":\n" \
	"movl %esp, %esp\n" \
	"push %rbx\npush %rbp\npush %rsi\npush %rdi\n" \
	"movw $0x20, %ax\nmovw %ax, %ds\nmovw %ax, %es\n" \
	"movl g_ctx(%rip), %eax\n" \
	"movq g_base(%rip), %r15\n" \
	"pushq 128(%rax)\n" \
	"movq 8(%rax), %rcx\nmovq 16(%rax), %rdx\nmovq 24(%rax), %rbx\n" \
	"movq 40(%rax), %rbp\nmovq 48(%rax), %rsi\nmovq 56(%rax), %rdi\n" \
	"movq 64(%rax), %r8\nmovq 72(%rax), %r9\nmovq 80(%rax), %r10\n" \
	"movq 88(%rax), %r11\nmovq 96(%rax), %r12\nmovq 104(%rax), %r13\n" \
	"movq 112(%rax), %r14\n" \
	pre "\n" \
	"movq (%rax), %rax\n" \
	"popfq\n" \
	insn "\n" \
	"pushfq\n" \
	"cld\n" \
	post "\n" \
	"pushq %rax\n" \
	"movl g_ctx(%rip), %eax\n" \
	"popq (%rax)\n" \
	"movq %rcx, 8(%rax)\nmovq %rdx, 16(%rax)\nmovq %rbx, 24(%rax)\n" \
	"movq %rbp, 40(%rax)\nmovq %rsi, 48(%rax)\nmovq %rdi, 56(%rax)\n" \
	"movq %r8, 64(%rax)\nmovq %r9, 72(%rax)\nmovq %r10, 80(%rax)\n" \
	"movq %r11, 88(%rax)\nmovq %r12, 96(%rax)\nmovq %r13, 104(%rax)\n" \
	"movq %r14, 112(%rax)\nmovq %r15, 120(%rax)\n" \
	"popq 128(%rax)\n" \
	"movw $0x10, %cx\nmovw %cx, %ds\nmovw %cx, %es\n" \
	"pop %rdi\npop %rsi\npop %rbp\npop %rbx\n" \
	"lretl\n"

/* rSI / rDI / rBX made absolute (window + offset) around the instruction */
#define P_SI "lea (%rsi,%r15), %rsi\n"
#define P_DI "lea (%rdi,%r15), %rdi\n"
#define P_BX "lea (%rbx,%r15), %rbx\n"
#define Q_SI "sub %r15, %rsi\n"
#define Q_DI "sub %r15, %rdi\n"
#define Q_BX "sub %r15, %rbx\n"

/* cfg: FS or GS base (WRMSR) set to the window before the stub */
#define NONE 0
#define FSB  1
#define GSB  2

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define DF 0x400u
#define ARITH (CF | PF | AF | ZF | SF | OF)
#define ALL   (ARITH | DF)
#define LOGIC (ALL & ~AF)
#define BITS  (CF | DF)

#define ST(c, o, s, w) c, o, s, w
#define RD(o, s) ST(1, o, s, 0)
#define WR(o, s) ST(1, o, s, 1)
#define RMW(o, s) ST(2, o, s, 1)

#define R(a, c, d, b, bp, si, di) { a, c, d, b, 0, bp, si, di }

/* X(id, pre, "instruction", post, cfg, R(rax..rdi), flags in, flags compared,
 * ST(status)); R8..R14 start as r_default[] unless pre sets them. */
#define CASES(X) \
	/* MOV, REX.W, R8-R15, SPL..DIL, AH without REX, imm, moffs64 */ \
	X(mov64_store, "", "movq %rcx, 0x10(%r15)", "", NONE, R(0, 0x1122334455667788, 0, 0, 0, 0, 0), 0, ALL, WR(0x10, 8)) \
	X(mov64_load, "", "movq 0x18(%r15,%rbx,8), %rdx", "", NONE, R(0, 0, 0, 1, 0, 0, 0), 0, ALL, RD(0x20, 8)) \
	X(mov64_r8_r15, "mov $0x0123456789abcdef, %r9\nmov $3, %r10", "movq %r9, 0x11(%r15,%r10,8)\nmovq 0x11(%r15,%r10,8), %r12", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, ST(2, 0x29, 8, 0)) \
	X(mov32_r13d_zx, "", "movl 0x30(%r15), %r13d", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x30, 4)) \
	X(mov16_r14w, "", "movw %r14w, 0x34(%r15)\nmovw 0x35(%r15), %r8w", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, ST(2, 0x35, 2, 0)) \
	X(mov8_r11b, "", "movb 0x36(%r15), %r11b", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x36, 1)) \
	X(mov8_sil_rex, "", "movb %sil, 0x37(%r15)\nmovb 0x38(%r15), %dil", "", NONE, R(0, 0, 0, 0, 0, 0xa5, 0x1234), 0, ALL, ST(2, 0x38, 1, 0)) \
	X(mov8_ah_norex, P_BX, "movb %ah, 0x39(%rbx)\nmovb 0x3a(%rbx), %ch", Q_BX, NONE, R(0xbeef, 0x1111, 0, 0, 0, 0, 0), 0, ALL, ST(2, 0x3a, 1, 0)) \
	X(mov_imm32_sx64, "", "movq $-2, 0x40(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x40, 8)) \
	X(mov_imm32, "", "movl $0x89abcdef, 0x48(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x48, 4)) \
	X(mov_imm8, "", "movb $0x5a, 0x4c(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x4c, 1)) \
	X(moffs64_load, "", "movabs B+0x50, %rax", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x50, 8)) \
	X(moffs64_store32, "", "movabs %eax, B+0x58", "", NONE, R(0xfedcba9876543210, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x58, 4)) \
	X(moffs64_al, "", "movabs B+0x5c, %al", "", NONE, R(-1, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x5c, 1)) \
	X(moffs64_store64, "", "movabs %rax, B+0x61", "", NONE, R(0x8070605040302010, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x61, 8)) \
	/* MOVZX / MOVSX / MOVSXD */ \
	X(movzx_bq, "", "movzbq 0x68(%r15), %rcx", "", NONE, R(0, -1, 0, 0, 0, 0, 0), 0, ALL, RD(0x68, 1)) \
	X(movsx_wq, "", "movswq 0x69(%r15), %rdx", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x69, 2)) \
	X(movsx_bq_r8, "", "movsbq 0x6b(%r15), %r8", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x6b, 1)) \
	X(movzx_wl_r9d, "", "movzwl 0x6c(%r15), %r9d", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x6c, 2)) \
	X(movsxd, "", "movslq 0x70(%r15), %r10", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x70, 4)) \
	X(movsxd_rax, "", "movslq 0x6d(%r15), %rax", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x6d, 4)) \
	X(movsxd_norexw, "", ".byte 0x41, 0x63, 0x47, 0x74", "", NONE, R(-1, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x74, 4)) \
	/* ALU 64-bit, both directions, immediate groups, TEST */ \
	X(add64_mr, "", "addq %rcx, 0x78(%r15)", "", NONE, R(0, 0x7fffffffffffffff, 0, 0, 0, 0, 0), 0, ALL, RMW(0x78, 8)) \
	X(sub64_mr, "mov $0x8000000000000000, %r8", "subq %r8, 0x80(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x80, 8)) \
	X(adc64_rm, "", "adcq 0x88(%r15), %rcx", "", NONE, R(0, -1, 0, 0, 0, 0, 0), CF, ALL, RD(0x88, 8)) \
	X(sbb64_mr, "", "sbbq %rdx, 0x90(%r15)", "", NONE, R(0, 0, 0x7fffffffffffffff, 0, 0, 0, 0), CF, ALL, RMW(0x90, 8)) \
	X(and64_rm_r11, "", "andq 0x98(%r15), %r11", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0x98, 8)) \
	X(or64_mr, "", "orq %rcx, 0x99(%r15)", "", NONE, R(0, 0x8000000000000001, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0x99, 8)) \
	X(xor64_mr, "", "xorq %rcx, 0x9a(%r15)", "", NONE, R(0, -1, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0x9a, 8)) \
	X(cmp64_rm, "", "cmpq 0x98(%r15), %rcx", "", NONE, R(0, 0x3fffffffffffffff, 0, 0, 0, 0, 0), 0, ALL, RD(0x98, 8)) \
	X(add32_mr_r9d, "", "addl %r9d, 0x9c(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x9c, 4)) \
	X(grp83_and64, "", "andq $-16, 0xa0(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xa0, 8)) \
	X(grp81_or64, "", "orq $0x7fffff00, 0xa1(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xa1, 8)) \
	X(grp83_sub64, "", "subq $-1, 0xa8(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa8, 8)) \
	X(grp81_cmp64, "", "cmpq $-0x80000000, 0xa8(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0xa8, 8)) \
	X(grp80_adc8, "", "adcb $0x80, 0xa9(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xa9, 1)) \
	X(test64_85, "", "testq %rcx, 0xb0(%r15)", "", NONE, R(0, 0x8000000000000000, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xb0, 8)) \
	X(test64_f7, "", "testq $-1, 0xb1(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xb1, 8)) \
	/* NOT / NEG / INC / DEC */ \
	X(not64, "", "notq 0xb8(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), ARITH, ALL, RMW(0xb8, 8)) \
	X(neg64, "", "negq 0xb9(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xb9, 8)) \
	X(inc64, "", "incq 0xba(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xba, 8)) \
	X(dec64, "", "decq 0xbb(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xbb, 8)) \
	X(dec8_rex, "", "decb 0xbc(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xbc, 1)) \
	/* XCHG, CMPXCHG, XADD */ \
	X(xchg64_r12, "mov $0x1234567890abcdef, %r12", "xchgq %r12, 0xc0(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xc0, 8)) \
	X(cmpxchg64_eq, "", "movq 0xc8(%r15), %rax\ncmpxchgq %rcx, 0xc8(%r15)", "", NONE, R(0, 0x0102030405060708, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0xc8, 8, 1)) \
	X(cmpxchg64_ne, "", "cmpxchgq %rcx, 0xc8(%r15)", "", NONE, R(1, 0x0102030405060708, 0, 0, 0, 0, 0), 0, ALL, RD(0xc8, 8)) \
	X(cmpxchg32_eq_zx, "", "movl 0xcc(%r15), %eax\ncmpxchgl %r13d, 0xcc(%r15)", "", NONE, R(-1, 0, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0xcc, 4, 1)) \
	X(xadd64_r13, "", "xaddq %r13, 0xd0(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xd0, 8)) \
	X(lock_xadd64, "", "lock xaddq %rcx, 0xd1(%r15)", "", NONE, R(0, -5, 0, 0, 0, 0, 0), 0, ALL, RMW(0xd1, 8)) \
	/* BT family */ \
	X(bt64_reg, "", "btq %rcx, 0xd8(%r15)", "", NONE, R(0, 63, 0, 0, 0, 0, 0), 0, BITS, RD(0xd8, 8)) \
	X(bts64_reg_far, "", "btsq %rcx, 0xd8(%r15)", "", NONE, R(0, 130, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe8, 8)) \
	X(btr64_reg_neg, "", "btrq %rcx, 0xd8(%r15)", "", NONE, R(0, -1, 0, 0, 0, 0, 0), 0, BITS, RMW(0xd0, 8)) \
	X(btc64_imm, "", "btcq $63, 0xe0(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe0, 8)) \
	X(bt32_r9d, "mov $33, %r9d", "btl %r9d, 0xe0(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RD(0xe4, 4)) \
	/* string instructions */ \
	X(rep_movsq, P_SI P_DI, "rep movsq", Q_SI Q_DI, NONE, R(0, 4, 0, 0, 0, 0x10, 0x60), 0, ALL, ST(8, 0x78, 8, 1)) \
	X(rep_movsb_df, P_SI P_DI, "rep movsb", Q_SI Q_DI, NONE, R(0, 16, 0, 0, 0, 0x1f, 0x7f), DF, ALL, ST(32, 0x70, 1, 1)) \
	X(movsl, P_SI P_DI, "movsl", Q_SI Q_DI, NONE, R(0, 0, 0, 0, 0, 0x13, 0x63), 0, ALL, ST(2, 0x63, 4, 1)) \
	X(rep_stosq, P_DI, "rep stosq", Q_DI, NONE, R(0x1122334455667788, 3, 0, 0, 0, 0, 0x80), 0, ALL, ST(3, 0x90, 8, 1)) \
	X(stosw_df, P_DI, "stosw", Q_DI, NONE, R(0x4321, 0, 0, 0, 0, 0, 0x98), DF, ALL, WR(0x98, 2)) \
	X(lodsq, P_SI, "lodsq", Q_SI, NONE, R(0, 0, 0, 0, 0, 0x88, 0), 0, ALL, RD(0x88, 8)) \
	X(rep_lodsw_df, P_SI, "rep lodsw", Q_SI, NONE, R(0, 3, 0, 0, 0, 0x8e, 0), DF, ALL, ST(3, 0x8a, 2, 0)) \
	/* 67 prefix: 32-bit addressing (upper register halves ignored) */ \
	X(a32_addr, "", "movl 0x10(%r15d,%ebx), %eax", "", NONE, R(0, 0, 0, 0xffffffff00000004, 0, 0, 0), 0, ALL, RD(0x14, 4)) \
	X(a32_disp_above_2g, "", "movl B+0x10(%ebx), %ecx", "", NONE, R(0, 0, 0, 0x1234567800000008, 0, 0, 0), 0, ALL, RD(0x18, 4)) \
	X(a32_rep_stosb, P_DI, "addr32 rep stosb", Q_DI, NONE, R(0x77, 0xdead000000000003, 0, 0, 0, 0, 0x40), 0, ALL, ST(3, 0x42, 1, 1)) \
	/* 66 prefix in 64-bit mode */ \
	X(op16_add, "", "addw %r10w, 0x44(%r15)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x44, 2)) \
	X(op16_movsw, P_SI P_DI, "rep movsw", Q_SI Q_DI, NONE, R(0, 2, 0, 0, 0, 0x20, 0x48), 0, ALL, ST(4, 0x4a, 2, 1)) \
	/* segments: FS/GS bases from WRMSR. (An explicit ES/DS/SS override is not \
	 * tested: QEMU's TCG, the reference here, adds those bases in 64-bit \
	 * mode; the implicit DS/ES of every case have a non-zero base.) */ \
	X(fs_base_msr, "", "movl %fs:0x10, %eax", "", FSB, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x10, 4)) \
	X(fs_base_rmw, "", "addq %rcx, %fs:0x18(%rbx)", "", FSB, R(0, 0x5555555555555555, 0, 8, 0, 0, 0), 0, ALL, RMW(0x20, 8)) \
	X(gs_base_msr, "", "movq %gs:0x20(%rbx,%rsi,2), %rdx", "", GSB, R(0, 0, 0, 2, 0, 3, 0), 0, ALL, RD(0x28, 8)) \
	X(gs_base_movs, P_DI, "movsb %gs:(%rsi), %es:(%rdi)", Q_DI, GSB, R(0, 0, 0, 0, 0, 0x30, 0x50), 0, ALL, ST(2, 0x50, 1, 1)) \
	/* RIP-relative, aliases in the guest's own page tables */ \
	X(rip_relative, "", "movl BR+0x10(%rip), %ecx", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x10, 4)) \
	X(rip_relative_rmw, "", "addq %rcx, BR+0x18(%rip)", "", NONE, R(0, 0x0f0f0f0f0f0f0f0f, 0, 0, 0, 0, 0), 0, ALL, RMW(0x18, 8)) \
	X(rip_relative_imm, "", "movl $0x12345678, BR+0x20(%rip)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x20, 4)) \
	X(rip_relative_cmp_imm8, "", "cmpb $0x7f, BR+0x21(%rip)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x21, 1)) \
	X(rip_relative_bt_imm8, "", "btsl $9, BR+0x22(%rip)", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0x22, 4)) \
	X(alias_low, "", "movl BL+0x28, %eax", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x28, 4)) \
	X(above_4g, "", "movabs BH+0x30, %eax", "", NONE, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x30, 4)) \
	X(above_4g_reg, "movabs $BH, %r14", "xaddl %ecx, 0x34(%r14)", "xor %r14d, %r14d", NONE, R(0, 0x80000000, 0, 0, 0, 0, 0), 0, ALL, RMW(0x34, 4)) \
	X(above_4g_rep_stosl, "movabs $BH, %r14\nadd %r14, %rdi", "rep stosl", "sub %r14, %rdi\nxor %r14d, %r14d", NONE, R(0xcafebabe, 3, 0, 0, 0, 0, 0x40), 0, ALL, ST(3, 0x48, 4, 1)) \

#define X_ASM(id, pre, insn, post, cfg, regs, fin, fmask, st) \
	__asm__(".pushsection .text\n.code64\n" \
		".set B, 0x400000\n.set BR, rip_ram\n.set BL, 0x40200000\n.set BH, 0x100200000\n" \
		STUB("t_" #id "_r", pre, insn, post) \
		".set B, 0xfeb00000\n.set BR, rip_mmio\n.set BL, 0x40100000\n.set BH, 0x100100000\n" \
		STUB("t_" #id "_m", pre, insn, post) ".code32\n.popsection\n"); \
	void t_##id##_r(void); \
	void t_##id##_m(void);
CASES(X_ASM)

struct tcase {
	const char *name;
	void (*ram)(void), (*mmio)(void);
	uint8_t cfg;
	uint64_t r[8], flags;
	uint32_t fmask;
	int cnt, off, size, wr;
};

#define X_TAB(id, pre, insn, post, cfg, regs, fin, fmask, st) \
	{ #id, t_##id##_r, t_##id##_m, cfg, regs, fin, fmask, st },
static const struct tcase cases[] = { CASES(X_TAB) };

static const uint64_t r_default[7] = {	/* r8..r14 */
	0x8888888811111108, 0x99999999aaaaaa09, 0xa0a0a0a0b0b0b00a, 0xbbbbbbbb7777770b,
	0xc0c0c0c0d0d0d00c, 0xdddddddd8080800d, 0xe0e0e0e0f0f0f00e,
};

/* ---- the runner --------------------------------------------------------- */


static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static int passed, failed;
static const char *regname[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static int fmt(char *buf, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, 200, f, ap);
	va_end(ap);
	return n ? n : 1;
}

static void call64(void (*stub)(void))
{
	struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = {
		(uint32_t)stub, SEL_CODE64 };
	__asm__ volatile("lcall *%0" :: "m"(fp) : "eax", "ecx", "edx", "memory", "cc");
}

static void run(const struct tcase *c, bool mmio, struct ctx *out, uint8_t *win, uint32_t *st)
{
	uint32_t base = mmio ? TD : RAMW;
	fill_window(base);
	*(volatile uint32_t *)(TD + 0x840) = 0;
	g_base = base;
	g_ctx = (uint32_t)out;
	if (c->cfg == FSB)
		wrmsr(0xc0000100, base);
	if (c->cfg == GSB)
		wrmsr(0xc0000101, base);
	memset(out, 0, sizeof(*out));
	memcpy(out->r, c->r, sizeof(c->r));
	memcpy(&out->r[8], r_default, sizeof(r_default));
	out->flags = 0x2 | c->flags;
	call64(mmio ? c->mmio : c->ram);
	if (c->cfg != NONE)
		wrmsr(c->cfg == FSB ? 0xc0000100 : 0xc0000101, 0);
	for (int i = 0; i < 6; i++)
		st[i] = td_reg(0x800 + 4 * i);
	snap_window(base, win);
}

static void one(const struct tcase *c)
{
	static struct ctx a, b;
	static uint8_t wa[WIN], wb[WIN];
	char msg[200];
	int n = 0;
	uint32_t st[6];

	run(c, false, &a, wa, st);
	run(c, true, &b, wb, st);
	for (int i = 0; i < 15 && !n; i++)
		if (i != 4 && a.r[i] != b.r[i])
			n = fmt(msg, "%s ram=0x%x%08x mmio=0x%x%08x", regname[i],
				(uint32_t)(a.r[i] >> 32), (uint32_t)a.r[i],
				(uint32_t)(b.r[i] >> 32), (uint32_t)b.r[i]);
	if (!n && ((a.flags ^ b.flags) & c->fmask))
		n = fmt(msg, "flags ram=0x%x mmio=0x%x (compared 0x%x)",
			(uint32_t)a.flags, (uint32_t)b.flags, c->fmask);
	if (!n)
		n = compare_window_and_device(msg, sizeof(msg), wa, wb, st,
			(struct access_expect){ c->cnt, c->off, c->size, c->wr });
	if (n) {
		printf("mmio64: FAIL %s %s\n", c->name, msg);
		failed++;
	} else {
		printf("mmio64: ok %s\n", c->name);
		passed++;
	}
}

/* Identity for the low 4 GiB (2 MiB pages; 4 KiB for the first 2 MiB, where
 * rip_ram / rip_mmio are remapped), 1 GiB + 1 MiB -> the device and
 * 1 GiB + 2 MiB -> its RAM twin, and the same two above 4 GiB. */
static void build_page_tables(void)
{
	pml4[0] = (uint32_t)pdpt | 3;
	for (unsigned i = 0; i < 5; i++)
		pdpt[i] = (uint32_t)pd[i] | 3;
	for (unsigned i = 0; i < 4; i++)
		for (unsigned j = 0; j < 512; j++)
			pd[i][j] = ((uint64_t)(i * 512 + j) << 21) | 0x83;
	for (unsigned j = 0; j < 512; j++)
		pt0[j] = ((uint64_t)j << 12) | 3;
	pt0[(uint32_t)rip_ram >> 12] = RAMW | 3;
	pt0[(uint32_t)rip_mmio >> 12] = TD | 3;
	pd[0][0] = (uint32_t)pt0 | 3;
	pd[1][0] = (TD & ~0x1fffffu) | 0x83;	/* 0x40000000 -> 0xfea00000 */
	pd[1][1] = RAMW | 0x83;			/* 0x40200000 -> 0x400000 */
	pd[4][0] = (TD & ~0x1fffffu) | 0x83;	/* 0x100000000 -> 0xfea00000 */
	pd[4][1] = RAMW | 0x83;			/* 0x100200000 -> 0x400000 */
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gp = {
		sizeof(gdt) - 1, (uint32_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\tmovw %w2, %%ds\n\tmovw %w2, %%es\n\tmovw %w2, %%ss\n\t"
			 "movw %w2, %%fs\n\tmovw %w2, %%gs"
			 :: "m"(gp), "i"(SEL_CODE32), "r"(SEL_FLAT) : "memory");
	build_page_tables();
	uint32_t cr;
	__asm__ volatile("mov %%cr4, %0\n\torl $0x20, %0\n\tmov %0, %%cr4" : "=r"(cr));
	__asm__ volatile("mov %0, %%cr3" :: "r"(pml4) : "memory");
	wrmsr(0xc0000080, rdmsr(0xc0000080) | (1u << 8));
	__asm__ volatile("mov %%cr0, %0\n\torl $0x80000000, %0\n\tmov %0, %%cr0\n\tjmp 1f\n1:"
			 : "=r"(cr) :: "memory");
	uint64_t efer = rdmsr(0xc0000080);
	printf("mmio64: long mode %s (EFER 0x%x), %u cases, window 0x%x, aliases "
	       "0x40100000 0x100100000 and page 0x%x\n", (efer & (1u << 10)) ? "active" : "NOT active",
	       (uint32_t)efer, (unsigned)(sizeof(cases) / sizeof(cases[0])), TD,
	       (uint32_t)rip_mmio);
	if (!(efer & (1u << 10))) {
		printf("mmio64: 0 passed, 1 failed\n");
		return 1;
	}
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one(&cases[i]);
	printf("mmio64: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
