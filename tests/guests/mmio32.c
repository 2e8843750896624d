/*
 * tests/guests/mmio32.c - the MMIO path from a 32-bit protected-mode guest
 * (paging off). Needs the test device (testdev=1, devices/testdev.h) at
 * guest-physical 0xfeb00000.
 *
 * Each case is one instruction, assembled twice (the stub pair t_ID_r and
 * t_ID_m): the "r" copy works on a RAM twin of the device window at 4 MiB,
 * the "m" copy on the device, which yakvm emulates on every access. Both
 * start from the same registers, flags and memory contents (a pattern),
 * and must end with the same registers, flags (those the instruction
 * defines) and memory. The device's status registers must also show the
 * access the instruction is supposed to make (count, offset, size, read or
 * write, and the value of the last write).
 *
 * Addressing: DS, ES and FS are loaded with a "window" segment whose base is
 * the window (RAM twin or device), so both copies use the same offsets; the
 * symbol B (.set per copy) is the window's linear address for the cases that
 * address it flat (DS base 0) instead.
 *
 * Then the test device as PCI function 00:01.0 (devices/pci_host.c): its
 * IDs, BAR 0 sizing, the BAR moved (the device answers at the new address,
 * nothing at the old one), memory decoding off, and the BAR moved back.
 *
 * Prints "mmio32: ok|FAIL <case>" per case and "mmio32: N passed, M failed";
 * the VM's exit status is M != 0.
 */
#include "rt.h"

#define TD     0xfeb00000u	/* the test device (devices/testdev.h) */
#define RAMW   0x00400000u	/* its RAM twin */
#define SIDE   0x00500000u	/* ordinary RAM for MOVS to/from RAM */
#define WIN    0x100u		/* bytes of the window compared */
#include "mmio_compare.h"

/* GDT selectors */
#define SEL_CODE 0x08
#define SEL_FLAT 0x10
#define SEL_RAMW 0x18
#define SEL_TD   0x20

#define DDESC(b) (0x0000ffffull | ((uint64_t)((b) & 0xffffffu) << 16) | (0x92ull << 40) | \
		  (0xcfull << 48) | ((uint64_t)((b) >> 24) << 56))

static const uint64_t gdt[] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, DDESC(RAMW), DDESC(TD),
};

/* Registers in and out of a stub: eax ecx edx ebx esp(unused) ebp esi edi. */
struct ctx {
	uint32_t r[8];
	uint32_t flags;
};

/* Read by the stubs. */
uint32_t g_ctx, g_ds, g_es, g_fs, g_flat = SEL_FLAT, g_ss_w;

#define STUB(name, insn) \
	".globl " name "\n" name ":\n" \
	"pushal\n" \
	"movl 36(%esp), %eax\n" \
	"movl %eax, g_ctx\n" \
	"pushl 32(%eax)\n" \
	"movl 4(%eax), %ecx\n" \
	"movl 8(%eax), %edx\n" \
	"movl 12(%eax), %ebx\n" \
	"movl 20(%eax), %ebp\n" \
	"movl 24(%eax), %esi\n" \
	"movl 28(%eax), %edi\n" \
	"movw g_es, %es\n" \
	"movw g_fs, %fs\n" \
	"movw g_ds, %ds\n" \
	"movl %ss:(%eax), %eax\n" \
	"popfl\n" \
	insn "\n" \
	"pushfl\n" \
	"cld\n" \
	"pushl %eax\n" \
	"movw %ss:g_flat, %ds\n" \
	"movw g_flat, %es\n" \
	"movw g_flat, %fs\n" \
	"movl g_ctx, %eax\n" \
	"popl (%eax)\n" \
	"movl %ecx, 4(%eax)\n" \
	"movl %edx, 8(%eax)\n" \
	"movl %ebx, 12(%eax)\n" \
	"movl %ebp, 20(%eax)\n" \
	"movl %esi, 24(%eax)\n" \
	"movl %edi, 28(%eax)\n" \
	"popl 32(%eax)\n" \
	"popal\n" \
	"ret\n"

/* SS-relative cases load SS with the window segment around the instruction
 * (no stack use in between); CS is flat, so %cs: reaches our variables. */
#define SS_W(insn) "movw %cs:g_ss_w, %ss\n" insn "\nmovw %cs:g_flat, %ss"

/* Segment configurations: the window segment in DS, ES and FS unless... */
#define S_W    0
#define DS_F   1	/* DS flat */
#define ES_F   2	/* ES flat */

/* Flags compared */
#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define DF 0x400u
#define ARITH (CF | PF | AF | ZF | SF | OF)
#define ALL   (ARITH | DF)
#define LOGIC (ALL & ~AF)	/* AF undefined */
#define BITS  (CF | DF)		/* BT*: OF SF AF PF undefined, ZF kept by some */

/* Expected device status: count, offset, size, 1 = write / 0 = read; -1
 * skips a field. */
#define ST(c, o, s, w) c, o, s, w
#define RD(o, s) ST(1, o, s, 0)
#define WR(o, s) ST(1, o, s, 1)
#define RMW(o, s) ST(2, o, s, 1)

#define R(a, c, d, b, bp, si, di) { a, c, d, b, 0, bp, si, di }

/*
 * The cases: X(id, "instruction", segments, R(registers), flags in,
 * flags compared, ST(expected status)).
 */
#define CASES(X) \
	/* MOV r/m <-> reg, 8/16/32, AH..BH, imm, moffs */ \
	X(mov8_store, "movb %cl, 0x11(%ebx)", S_W, R(0, 0x5a, 0, 4, 0, 0, 0), 0, ALL, WR(0x15, 1)) \
	X(mov8_load, "movb 0x23(%esi), %dl", S_W, R(0, 0, 0x11223344, 0, 0, 1, 0), 0, ALL, RD(0x24, 1)) \
	X(mov8_ah_store, "movb %ah, 0x30", S_W, R(0xa1b2c3d4, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x30, 1)) \
	X(mov8_bh_load, "movb 0x31(%ecx,%edx,2), %bh", S_W, R(0, 2, 3, 0x55667788, 0, 0, 0), 0, ALL, RD(0x39, 1)) \
	X(mov8_ch_dh, "movb %dh, 0x3a(%ecx)\n movb 0x3b(%ecx), %ch", S_W, R(0, 0x10, 0xbeef, 0, 0, 0, 0), 0, ALL, ST(2, 0x4b, 1, 0)) \
	X(mov16_store, "movw %si, 0x40(%edi)", S_W, R(0, 0, 0, 0, 0, 0xfedc, 2), 0, ALL, WR(0x42, 2)) \
	X(mov16_load, "movw 0x44(,%ecx,4), %bp", S_W, R(0, 1, 0, 0, 0x12345678, 0, 0), 0, ALL, RD(0x48, 2)) \
	X(mov32_store, "movl %edx, 0x50(%ebx,%esi,8)", S_W, R(0, 0, 0xcafef00d, 1, 0, 1, 0), 0, ALL, WR(0x59, 4)) \
	X(mov32_load, "movl 0x60(%eax), %eax", S_W, R(3, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x63, 4)) \
	X(mov32_load_ebp_ds, "movl %ds:0x10(%ebp), %ecx", S_W, R(0, 0, 0, 0, 0x54, 0, 0), 0, ALL, RD(0x64, 4)) \
	X(mov_imm8, "movb $0xa5, 0x70(%ebx)", S_W, R(0, 0, 0, 1, 0, 0, 0), 0, ALL, WR(0x71, 1)) \
	X(mov_imm16, "movw $0x1234, 0x72(%ebx)", S_W, R(0, 0, 0, 1, 0, 0, 0), 0, ALL, WR(0x73, 2)) \
	X(mov_imm32, "movl $0x89abcdef, 0x74(%ebx)", S_W, R(0, 0, 0, 1, 0, 0, 0), 0, ALL, WR(0x75, 4)) \
	X(moffs_a0, "movb 0x80, %al", S_W, R(0xffffffff, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x80, 1)) \
	X(moffs_a1_16, "movw 0x82, %ax", S_W, R(0xffffffff, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x82, 2)) \
	X(moffs_a1, "movl 0x85, %eax", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x85, 4)) \
	X(moffs_a2, "movb %al, 0x88", S_W, R(0x77, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x88, 1)) \
	X(moffs_a3_16, "movw %ax, 0x8a", S_W, R(0x9876, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x8a, 2)) \
	X(moffs_a3, "movl %eax, 0x8c", S_W, R(0x01020304, 0, 0, 0, 0, 0, 0), 0, ALL, WR(0x8c, 4)) \
	/* MOVZX / MOVSX */ \
	X(movzx_b, "movzbl 0x90(%ebx), %ecx", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), 0, ALL, RD(0x90, 1)) \
	X(movzx_w, "movzwl 0x92(%ebx), %ecx", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), 0, ALL, RD(0x92, 2)) \
	X(movsx_b, "movsbl 0x97(%ebx), %ecx", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x97, 1)) \
	X(movsx_w, "movswl 0x96(%ebx), %edx", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x96, 2)) \
	X(movzx_b16, "movzbw 0x95(%ebx), %cx", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), 0, ALL, RD(0x95, 1)) \
	X(movsx_b16, "movsbw 0x9d(%ebx), %dx", S_W, R(0, 0, 0x12345678, 0, 0, 0, 0), 0, ALL, RD(0x9d, 1)) \
	X(movzx_b_ah, "movzbl 0x9e(%ebx), %esi\n movb 0x9e(%ebx), %ah", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, ST(2, 0x9e, 1, 0)) \
	/* ALU, r/m destination (read, then write) */ \
	X(add_mr, "addl %ecx, 0xa0(%ebx)", S_W, R(0, 0x7fffffff, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa0, 4)) \
	X(or_mr, "orl %ecx, 0xa0(%ebx)", S_W, R(0, 0x80000001, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xa0, 4)) \
	X(adc_mr_cf1, "adcl %ecx, 0xa1(%ebx)", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), CF, ALL, RMW(0xa1, 4)) \
	X(adc_mr_cf0, "adcl %ecx, 0xa1(%ebx)", S_W, R(0, 0x12345678, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa1, 4)) \
	X(sbb_mr_cf1, "sbbl %ecx, 0xa2(%ebx)", S_W, R(0, 0x7f000000, 0, 0, 0, 0, 0), CF, ALL, RMW(0xa2, 4)) \
	X(and_mr, "andl %ecx, 0xa4(%ebx)", S_W, R(0, 0xf0f0f0f0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xa4, 4)) \
	X(sub_mr, "subl %ecx, 0xa4(%ebx)", S_W, R(0, 0x80000000, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa4, 4)) \
	X(xor_mr, "xorl %ecx, 0xa4(%ebx)", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xa4, 4)) \
	X(cmp_mr, "cmpl %ecx, 0xa4(%ebx)", S_W, R(0, 0x12345678, 0, 0, 0, 0, 0), 0, ALL, RD(0xa4, 4)) \
	X(add_mr8, "addb %cl, 0xa5(%ebx)", S_W, R(0, 0x80, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa5, 1)) \
	X(sub_mr8_ah, "subb %ah, 0xa6(%ebx)", S_W, R(0x7f00, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa6, 1)) \
	X(add_mr16, "addw %cx, 0xa6(%ebx)", S_W, R(0, 0x8000, 0, 0, 0, 0, 0), 0, ALL, RMW(0xa6, 2)) \
	X(sbb_mr16, "sbbw %cx, 0xa8(%ebx)", S_W, R(0, 0xffff, 0, 0, 0, 0, 0), CF, ALL, RMW(0xa8, 2)) \
	/* ALU, register destination (read only) */ \
	X(add_rm, "addl 0xa8(%ebx), %ecx", S_W, R(0, 0x80000000, 0, 0, 0, 0, 0), 0, ALL, RD(0xa8, 4)) \
	X(or_rm, "orl 0xa8(%ebx), %ecx", S_W, R(0, 0x1, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xa8, 4)) \
	X(adc_rm, "adcl 0xa9(%ebx), %ecx", S_W, R(0, 0xffffffff, 0, 0, 0, 0, 0), CF, ALL, RD(0xa9, 4)) \
	X(sbb_rm, "sbbl 0xa9(%ebx), %ecx", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RD(0xa9, 4)) \
	X(and_rm, "andl 0xaa(%ebx), %ecx", S_W, R(0, 0x0ff00ff0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xaa, 4)) \
	X(sub_rm, "subl 0xab(%ebx), %ecx", S_W, R(0, 5, 0, 0, 0, 0, 0), 0, ALL, RD(0xab, 4)) \
	X(xor_rm, "xorl 0xac(%ebx), %ecx", S_W, R(0, 0xa5a5a5a5, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xac, 4)) \
	X(cmp_rm, "cmpl 0xac(%ebx), %ecx", S_W, R(0, 0x7fffffff, 0, 0, 0, 0, 0), 0, ALL, RD(0xac, 4)) \
	X(cmp_rm8_bh, "cmpb 0xad(%ecx), %bh", S_W, R(0, 0, 0, 0x8000, 0, 0, 0), 0, ALL, RD(0xad, 1)) \
	X(sub_rm16, "subw 0xae(%ebx), %dx", S_W, R(0, 0, 0x1234, 0, 0, 0, 0), 0, ALL, RD(0xae, 2)) \
	/* 80 / 81 / 83 immediate groups */ \
	X(grp80_add, "addb $0x7f, 0xb0(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xb0, 1)) \
	X(grp80_cmp, "cmpb $0x80, 0xb1(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0xb1, 1)) \
	X(grp81_and, "andl $0xf0f0f0f0, 0xb2(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xb2, 4)) \
	X(grp81_adc, "adcl $0x7fffffff, 0xb3(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xb3, 4)) \
	X(grp81_or16, "orw $0x8001, 0xb4(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xb4, 2)) \
	X(grp83_sub, "subl $-3, 0xb5(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xb5, 4)) \
	X(grp83_sbb, "sbbl $1, 0xb6(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xb6, 4)) \
	X(grp83_xor, "xorl $-1, 0xb7(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RMW(0xb7, 4)) \
	X(grp83_cmp16, "cmpw $-1, 0xb8(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0xb8, 2)) \
	X(grp83_add16, "addw $0x40, 0xb9(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xb9, 2)) \
	/* TEST */ \
	X(test_84, "testb %cl, 0xba(%ebx)", S_W, R(0, 0x81, 0, 0, 0, 0, 0), CF | OF, LOGIC, RD(0xba, 1)) \
	X(test_85, "testl %ecx, 0xba(%ebx)", S_W, R(0, 0x80000000, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xba, 4)) \
	X(test_85_16, "testw %cx, 0xbb(%ebx)", S_W, R(0, 0x0001, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xbb, 2)) \
	X(test_f6, "testb $0x80, 0xbc(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xbc, 1)) \
	X(test_f7, "testl $0x00ff00ff, 0xbd(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xbd, 4)) \
	X(test_f7_16, "testw $0x0000, 0xbe(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, LOGIC, RD(0xbe, 2)) \
	/* NOT / NEG / INC / DEC */ \
	X(not8, "notb 0xc0(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), ARITH, ALL, RMW(0xc0, 1)) \
	X(not32, "notl 0xc1(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xc1, 4)) \
	X(neg32, "negl 0xc2(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xc2, 4)) \
	X(neg16, "negw 0xc4(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xc4, 2)) \
	X(neg8_zero, "movb $0, 0xc5(%ebx)\n negb 0xc5(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, ST(3, 0xc5, 1, 1)) \
	X(inc8, "incb 0xc6(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xc6, 1)) \
	X(inc32_cf, "incl 0xc7(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xc7, 4)) \
	X(dec16, "decw 0xc8(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RMW(0xc8, 2)) \
	X(dec32, "decl 0xc9(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, ALL, RMW(0xc9, 4)) \
	X(inc32_of, "movl $0x7fffffff, 0xca(%ebx)\n incl 0xca(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0xca, 4, 1)) \
	/* XCHG, CMPXCHG, XADD */ \
	X(xchg32, "xchgl %ecx, 0xd0(%ebx)", S_W, R(0, 0x11112222, 0, 0, 0, 0, 0), 0, ALL, RMW(0xd0, 4)) \
	X(xchg8, "xchgb %dl, 0xd1(%ebx)", S_W, R(0, 0, 0x33, 0, 0, 0, 0), 0, ALL, RMW(0xd1, 1)) \
	X(xchg16_rev, "xchgw 0xd2(%ebx), %si", S_W, R(0, 0, 0, 0, 0, 0xabcd, 0), 0, ALL, RMW(0xd2, 2)) \
	X(cmpxchg_eq, "movl 0xd4(%ebx), %eax\n cmpxchgl %ecx, 0xd4(%ebx)", S_W, R(0, 0x5555aaaa, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0xd4, 4, 1)) \
	X(cmpxchg_ne, "cmpxchgl %ecx, 0xd4(%ebx)", S_W, R(0x12345678, 0x5555aaaa, 0, 0, 0, 0, 0), 0, ALL, RD(0xd4, 4)) \
	X(cmpxchg8_eq, "movb 0xd5(%ebx), %al\n cmpxchgb %cl, 0xd5(%ebx)", S_W, R(0, 0x42, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0xd5, 1, 1)) \
	X(cmpxchg16_ne, "cmpxchgw %cx, 0xd6(%ebx)", S_W, R(0xffff0000, 0x42, 0, 0, 0, 0, 0), 0, ALL, RD(0xd6, 2)) \
	X(xadd32, "xaddl %ecx, 0xd8(%ebx)", S_W, R(0, 0x80000000, 0, 0, 0, 0, 0), 0, ALL, RMW(0xd8, 4)) \
	X(xadd8, "xaddb %ch, 0xd9(%ebx)", S_W, R(0, 0x7f00, 0, 0, 0, 0, 0), 0, ALL, RMW(0xd9, 1)) \
	X(xadd16, "xaddw %dx, 0xda(%ebx)", S_W, R(0, 0, 0xffff, 0, 0, 0, 0), 0, ALL, RMW(0xda, 2)) \
	X(lock_add, "lock addl %ecx, 0xdc(%ebx)", S_W, R(0, 3, 0, 0, 0, 0, 0), 0, ALL, RMW(0xdc, 4)) \
	X(lock_xadd, "lock xaddl %ecx, 0xdc(%ebx)", S_W, R(0, 3, 0, 0, 0, 0, 0), 0, ALL, RMW(0xdc, 4)) \
	X(lock_cmpxchg, "movl 0xdc(%ebx), %eax\n lock cmpxchgl %ecx, 0xdc(%ebx)", S_W, R(0, 3, 0, 0, 0, 0, 0), 0, ALL, ST(3, 0xdc, 4, 1)) \
	/* BT / BTS / BTR / BTC, register and imm8 offsets */ \
	X(bt_reg, "btl %ecx, 0xe0(%ebx)", S_W, R(0, 5, 0, 0, 0, 0, 0), 0, BITS, RD(0xe0, 4)) \
	X(bt_reg_far, "btl %ecx, 0xe0(%ebx)", S_W, R(0, 37, 0, 0, 0, 0, 0), 0, BITS, RD(0xe4, 4)) \
	X(bt_reg_neg, "btl %ecx, 0xe0(%ebx)", S_W, R(0, 0xffffffe1, 0, 0, 0, 0, 0), 0, BITS, RD(0xdc, 4)) \
	X(bts_reg, "btsl %ecx, 0xe0(%ebx)", S_W, R(0, 66, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe8, 4)) \
	X(btr_reg16, "btrw %cx, 0xe0(%ebx)", S_W, R(0, 0x13, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe2, 2)) \
	X(btc_reg, "btcl %ecx, 0xe1(%ebx)", S_W, R(0, 31, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe1, 4)) \
	X(bt_imm, "btl $3, 0xe0(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RD(0xe0, 4)) \
	X(bts_imm, "btsl $34, 0xe0(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe0, 4)) \
	X(btr_imm, "btrl $7, 0xe2(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), CF, BITS, RMW(0xe2, 4)) \
	X(btc_imm16, "btcw $15, 0xe3(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe3, 2)) \
	X(lock_bts, "lock btsl $0, 0xe4(%ebx)", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, BITS, RMW(0xe4, 4)) \
	/* string instructions */ \
	X(movsb, "movsb", S_W, R(0, 0, 0, 0, 0, 0x20, 0x60), 0, ALL, ST(2, 0x60, 1, 1)) \
	X(movsl, "movsl", S_W, R(0, 0, 0, 0, 0, 0x21, 0x61), 0, ALL, ST(2, 0x61, 4, 1)) \
	X(movsw_df, "movsw", S_W, R(0, 0, 0, 0, 0, 0x22, 0x62), DF, ALL, ST(2, 0x62, 2, 1)) \
	X(rep_movsb, "rep movsb", S_W, R(0, 16, 0, 0, 0, 0x20, 0x60), 0, ALL, ST(32, 0x6f, 1, 1)) \
	X(rep_movsl, "rep movsl", S_W, R(0, 5, 0, 0, 0, 0x20, 0x62), 0, ALL, ST(10, 0x72, 4, 1)) \
	X(rep_movsb_df, "rep movsb", S_W, R(0, 16, 0, 0, 0, 0x2f, 0x7f), DF, ALL, ST(32, 0x70, 1, 1)) \
	X(rep_movsw_overlap, "rep movsw", S_W, R(0, 8, 0, 0, 0, 0x20, 0x24), 0, ALL, ST(16, 0x32, 2, 1)) \
	X(repne_movsb, "repne movsb", S_W, R(0, 3, 0, 0, 0, 0x20, 0x60), 0, ALL, ST(6, 0x62, 1, 1)) \
	X(rep_movsl_ram_to_mmio, "rep movsl", DS_F, R(0, 6, 0, 0, 0, SIDE + 0x10, 0x40), 0, ALL, ST(6, 0x54, 4, 1)) \
	X(rep_movsb_mmio_to_ram, "rep movsb", ES_F, R(0, 16, 0, 0, 0, 0x40, SIDE + 0x20), 0, ALL, ST(16, 0x4f, 1, 0)) \
	X(rep_movsb_zero, "rep movsb", S_W, R(0, 0, 0, 0, 0, 0x20, 0x60), 0, ALL, ST(0, -1, -1, -1)) \
	X(stosb, "stosb", S_W, R(0x5a, 0, 0, 0, 0, 0, 0x80), 0, ALL, WR(0x80, 1)) \
	X(stosl_df, "stosl", S_W, R(0x01020304, 0, 0, 0, 0, 0, 0x81), DF, ALL, WR(0x81, 4)) \
	X(rep_stosb, "rep stosb", S_W, R(0xee, 16, 0, 0, 0, 0, 0x80), 0, ALL, ST(16, 0x8f, 1, 1)) \
	X(rep_stosl, "rep stosl", S_W, R(0xdeadbeef, 5, 0, 0, 0, 0, 0x83), 0, ALL, ST(5, 0x93, 4, 1)) \
	X(rep_stosw_df, "rep stosw", S_W, R(0xabcd, 7, 0, 0, 0, 0, 0x9e), DF, ALL, ST(7, 0x92, 2, 1)) \
	X(lodsb, "lodsb", S_W, R(0xffffffff, 0, 0, 0, 0, 0xa0, 0), 0, ALL, RD(0xa0, 1)) \
	X(lodsw_df, "lodsw", S_W, R(0xffffffff, 0, 0, 0, 0, 0xa1, 0), DF, ALL, RD(0xa1, 2)) \
	X(lodsl, "lodsl", S_W, R(0, 0, 0, 0, 0, 0xa3, 0), 0, ALL, RD(0xa3, 4)) \
	X(rep_lodsb, "rep lodsb", S_W, R(0, 4, 0, 0, 0, 0xa8, 0), 0, ALL, ST(4, 0xab, 1, 0)) \
	/* 67 prefix: 16-bit addressing in 32-bit code */ \
	X(a16_bx_si, "movl 0x10(%bx,%si), %eax", S_W, R(0, 0, 0, 0xffff0008, 0, 0x12340004, 0), 0, ALL, RD(0x1c, 4)) \
	X(a16_di_disp8, "addb %cl, -0x4(%di)", S_W, R(0, 0x99, 0, 0, 0, 0, 0xabcd0030), 0, ALL, RMW(0x2c, 1)) \
	X(a16_moffs, "addr16 movl 0x34, %eax", S_W, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x34, 4)) \
	X(a16_rep_stosb, "addr16 rep stosb", S_W, R(0x3c, 0xffff0003, 0, 0, 0, 0, 0x77770040), 0, ALL, ST(3, 0x42, 1, 1)) \
	X(a16_movsw_df, "addr16 movsw", S_W, R(0, 0, 0, 0, 0, 0x55550050, 0x44440058), DF, ALL, ST(2, 0x58, 2, 1)) \
	/* segments: flat DS (the address in a register), overrides, SS */ \
	X(flat_ds, "movl B+0x10(%ebx), %eax", DS_F, R(0, 0, 0, 8, 0, 0, 0), 0, ALL, RD(0x18, 4)) \
	X(flat_ds_store, "movw %cx, B+0x12(,%esi,2)", DS_F, R(0, 0x4321, 0, 0, 0, 4, 0), 0, ALL, WR(0x1a, 2)) \
	X(fs_override_load, "movl %fs:0x20(%ebx), %ecx", DS_F, R(0, 0, 0, 4, 0, 0, 0), 0, ALL, RD(0x24, 4)) \
	X(fs_override_rmw, "addl %edx, %fs:0x28", DS_F, R(0, 0, 0x01010101, 0, 0, 0, 0), 0, ALL, RMW(0x28, 4)) \
	X(es_override_store, "movl %ecx, %es:0x2c(%edi)", DS_F, R(0, 0x600df00d, 0, 0, 0, 0, 1), 0, ALL, WR(0x2d, 4)) \
	X(fs_override_moffs, "movl %fs:0x30, %eax", DS_F, R(0, 0, 0, 0, 0, 0, 0), 0, ALL, RD(0x30, 4)) \
	X(fs_override_movsb, "movsb %fs:(%esi), %es:(%edi)", DS_F, R(0, 0, 0, 0, 0, 0x31, 0x51), 0, ALL, ST(2, 0x51, 1, 1)) \
	X(ss_default_ebp, SS_W("movl 0x10(%ebp), %eax"), DS_F, R(0, 0, 0, 0, 0x24, 0, 0), 0, ALL, RD(0x34, 4)) \
	X(ss_default_esp, "xchgl %esp, %ebp\n" SS_W("movl %ecx, 0x38(%esp)") "\nxchgl %esp, %ebp", DS_F, R(0, 0xa5a5a5a5, 0, 0, 4, 0, 0), 0, ALL, WR(0x3c, 4)) \
	X(ss_default_a16_bp_di, SS_W("addw %cx, 0x8(%bp,%di)"), DS_F, R(0, 0x7fff, 0, 0, 0x30, 0, 0x4), 0, ALL, RMW(0x3c, 2)) \

/* ---- the stubs ----------------------------------------------------------- */

#define X_ASM(id, insn, seg, regs, fin, fmask, st) \
	__asm__(".pushsection .text\n.set B, 0x400000\n" STUB("t_" #id "_r", insn) \
		".set B, 0xfeb00000\n" STUB("t_" #id "_m", insn) ".popsection\n"); \
	void t_##id##_r(struct ctx *); \
	void t_##id##_m(struct ctx *);
CASES(X_ASM)

struct tcase {
	const char *name;
	void (*ram)(struct ctx *), (*mmio)(struct ctx *);
	uint8_t seg;
	uint32_t r[8], flags, fmask;
	int cnt, off, size, wr;
};

#define X_TAB(id, insn, seg, regs, fin, fmask, st) \
	{ #id, t_##id##_r, t_##id##_m, seg, regs, fin, fmask, st },
static const struct tcase cases[] = { CASES(X_TAB) };

/* ---- the runner --------------------------------------------------------- */

static void fill(uint32_t base)
{
	fill_window(base);
	uint8_t *s = (uint8_t *)SIDE;
	for (unsigned i = 0; i < WIN; i++)
		s[i] = pat(i + 0x55);
}

static void snap(uint32_t base, uint8_t *win, uint8_t *side)
{
	snap_window(base, win);
	memcpy(side, (void *)SIDE, WIN);
}

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
static void run(const struct tcase *c, bool mmio, struct ctx *out, uint8_t *win, uint8_t *side,
		uint32_t *st)
{
	uint32_t base = mmio ? TD : RAMW;
	uint16_t wsel = mmio ? SEL_TD : SEL_RAMW;
	fill(base);
	*(volatile uint32_t *)(TD + 0x840) = 0;
	g_ds = (c->seg & DS_F) ? SEL_FLAT : wsel;
	g_es = (c->seg & ES_F) ? SEL_FLAT : wsel;
	g_fs = wsel;
	g_ss_w = wsel;
	memcpy(out->r, c->r, sizeof(out->r));
	out->flags = 0x2 | c->flags;
	(mmio ? c->mmio : c->ram)(out);
	for (int i = 0; i < 6; i++)
		st[i] = td_reg(0x800 + 4 * i);
	snap(base, win, side);
}

static void one(const struct tcase *c)
{
	static struct ctx a, b;
	static uint8_t wa[WIN], wb[WIN], sa[WIN], sb[WIN];
	char msg[160];
	int n = 0;

	uint32_t st[6];
	run(c, false, &a, wa, sa, st);
	run(c, true, &b, wb, sb, st);
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
	for (unsigned i = 0; i < WIN && !n; i++)
		if (sa[i] != sb[i])
			n = fmt(msg, "RAM byte 0x%x ram=0x%x mmio=0x%x", SIDE + i, sa[i], sb[i]);
	if (n) {
		printf("mmio32: FAIL %s %s\n", c->name, msg);
		failed++;
	} else {
		printf("mmio32: ok %s\n", c->name);
		passed++;
	}
}

/* ---- the test device on PCI ------------------------------------------------ */

#define TD_PCI   0x80000800u	/* CONFIG_ADDRESS of 00:01.0 */
#define TD_MOVED 0xfeb40000u

static uint32_t cfg_in(unsigned reg)
{
	outl(0xcf8, TD_PCI | reg);
	return inl(0xcfc);
}

static void cfg_out(unsigned reg, uint32_t v)
{
	outl(0xcf8, TD_PCI | reg);
	outl(0xcfc, v);
}

static void pci_check(bool ok, const char *name, uint32_t got)
{
	if (ok) {
		printf("mmio32: ok %s\n", name);
		passed++;
	} else {
		printf("mmio32: FAIL %s (0x%x)\n", name, got);
		failed++;
	}
}

static void pci_bar_move(void)
{
	uint32_t id = cfg_in(0x00), bar = cfg_in(0x10), cmd = cfg_in(0x04) & 0xffff;
	pci_check(id == 0x6b767961u && (cfg_in(0x08) >> 24) == 0xff, "pci-testdev-ids", id);
	pci_check(bar == TD && (cmd & 2), "pci-testdev-bar0", bar);
	mmio_write32(TD + 0x10, 0x5eed1234u);
	cfg_out(0x04, 0);			/* decoding off, then size BAR 0 */
	uint32_t off = mmio_read32(TD + 0x10);
	cfg_out(0x10, 0xffffffffu);
	uint32_t size = cfg_in(0x10);
	pci_check(size == 0xfffff000u, "pci-bar0-sizing", size);
	pci_check(off == 0xffffffffu, "pci-decode-off", off);
	cfg_out(0x10, TD_MOVED);
	cfg_out(0x04, 2);
	uint32_t moved = mmio_read32(TD_MOVED + 0x10), old = mmio_read32(TD + 0x10);
	pci_check(moved == 0x5eed1234u && cfg_in(0x10) == TD_MOVED, "pci-bar0-moved", moved);
	pci_check(old == 0xffffffffu, "pci-nothing-at-old-bar0", old);
	mmio_write32(TD_MOVED + 0x14, 0x0badcafeu);
	cfg_out(0x10, TD);			/* back, decoding on */
	uint32_t back = mmio_read32(TD + 0x14);
	pci_check(back == 0x0badcafeu && mmio_read32(TD_MOVED + 0x14) == 0xffffffffu,
		  "pci-bar0-moved-back", back);
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
	printf("mmio32: %u cases, window 0x%x (RAM twin 0x%x)\n",
	       (unsigned)(sizeof(cases) / sizeof(cases[0])), TD, RAMW);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one(&cases[i]);
	pci_bar_move();
	printf("mmio32: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
