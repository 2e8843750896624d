/*
 * tests/unit/test_number.c - lib/number.c: hex digits, numbers in base 10
 * and 16 with a bound, and I/O port names, as yakvm's options, the VM
 * description lines and the gdb stub read them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/number.h"

static void test_hex_digit(void **state)
{
	const char *digits = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		assert_int_equal(hex_digit(digits[i]), i);
		if (i >= 10)
			assert_int_equal(hex_digit((char)(digits[i] - 'a' + 'A')), i);
	}
	for (int c = -128; c < 128; c++)
		if (!strchr("0123456789abcdefABCDEF", c) || c == 0)
			assert_int_equal(hex_digit((char)c), -1);
}

static size_t parse(const char *s, unsigned base, uint64_t max, uint64_t *v)
{
	return parse_uint(s, strlen(s), base, max, v);
}

static void test_parse_uint(void **state)
{
	uint64_t v = 7;
	assert_int_equal(parse("1234", 10, UINT64_MAX, &v), 4);
	assert_int_equal(v, 1234);
	/* Stops at the first character that is no digit of the base. */
	assert_int_equal(parse("12ab", 10, UINT64_MAX, &v), 2);
	assert_int_equal(v, 12);
	assert_int_equal(parse("12aBz", 16, UINT64_MAX, &v), 4);
	assert_int_equal(v, 0x12ab);
	/* Only len characters, even if more digits follow. */
	assert_int_equal(parse_uint("123456", 3, 10, UINT64_MAX, &v), 3);
	assert_int_equal(v, 123);
	/* No digit: 0, *out left alone. */
	v = 7;
	assert_int_equal(parse("", 10, UINT64_MAX, &v), 0);
	assert_int_equal(parse("x1", 16, UINT64_MAX, &v), 0);
	assert_int_equal(v, 7);
	/* The bound: the largest value fits, one more does not. */
	assert_int_equal(parse("18446744073709551615", 10, UINT64_MAX, &v), 20);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(parse("18446744073709551616", 10, UINT64_MAX, &v), 0);
	assert_int_equal(parse("10000000000000000", 16, UINT64_MAX, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse("ffff", 16, 0xffff, &v), 4);
	assert_int_equal(v, 0xffff);
	assert_int_equal(parse("10000", 16, 0xffff, &v), 0);
	/* Leading zeros count as digits, not towards the value. */
	assert_int_equal(parse("00000000000000000000001", 16, 0xffff, &v), 23);
	assert_int_equal(v, 1);
	/* A bound below a digit's value. */
	assert_int_equal(parse("9", 10, 5, &v), 0);
	assert_int_equal(parse("5", 10, 5, &v), 1);
}

static void test_parse_io_port(void **state)
{
	static const struct { const char *s; uint16_t port; } good[] = {
		{ "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 },
		{ "0x1", 1 }, { "0xffff", 0xffff }, { "0X3F8", 0x3f8 }, { "0x00002f8", 0x2f8 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint16_t port = 0;
		assert_true(parse_io_port(good[i].s, strlen(good[i].s), &port));
		assert_int_equal(port, good[i].port);
	}
	static const char *bad[] = {
		"com0", "com5", "COM1", "com", "com12", "0x", "0x0", "0x10000", "0x3f8g",
		"1016", "x3f8", "", "0x-1", " 0x3f8",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint16_t port = 0x1234;
		assert_false(parse_io_port(bad[i], strlen(bad[i]), &port));
		assert_int_equal(port, 0x1234);
	}
	/* Only len characters: "com1" of "com1,nowait". */
	uint16_t port;
	assert_true(parse_io_port("com1,nowait", 4, &port));
	assert_int_equal(port, 0x3f8);
	assert_true(parse_io_port("0x2f8,nowait", 5, &port));
	assert_int_equal(port, 0x2f8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digit),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_parse_io_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
