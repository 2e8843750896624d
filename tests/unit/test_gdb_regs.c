/*
 * tests/unit/test_gdb_regs.c - core/gdb/gdb_regs.c: the i386 and x86-64
 * register layouts gdb expects, and what a register write may change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/gdb/gdb_regs.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"

static struct vmcb vmcb;
static struct vcpu v = { .vmcb = &vmcb };

static void setup_regs(void)
{
	memset(&vmcb, 0, sizeof(vmcb));
	memset(&v.regs, 0, sizeof(v.regs));
	for (unsigned i = 0; i < GPR_COUNT; i++)
		v.regs.r[i] = 0x1111111100000000ull | (i + 1);	/* rax=1, rcx=2 ... */
	vmcb.save.rip = 0x100030;
	vmcb.save.rflags = 0x246;
	vmcb.save.cs.selector = 0x08;
	vmcb.save.ss.selector = 0x10;
	vmcb.save.ds.selector = 0x18;
	vmcb.save.es.selector = 0x20;
	vmcb.save.fs.selector = 0x28;
	vmcb.save.gs.selector = 0x30;
}

static uint32_t word(const uint8_t *b, unsigned i)
{
	uint32_t w;
	memcpy(&w, b + 4 * i, 4);
	return w;
}

static void test_i386_layout(void **state)
{
	uint8_t out[GDB_REGS_MAX_BYTES];
	setup_regs();
	assert_int_equal(gdb_regs_count(false), 16);
	assert_int_equal(gdb_regs_read(&v, false, out), 64);
	/* eax ecx edx ebx esp ebp esi edi: GPR numbers 0..7, low halves */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(word(out, i), i + 1);
	assert_int_equal(word(out, 8), 0x100030);	/* eip */
	assert_int_equal(word(out, 9), 0x246);		/* eflags */
	/* cs ss ds es fs gs */
	static const uint32_t sel[] = { 0x08, 0x10, 0x18, 0x20, 0x28, 0x30 };
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(word(out, 10 + i), sel[i]);
}

static void test_x86_64_layout(void **state)
{
	uint8_t out[GDB_REGS_MAX_BYTES];
	setup_regs();
	assert_int_equal(gdb_regs_count(true), 24);
	assert_int_equal(gdb_regs_read(&v, true, out), 17 * 8 + 7 * 4);
	/* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 */
	static const unsigned gpr[] = { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI,
					GPR_RDI, GPR_RBP, GPR_RSP, 8, 9, 10, 11, 12, 13, 14, 15 };
	for (unsigned i = 0; i < 16; i++) {
		uint64_t x;
		memcpy(&x, out + 8 * i, 8);
		assert_int_equal(x, 0x1111111100000000ull | (gpr[i] + 1));
	}
	uint64_t rip;
	memcpy(&rip, out + 128, 8);
	assert_int_equal(rip, 0x100030);
	assert_int_equal(word(out + 136, 0), 0x246);
	assert_int_equal(word(out + 136, 1), 0x08);	/* cs */
	assert_int_equal(word(out + 136, 6), 0x30);	/* gs */
	assert_int_equal(gdb_reg_size(true, 16), 8);
	assert_int_equal(gdb_reg_size(true, 17), 4);
}

static void test_writes(void **state)
{
	setup_regs();
	uint8_t val[8] = { 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff };
	/* a 32-bit GPR write clears the upper half; RAX and RSP reach the VMCB */
	assert_true(gdb_reg_write(&v, false, 0, val));
	assert_int_equal(v.regs.r[GPR_RAX], 0x12345678);
	assert_int_equal(vmcb.save.rax, 0x12345678);
	assert_true(gdb_reg_write(&v, false, 4, val));
	assert_int_equal(vmcb.save.rsp, 0x12345678);
	/* a 64-bit one keeps all of it */
	assert_true(gdb_reg_write(&v, true, 1, val));	/* rbx */
	assert_int_equal(v.regs.r[GPR_RBX], 0xffffffff12345678ull);
	/* eflags: VM (bit 17) and reserved bits stay, bit 1 is set */
	uint8_t fl[4] = { 0x01, 0x03, 0x02, 0x00 };	/* CF, TF, IF, VM */
	vmcb.save.rflags = 0x2;
	assert_true(gdb_reg_write(&v, false, 9, fl));
	assert_int_equal(vmcb.save.rflags, 0x303);
	/* a selector may only be written with its current value */
	uint8_t cs_same[4] = { 0x08, 0, 0, 0 }, cs_other[4] = { 0x10, 0, 0, 0 };
	assert_true(gdb_reg_write(&v, false, 10, cs_same));
	assert_false(gdb_reg_write(&v, false, 10, cs_other));
	assert_int_equal(vmcb.save.cs.selector, 0x08);
	/* out of range */
	assert_false(gdb_reg_write(&v, false, 16, val));
	assert_false(gdb_reg_write(&v, true, 24, val));
}

static void test_flags_during_step(void **state)
{
	setup_regs();
	/* while gdb steps, TF is yakvm's: gdb's write sets the guest's own */
	v.dbg.step = true;
	v.dbg.guest_tf = false;
	uint8_t fl[4] = { 0x02, 0x01, 0x00, 0x00 };	/* TF */
	assert_true(gdb_reg_write(&v, false, 9, fl));
	assert_true(v.dbg.guest_tf);
	v.dbg.step = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i386_layout),
		cmocka_unit_test(test_x86_64_layout),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_flags_during_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
