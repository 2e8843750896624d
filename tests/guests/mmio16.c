/*
 * tests/guests/mmio16.c - the MMIO path from 16-bit code: real mode ("big"
 * real mode, with segment bases and limits cached from protected mode) and
 * 16-bit protected mode. Needs the test device (testdev=1,
 * devices/testdev.h) at guest-physical 0xfeb00000.
 *
 * Same scheme as mmio32.c: each case is a stub pair (t_ID_r on a RAM twin of
 * the device window at 4 MiB, t_ID_m on the device), run with the same
 * registers, flags and memory, compared afterwards, plus the device's status.
 * The stubs are 16-bit code in a blob copied to 0x8000 (CS base 0x8000 in
 * both modes). For each run the 32-bit side (run16) loads DS, ES and FS with
 * a 4 GiB data segment whose base is the window and GS with a flat one,
 * jumps to 16-bit protected mode, and (for real mode) clears CR0.PE and
 * reloads CS: the data segments keep their cached bases and limits, so
 * 16-bit addressing forms ([BX+SI], [BP+DI+disp]...) reach the device, and
 * the 67 prefix reaches all of it (big real mode). Registers are passed in a
 * block at 0x7e00, read through SS (base 0).
 *
 * The SS-default forms ([BP+...]) load SS with the window segment around the
 * instruction, which only protected mode can do (a real-mode SS load sets
 * base = selector * 16): those run in 16-bit protected mode only. Every
 * other case runs in both modes, printed as "rm_ID" and "pm16_ID".
 *
 * Prints "mmio16: ok|FAIL <case>" and "mmio16: N passed, M failed".
 */
#include "rt.h"

#define TD     0xfeb00000u
#define RAMW   0x00400000u
#define WIN    0x100u
#include "mmio_compare.h"

#define SEL_CODE    0x08
#define SEL_FLAT    0x10
#define SEL_CODE16  0x18	/* 16-bit code, base 0x8000 */
#define SEL_RAMW    0x20
#define SEL_TD      0x28
#define SEL_STACK16 0x30	/* 16-bit data, base 0, limit 64 KiB */

#define DDESC(b) (0x0000ffffull | ((uint64_t)((b) & 0xffffffu) << 16) | (0x92ull << 40) | \
		  (0xcfull << 48) | ((uint64_t)((b) >> 24) << 56))

static const uint64_t gdt[] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0x00009a008000ffffull,
	DDESC(RAMW), DDESC(TD), 0x000092000000ffffull,
};

/* Low memory used by the 16-bit side (all below the blob at 0x8000). */
#define BLOB16    0x8000
#define STACK16   0x7000
#define CTX16     0x7e00
#define STUB_PTR  0x7ff0	/* offset of the stub to call */
#define REAL_FLAG 0x7ff2	/* 1: real mode, 0: 16-bit protected mode */
#define SS_W_SEL  0x7ff4	/* the window selector, for SS-default cases */
#define SS_SEL    0x7ff6	/* the 16-bit stack selector */
#define LOW16(a) (*(volatile uint16_t *)(a))

struct ctx {
	uint32_t r[8];		/* eax ecx edx ebx esp(unused) ebp esi edi */
	uint32_t flags;
};

uint32_t g_ds, g_es, g_fs, g_esp32;

extern char blob_start[], blob_end[];
void run16(uint32_t stub, uint32_t real);

/* 32-bit side: load the window segments, enter 16-bit protected mode at
 * pm16_entry in the blob; back32 is where the 16-bit side returns. */
__asm__(".pushsection .text\n"
	".globl run16\n"
	"run16:\n"
	"pushal\n"
	"movl %esp, g_esp32\n"
	"movl 36(%esp), %eax\n"
	"movw %ax, 0x7ff0\n"
	"movl 40(%esp), %eax\n"
	"movw %ax, 0x7ff2\n"
	"movw $0x10, %ax\n"
	"movw %ax, %gs\n"
	"movw g_fs, %fs\n"
	"movw g_es, %es\n"
	"movw g_ds, %ds\n"
	"movw $0x30, %ax\n"
	"movw %ax, %ss\n"
	"movl $0x7000, %esp\n"
	"ljmp $0x18, $(pm16_entry - blob_start)\n"
	"back32:\n"
	"movw $0x10, %ax\n"
	"movw %ax, %ds\nmovw %ax, %es\nmovw %ax, %fs\nmovw %ax, %gs\nmovw %ax, %ss\n"
	"movl g_esp32, %esp\n"
	"popal\n"
	"ret\n"
	/* the blob: 16-bit code, position-independent within CS (base 0x8000) */
	".code16\n"
	".balign 16\n"
	".globl blob_start\n"
	"blob_start:\n"
	"pm16_entry:\n"
	"cmpw $0, %ss:0x7ff2\n"
	"je pm16_run\n"
	"movl %cr0, %eax\n"
	"andl $0xfffffffe, %eax\n"
	"movl %eax, %cr0\n"
	"ljmp $0x0800, $(rm_entry - blob_start)\n"
	"rm_entry:\n"
	"xorw %ax, %ax\n"
	"movw %ax, %ss\n"
	"pm16_run:\n"
	"movw $0x7000, %sp\n"
	"call *%ss:0x7ff0\n"
	"cmpw $0, %ss:0x7ff2\n"
	"je to_pm32\n"
	"movl %cr0, %eax\n"
	"orl $1, %eax\n"
	"movl %eax, %cr0\n"
	"to_pm32:\n"
	"ljmpl $0x08, $back32\n"
	".code32\n"
	".popsection\n");

#define STUB(name, insn) \
	".globl " name "\n" name ":\n" \
	"movl %ss:0x7e04, %ecx\n" \
	"movl %ss:0x7e08, %edx\n" \
	"movl %ss:0x7e0c, %ebx\n" \
	"movl %ss:0x7e14, %ebp\n" \
	"movl %ss:0x7e18, %esi\n" \
	"movl %ss:0x7e1c, %edi\n" \
	"pushl %ss:0x7e20\n" \
	"movl %ss:0x7e00, %eax\n" \
	"popfl\n" \
	insn "\n" \
	"pushfl\n" \
	"cld\n" \
	"movl %eax, %ss:0x7e00\n" \
	"movl %ecx, %ss:0x7e04\n" \
	"movl %edx, %ss:0x7e08\n" \
	"movl %ebx, %ss:0x7e0c\n" \
	"movl %ebp, %ss:0x7e14\n" \
	"movl %esi, %ss:0x7e18\n" \
	"movl %edi, %ss:0x7e1c\n" \
	"popl %ss:0x7e20\n" \
	"ret\n"

/* SS = the window segment around the instruction (protected mode only). */
#define SS_W(insn) "movw %gs:0x7ff4, %ss\n" insn "\nmovw %gs:0x7ff6, %ss"

#define S_W    0
#define DS_F   1	/* DS flat (4 GiB, base 0) */
#define ES_F   2

/* modes */
#define BOTH   3
#define RM     1
#define PM     2

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

/* X(id, modes, "instruction", segments, R(registers), flags in, flags
 * compared, ST(status)) */
#define CASES(X) \
	/* MOV, 16-bit addressing forms, no prefixes */ \
	X(mov16_bx_si, BOTH, "movw (%bx,%si), %ax", S_W, R(0xffffffff, 0, 0, 0x10, 0, 4, 0), 0, ALL, RD(0x14, 2)) \
	X(mov16_bx_di_disp8, BOTH, "movw %cx, 0x20(%bx,%di)", S_W, R(0, 0x1234, 0, 2, 0, 0, 3), 0, ALL, WR(0x25, 2)) \
	X(mov8_si_disp8, BOTH, "movb 0x7(%si), %dh", S_W, R(0, 0, 0, 0, 0, 0x30, 0), 0, ALL, RD(0x37, 1)) \
	X(mov8_ah_di, BOTH, "movb %ah, (%di)", S_W, R(0xa55a, 0, 0, 0, 0, 0, 0x38), 0, ALL, WR(0x38, 1)) \
	X(mov16_disp16, BOTH, "movw 0x3a, %dx", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x3a, 2)) \
	X(mov16_bx_disp16, BOTH, "movw 0x103c(%bx), %cx", S_W, R(0, 0, 0, 0xf000, 0, 0, 0), 0, ALL, RD(0x3c, 2)) \
	X(bp_ds, BOTH, "movw %ds:0x4(%bp), %cx", S_W, R(0, 0, 0, 0, 0x3c, 0, 0), 0, ALL, RD(0x40, 2)) \
	X(bp_di_ds, BOTH, "addw %cx, %ds:0x2(%bp,%di)", S_W, R(0, 0x8001, 0, 0, 0x40, 0, 2), 0, ALL, RMW(0x44, 2)) \
	X(mov_imm16, BOTH, "movw $0xbeef, 0x46(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x46, 2)) \
	X(mov_imm8, BOTH, "movb $0x11, 0x48(%si)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x48, 1)) \
	X(moffs16, BOTH, "movw 0x4a, %ax", S_W, R(0xffffffff, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x4a, 2)) \
	X(moffs8_store, BOTH, "movb %al, 0x4c", S_W, R(0x99, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x4c, 1)) \
	/* 66 prefix: 32-bit operands */ \
	X(op32, BOTH, "movl %ecx, 0x50(%bx)", S_W, R(0, 0xdeadbeef, 0, 0, 0, 0, 0), 0, ALL, WR(0x50, 4)) \
	X(op32_load, BOTH, "movl 0x52(%bx,%si), %edx", S_W, R(0, 0, 0, 1, 0, 1, 0), 0, ALL, RD(0x54, 4)) \
	X(op32_moffs, BOTH, "movl 0x56, %eax", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x56, 4)) \
	X(movzx_bw, BOTH, "movzbw 0x54(%bx), %cx", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), 0, ALL, RD(0x54, 1)) \
	X(movsx_bl, BOTH, "movsbl 0x55(%bx), %ecx", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x55, 1)) \
	X(movzx_wl, BOTH, "movzwl 0x56(%si), %edx", S_W, R(0, 0, 0xffffffff, 0, 0, 0, 0), 0, ALL, RD(0x56, 2)) \
	X(movsx_ww, BOTH, "movswl 0x57(%si), %edx", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x57, 2)) \
	/* ALU, immediate groups, TEST, unary */ \
	X(adc_mr, BOTH, "adcw %cx, 0x58(%bx)", S_W, R(0, 0xffff, 0, 0, 0, 0, 0), CF, ALL, RMW(0x58, 2)) \
	X(sub_rm, BOTH, "subw 0x5a(%bx), %cx", S_W, R(0, 0x8000, 0, 0, 0, 0, 0), 0, ALL, RD(0x5a, 2)) \
	X(and_mr8, BOTH, "andb %dl, 0x5c(%di)", S_W, R(0, 0, 0xf0, 0, 0, 0, 0), 0, LOGIC, RMW(0x5c, 1)) \
	X(xor_mr32, BOTH, "xorl %ecx, 0x5d(%bx)", S_W, R(0, 0x80808080, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0x5d, 4)) \
	X(cmp_rm8_ah, BOTH, "cmpb 0x5e(%bx), %ah", S_W, R(0x7f00, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x5e, 1)) \
	X(sbb_rm32, BOTH, "sbbl 0x5f(%bx), %edx", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RD(0x5f, 4)) \
	X(grp83_sub, BOTH, "subw $-2, 0x60(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x60, 2)) \
	X(grp81_and, BOTH, "andw $0x0ff0, 0x62(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0x62, 2)) \
	X(grp80_or, BOTH, "orb $0x81, 0x64(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0x64, 1)) \
	X(grp81_add32, BOTH, "addl $0x7fffffff, 0x65(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x65, 4)) \
	X(grp83_cmp, BOTH, "cmpw $0x7f, 0x66(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x66, 2)) \
	X(test_f7, BOTH, "testw $0x8000, 0x68(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0x68, 2)) \
	X(test_84, BOTH, "testb %cl, 0x69(%bx)", S_W, R(0, 0x0f, 0, 0, 0, 0, 0), 0, LOGIC, RD(0x69, 1)) \
	X(not16, BOTH, "notw 0x6a(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x6a, 2)) \
	X(neg8, BOTH, "negb 0x6c(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x6c, 1)) \
	X(inc16, BOTH, "incw 0x6d(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0x6d, 2)) \
	X(dec32, BOTH, "decl 0x6e(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0x6e, 4)) \
	/* XCHG, CMPXCHG, XADD, BT */ \
	X(xchg16, BOTH, "xchgw %cx, 0x70(%bx)", S_W, R(0, 0x4321, 0, 0, 0, 0, 0), 0, ALL, RMW(0x70, 2)) \
	X(cmpxchg_eq, BOTH, "movw 0x72(%bx), %ax\ncmpxchgw %cx, 0x72(%bx)", S_W, R(0, 0x600d, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0x72, 2, 1)) \
	X(cmpxchg_ne, BOTH, "cmpxchgw %cx, 0x72(%bx)", S_W, R(1, 0x600d, 0, 0, 0, 0, 0), 0, ALL, RD(0x72, 2)) \
	X(xadd16, BOTH, "xaddw %dx, 0x74(%bx)", S_W, R(0, 0, 0x8000, 0, 0, 0, 0), 0, ALL, RMW(0x74, 2)) \
	X(bt16_reg, BOTH, "btw %cx, 0x78(%bx)", S_W, R(0, 20, 0, 0, 0, 0, 0), 0, BITS, RD(0x7a, 2)) \
	X(bts16_imm, BOTH, "btsw $3, 0x78(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0x78, 2)) \
	X(btr32_reg_neg, BOTH, "btrl %ecx, 0x7c(%bx)", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), 0, BITS, RMW(0x78, 4)) \
	X(btc16_imm, BOTH, "btcw $15, 0x7e(%bx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0x7e, 2)) \
	/* strings with SI/DI/CX */ \
	X(rep_movsw, BOTH, "rep movsw", S_W, R(0, 4, 0, 0, 0, 0x10, 0x80), 0, ALL, ST(8, 0x86, 2, 1)) \
	X(rep_movsb_df, BOTH, "rep movsb", S_W, R(0, 8, 0, 0, 0, 0x17, 0x8f), DF, ALL, ST(16, 0x88, 1, 1)) \
	X(movsb, BOTH, "movsb", S_W, R(0, 0, 0, 0, 0, 0x11, 0x81), 0, ALL, ST(2, 0x81, 1, 1)) \
	X(rep_stosb, BOTH, "rep stosb", S_W, R(0x5a, 5, 0, 0, 0, 0, 0x90), 0, ALL, ST(5, 0x94, 1, 1)) \
	X(rep_stosl_op32, BOTH, "rep stosl", S_W, R(0x01020304, 3, 0, 0, 0, 0, 0x98), 0, ALL, ST(3, 0xa0, 4, 1)) \
	X(stosw_df, BOTH, "stosw", S_W, R(0xabcd, 0, 0, 0, 0, 0, 0xa6), DF, ALL, WR(0xa6, 2)) \
	X(lodsb, BOTH, "lodsb", S_W, R(0xffffffff, 0, 0, 0, 0, 0xa8, 0), 0, ALL, RD(0xa8, 1)) \
	X(rep_lodsw, BOTH, "rep lodsw", S_W, R(0, 3, 0, 0, 0, 0xaa, 0), 0, ALL, ST(3, 0xae, 2, 0)) \
	X(rep_movsb_hi_ignored, BOTH, "rep movsb", S_W, R(0, 0xabcd0002, 0, 0, 0, 0x12340010, 0x567800b0), 0, ALL, ST(4, 0xb1, 1, 1)) \
	/* 67 prefix: 32-bit addressing, big real mode */ \
	X(a32_big, BOTH, "addr32 movl 0x20(%ebx,%esi,2), %ecx", S_W, R(0, 0, 0, 8, 0, 4, 0), 0, ALL, RD(0x30, 4)) \
	X(a32_big_flat, BOTH, "addr32 movl %gs:B+0x10(%ebx), %eax", S_W, R(0, 0, 0, 4, 0, 0, 0), 0, ALL, RD(0x14, 4)) \
	X(a32_big_flat_store, BOTH, "addr32 movw %cx, %gs:B+0xb8", S_W, R(0, 0x7777, 0, 0, 0, 0, 0), 0, ALL, WR(0xb8, 2)) \
	X(a32_rep_movsb, BOTH, "addr32 rep movsb", S_W, R(0, 4, 0, 0, 0, 0xa8, 0xb0), 0, ALL, ST(8, 0xb3, 1, 1)) \
	X(a32_ds_flat, BOTH, "addr32 xaddl %ecx, B+0xbc(%ebx)", DS_F, R(0, 3, 0, 0, 0, 0, 0), 0, ALL, RMW(0xbc, 4)) \
	/* segment overrides */ \
	X(fs_override, BOTH, "movw %fs:0x2(%bx), %ax", DS_F, R(0, 0, 0, 0xc0, 0, 0, 0), 0, ALL, RD(0xc2, 2)) \
	X(fs_override_movsw, BOTH, "movsw %fs:(%si), %es:(%di)", DS_F, R(0, 0, 0, 0, 0, 0xc4, 0xc8), 0, ALL, ST(2, 0xc8, 2, 1)) \
	/* SS default for BP (16-bit protected mode only) */ \
	X(ss_bp_di, PM, SS_W("movw 0x8(%bp,%di), %ax"), DS_F, R(0, 0, 0, 0, 0x30, 0, 4), 0, ALL, RD(0x3c, 2)) \
	X(ss_bp_rmw, PM, SS_W("incw 0x2(%bp)"), DS_F, R(0, 0, 0, 0, 0x40, 0, 0), 0, ALL, RMW(0x42, 2)) \
	X(ss_bp_si_store, PM, SS_W("movb %cl, (%bp,%si)"), DS_F, R(0, 0x3c, 0, 0, 0x50, 0x1, 0), 0, ALL, WR(0x51, 1)) \

#define X_ASM(id, modes, insn, seg, regs, fin, fmask, st) \
	__asm__(".pushsection .text\n.code16\n.set B, 0x400000\n" STUB("t_" #id "_r", insn) \
		".set B, 0xfeb00000\n" STUB("t_" #id "_m", insn) ".code32\n.popsection\n"); \
	extern char t_##id##_r[], t_##id##_m[];
CASES(X_ASM)

/* Records CR0 (ECX) and CS (DX): proves which mode the stubs run in. */
__asm__(".pushsection .text\n.code16\n" STUB("probe16", "movl %cr0, %ecx\nmovw %cs, %dx")
	".code32\n.globl blob_end\nblob_end:\n.popsection\n");
extern char probe16[];

struct tcase {
	const char *name;
	char *ram, *mmio;
	uint8_t modes, seg;
	uint32_t r[8], flags, fmask;
	int cnt, off, size, wr;
};

#define X_TAB(id, modes, insn, seg, regs, fin, fmask, st) \
	{ #id, t_##id##_r, t_##id##_m, modes, seg, regs, fin, fmask, st },
static const struct tcase cases[] = { CASES(X_TAB) };

/* ---- the runner --------------------------------------------------------- */


static int passed, failed;

static int fmt(char *buf, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, 160, f, ap);
	va_end(ap);
	return n ? n : 1;
}
static const char *regname[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

/* Runs one copy; for the device copy, st[] gets its status registers (read
 * before the window is, as that logs accesses). */
static void run(const struct tcase *c, bool real, bool mmio, struct ctx *out, uint8_t *win,
		uint32_t *st)
{
	uint32_t base = mmio ? TD : RAMW;
	uint16_t wsel = mmio ? SEL_TD : SEL_RAMW;
	fill_window(base);
	*(volatile uint32_t *)(TD + 0x840) = 0;
	g_ds = (c->seg & DS_F) ? SEL_FLAT : wsel;
	g_es = (c->seg & ES_F) ? SEL_FLAT : wsel;
	g_fs = wsel;
	LOW16(SS_W_SEL) = wsel;
	LOW16(SS_SEL) = SEL_STACK16;
	memcpy(out->r, c->r, sizeof(out->r));
	out->flags = 0x2 | c->flags;
	memcpy((void *)CTX16, out, sizeof(*out));
	run16((uint32_t)((mmio ? c->mmio : c->ram) - blob_start), real);
	memcpy(out, (void *)CTX16, sizeof(*out));
	for (int i = 0; i < 6; i++)
		st[i] = td_reg(0x800 + 4 * i);
	snap_window(base, win);
}

static void one(const struct tcase *c, bool real)
{
	static struct ctx a, b;
	static uint8_t wa[WIN], wb[WIN];
	char msg[160];
	int n = 0;

	uint32_t st[6];
	run(c, real, false, &a, wa, st);
	run(c, real, true, &b, wb, st);
	msg[0] = 0;
	for (int i = 0; i < 8 && !n; i++)
		if (i != 4 && a.r[i] != b.r[i])
			n = fmt(msg, "%s ram=0x%x mmio=0x%x", regname[i], a.r[i], b.r[i]);
	if (!n && ((a.flags ^ b.flags) & c->fmask))
		n = fmt(msg, "flags ram=0x%x mmio=0x%x (compared 0x%x)",
			      a.flags, b.flags, c->fmask);
	if (!n)
		n = compare_window_and_device(msg, sizeof(msg), wa, wb, st,
			(struct access_expect){ c->cnt, c->off, c->size, c->wr });
	if (n) {
		printf("mmio16: FAIL %s%s %s\n", real ? "rm_" : "pm16_", c->name, msg);
		failed++;
	} else {
		printf("mmio16: ok %s%s\n", real ? "rm_" : "pm16_", c->name);
		passed++;
	}
}


int guest_main(uint32_t magic, struct mb1_info *info)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gp = {
		sizeof(gdt) - 1, (uint32_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\tmovw %w2, %%ds\n\tmovw %w2, %%es\n\tmovw %w2, %%ss\n\t"
			 "movw %w2, %%fs\n\tmovw %w2, %%gs"
			 :: "m"(gp), "i"(SEL_CODE), "r"(SEL_FLAT) : "memory");
	uint32_t len = (uint32_t)(blob_end - blob_start);
	memcpy((void *)BLOB16, blob_start, len);
	unsigned n = sizeof(cases) / sizeof(cases[0]);
	printf("mmio16: %u cases, 16-bit code at 0x%x (%u bytes), window 0x%x\n", n, BLOB16, len, TD);
	for (int real = 1; real >= 0; real--) {
		struct ctx *p = (struct ctx *)CTX16;
		memset(p, 0, sizeof(*p));
		p->flags = 2;
		run16((uint32_t)(probe16 - blob_start), real);
		bool ok = real ? !(p->r[1] & 1) && (p->r[2] & 0xffff) == BLOB16 >> 4
			       : (p->r[1] & 1) && (p->r[2] & 0xffff) == SEL_CODE16;
		printf("mmio16: %s %s (CR0 0x%x, CS 0x%x)\n", ok ? "ok" : "FAIL",
		       real ? "rm_mode: real mode, CR0.PE clear" : "pm16_mode: 16-bit protected mode",
		       p->r[1], p->r[2] & 0xffff);
		passed += ok;
		failed += !ok;
		for (unsigned i = 0; i < n; i++)
			if (cases[i].modes & (real ? RM : PM))
				one(&cases[i], real);
	}
	printf("mmio16: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
