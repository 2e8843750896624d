/*
 * tests/unit/test_ioio_decode.c - unit tests for arch/x86/svm/ioio_decode.c,
 * the decoder of an IOIO exit's EXITINFO1 (AMD APM vol. 2, 15.10.2, figure
 * 15-2). The values are ones QEMU (TCG) produces - it leaves the address
 * size and segment fields zero - and Bochs-style ones with them filled in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "arch/x86/svm/ioio.h"
#include "arch/x86/insn/decode.h"

/* EXITINFO1 fields, from figure 15-2, spelled out independently. */
#define T_IN   (1ull << 0)
#define T_STR  (1ull << 2)
#define T_REP  (1ull << 3)
#define T_SZ8  (1ull << 4)
#define T_SZ16 (1ull << 5)
#define T_SZ32 (1ull << 6)
#define T_A16  (1ull << 7)
#define T_A32  (1ull << 8)
#define T_A64  (1ull << 9)
#define T_SEG(s) ((uint64_t)(s) << 10)
#define T_PORT(p) ((uint64_t)(p) << 16)

enum { ES, CS, SS, DS, FS, GS };

static void expect(uint64_t info1, bool in, bool string, bool rep, unsigned size,
		   unsigned addr_size, unsigned seg, uint16_t port)
{
	struct ioio io = ioio_decode(info1);
	assert_int_equal(io.in, in);
	assert_int_equal(io.string, string);
	assert_int_equal(io.rep, rep);
	assert_int_equal(io.size, size);
	assert_int_equal(io.addr_size, addr_size);
	assert_int_equal(io.seg, seg);
	assert_int_equal(io.port, port);
}

static void test_qemu_values(void **state)
{
	/* out 0x80, al */
	expect(0x00800010, false, false, false, 1, 0, 0, 0x80);
	/* out dx, ax (dx = 0x1234) */
	expect(0x12340020, false, false, false, 2, 0, 0, 0x1234);
	/* in eax, dx */
	expect(0x12340041, true, false, false, 4, 0, 0, 0x1234);
	/* rep outsb to the COM1 data port */
	expect(0x03f8001c, false, true, true, 1, 0, 0, 0x3f8);
	/* in al, 0x60 */
	expect(0x00600011, true, false, false, 1, 0, 0, 0x60);
}

static void test_bochs_values(void **state)
{
	/* rep insw from the IDE data port, 32-bit addressing, ES (INS writes
	 * ES:rDI): 0x01f0012d. */
	expect(T_PORT(0x1f0) | T_A32 | T_SZ16 | T_REP | T_STR | T_IN | T_SEG(ES),
	       true, true, true, 2, 4, ES, 0x1f0);
	assert_int_equal(T_PORT(0x1f0) | T_A32 | T_SZ16 | T_REP | T_STR | T_IN, 0x01f0012d);
	/* outsd with an FS override, 16-bit addressing */
	expect(0x0cf810c4, false, true, false, 4, 2, FS, 0xcf8);
	/* rep outsb, 64-bit addressing, GS override */
	expect(T_PORT(0x3f8) | T_A64 | T_SZ8 | T_REP | T_STR | T_SEG(GS),
	       false, true, true, 1, 8, GS, 0x3f8);
	/* plain in/out report the address size too; DS is the default */
	expect(T_PORT(0x70) | T_A32 | T_SZ8 | T_SEG(DS), false, false, false, 1, 4, DS, 0x70);
	/* every segment value the 3-bit field can carry */
	for (unsigned s = 0; s < 8; s++)
		expect(T_PORT(0x1234) | T_A16 | T_SZ8 | T_SEG(s), false, false, false,
		       1, 2, s, 0x1234);
}

static void test_every_size_and_direction(void **state)
{
	const uint64_t sz_bits[] = { T_SZ8, T_SZ16, T_SZ32 };
	const unsigned sizes[] = { 1, 2, 4 };
	const uint64_t a_bits[] = { 0, T_A16, T_A32, T_A64 };
	const unsigned asizes[] = { 0, 2, 4, 8 };
	const uint16_t ports[] = { 0, 1, 0x80, 0x3f8, 0x8000, 0xfffe, 0xffff };

	for (unsigned s = 0; s < 3; s++)
		for (unsigned a = 0; a < 4; a++)
			for (unsigned d = 0; d < 16; d++)   /* IN, STR, REP, bit 1 */
				for (unsigned p = 0; p < sizeof(ports) / sizeof(ports[0]); p++) {
					bool in = d & 1, str = d & 4, rep = d & 8;
					uint64_t v = sz_bits[s] | a_bits[a] | T_PORT(ports[p]) |
						     (d & 0xd);
					expect(v, in, str, rep, sizes[s], asizes[a], 0, ports[p]);
				}
}

static void test_ignored_bits(void **state)
{
	/* Bit 1 and bits 13-15 are reserved; bits 32-63 are not part of the
	 * format. None of them changes the decoding. */
	expect(0x00800010 | (1ull << 1) | (7ull << 13), false, false, false, 1, 0, 0, 0x80);
	expect(0xffffffff00800010ull, false, false, false, 1, 0, 0, 0x80);
	expect(0x8000000012340041ull, true, false, false, 4, 0, 0, 0x1234);
}

static void test_malformed(void **state)
{
	/* No operand-size bit: size 0, the caller stops the VM. */
	expect(0x00800000, false, false, false, 0, 0, 0, 0x80);
	expect(0x12340001, true, false, false, 0, 0, 0, 0x1234);
	expect(T_PORT(0x3f8) | T_A32 | T_REP | T_STR | T_SEG(DS), false, true, true,
	       0, 4, DS, 0x3f8);
	expect(0, false, false, false, 0, 0, 0, 0);
}

/* INS/OUTS operands: EXITINFO1 where it has them, else the prefixes. */
static void test_string_operands(void **state)
{
	struct insn in = { .addrsize = 4, .seg = FS };
	unsigned asz, seg;
	struct ioio io = ioio_decode(T_PORT(0x3f8) | T_SZ8 | T_STR);	/* QEMU outsb */
	assert_true(ioio_string_needs_insn(&io));
	assert_true(ioio_string_operands(&io, &in, &asz, &seg));
	assert_int_equal(asz, 4);
	assert_int_equal(seg, FS);
	io = ioio_decode(T_PORT(0x3f8) | T_SZ8 | T_STR | T_IN);	/* insb: ES always */
	assert_true(ioio_string_operands(&io, &in, &asz, &seg));
	assert_int_equal(seg, ES);
	io = ioio_decode(T_PORT(0x3f8) | T_A16 | T_SZ8 | T_STR | T_SEG(GS));
	assert_false(ioio_string_needs_insn(&io));
	assert_true(ioio_string_operands(&io, NULL, &asz, &seg));
	assert_int_equal(asz, 2);
	assert_int_equal(seg, GS);
	/* Found while writing tests/fuzz/fuzz_ioio.c: the reserved segment values 6 and 7
	 * used to index the 6 segment registers out of bounds. */
	for (unsigned s = 6; s < 8; s++) {
		io = ioio_decode(T_PORT(0x3f8) | T_A32 | T_SZ8 | T_STR | T_SEG(s));
		assert_false(ioio_string_operands(&io, NULL, &asz, &seg));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_values),
		cmocka_unit_test(test_bochs_values),
		cmocka_unit_test(test_every_size_and_direction),
		cmocka_unit_test(test_ignored_bits),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_string_operands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
