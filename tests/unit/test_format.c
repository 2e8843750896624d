/*
 * tests/unit/test_format.c - unit tests for lib/format.c, yakvm's vsnprintf.
 *
 * lib/format.c defines vsnprintf and snprintf, the C library's names, so it
 * is included into this file with its functions renamed yk_vsnprintf and
 * yk_snprintf; glibc's snprintf is then the reference. lib/format.h promises
 * C99 semantics for %d %i %u %x %X %o %c %s %p %% with '-' '0', a width (or
 * '*'), a %s precision (or '.*') and hh h l ll z, so every case below is
 * formatted by both and must agree byte for byte, return value included, in
 * a large buffer and in every truncated size from 0 up.
 *
 * Left out, because C leaves them undefined or glibc differs on purpose:
 *   - %p of NULL: glibc prints "(nil)", format.c "0x0".
 *   - %s of NULL with a precision below 6: glibc prints nothing at all
 *     ("(null)" or nothing), format.c a prefix of "(null)". NULL with no
 *     precision (both "(null)") is tested.
 *   - the '0' flag with %s, %c, %p (undefined in C99 7.19.6.1p6).
 *   - precision on integer conversions, flags '+' ' ' '#', %5% (not in the
 *     supported subset).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define vsnprintf yk_vsnprintf
#define snprintf yk_snprintf
#include "lib/format.c"
#undef vsnprintf
#undef snprintf

#define BUF 512

static const char *volatile null_str;

/* Formats with both, in a large buffer and then in every size from 0 to
 * the full length + 2, and compares. The destination is filled with a
 * guard byte first so writes past `size` are caught. */
static void vcompare(const char *file, int line, const char *fmt, va_list ap)
{
	char want[BUF], got[BUF + 16];
	va_list a1, a2;

	va_copy(a1, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, a1);
	va_end(a1);
	assert_true(wn >= 0 && wn < BUF);

	for (int size = -1; size <= wn + 2; size++) {
		size_t sz = size < 0 ? BUF : (size_t)size;
		memset(got, 0x7f, sizeof(got));
		va_copy(a2, ap);
		int gn = yk_vsnprintf(got, sz, fmt, a2);
		va_end(a2);
		if (gn != wn)
			fail_msg("%s:%d: \"%s\" size %zu: returned %d, glibc %d",
				 file, line, fmt, sz, gn, wn);
		if (sz == 0) {
			if (got[0] != 0x7f)
				fail_msg("%s:%d: \"%s\": size 0 wrote", file, line, fmt);
			continue;
		}
		size_t n = (size_t)wn < sz - 1 ? (size_t)wn : sz - 1;
		if (memcmp(got, want, n) != 0 || got[n] != 0)
			fail_msg("%s:%d: \"%s\" size %zu: got \"%.*s\", glibc \"%.*s\"",
				 file, line, fmt, sz, (int)n, got, (int)n, want);
		for (size_t i = n + 1; i < sizeof(got) && i < sz + 8; i++)
			if (got[i] != 0x7f && i >= sz)
				fail_msg("%s:%d: \"%s\" size %zu: wrote byte %zu",
					 file, line, fmt, sz, i);
	}
}

static void compare(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void compare(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcompare(file, line, fmt, ap);
	va_end(ap);
}

#define C(...) compare(__FILE__, __LINE__, __VA_ARGS__)
/* For '-' with '0' (defined: '0' is ignored, C99 7.19.6.1p6), which gcc's
 * -Wformat still flags. */
#define C_NOWARN(...) do { \
	_Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wformat\"") \
	_Pragma("GCC diagnostic ignored \"-Wformat-zero-length\"") \
	C(__VA_ARGS__); \
	_Pragma("GCC diagnostic pop") \
} while (0)

/* Compares yk_snprintf against an expected literal, for the cases glibc
 * is not used for. */
static void expect_str(const char *want, int want_n, const char *got, int got_n)
{
	assert_string_equal(got, want);
	assert_int_equal(got_n, want_n);
}

static void test_plain(void **state)
{
	C_NOWARN("");
	C("hello, world");
	C("100%%");
	C("%%d");
	C("a%%b%%c");
}

static void test_signed(void **state)
{
	const int vals[] = { 0, 1, -1, 7, -42, 12345, INT_MAX, INT_MIN };
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		int v = vals[i];
		C("%d", v);
		C("%i", v);
		C("[%5d]", v);
		C("[%-5d]", v);
		C("[%05d]", v);
		C_NOWARN("[%-05d]", v);
		C("[%012d]", v);
		C("[%1d]", v);
		C("[%*d]", 8, v);
		C("[%-*d]", 8, v);
		C("[%*d]", -8, v);       /* negative width: left-justified */
		C("[%0*d]", 9, v);
	}
	C("%ld %li", LONG_MIN, LONG_MAX);
	C("%lld %lli", LLONG_MIN, LLONG_MAX);
	C("[%25lld] [%-25lld] [%025lld]", LLONG_MIN, -1ll, -123456789012ll);
	C("%zd", (ssize_t)-5);
	C("%hd %hd %hd %hd", (short)SHRT_MIN, (short)SHRT_MAX, (short)-1, (short)0);
	C("%hhd %hhd %hhd", (signed char)SCHAR_MIN, (signed char)SCHAR_MAX, (signed char)-1);
	/* The argument is an int; h and hh convert it (C99 7.19.6.1p7). */
	C("%hd", 70000);
	C("%hhd", 200);
	C("%hhi", 0x17f);
	C("%hi", -70000);
	C("[%06hd]", -32768);
}

static void test_unsigned(void **state)
{
	const unsigned vals[] = { 0, 1, 9, 10, 0x7f, 0xff, 0x100, 0xdeadbeef, UINT_MAX };
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned v = vals[i];
		C("%u %x %X %o", v, v, v, v);
		C_NOWARN("[%10u] [%-10x] [%010X] [%-010o]", v, v, v, v);
		C("[%1x] [%2X] [%012o]", v, v, v);
	}
	C("%lu %lx %lX %lo", ULONG_MAX, ULONG_MAX, ULONG_MAX, ULONG_MAX);
	C("%llu %llx %llX %llo", (unsigned long long)UINT64_MAX,
	  (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	  (unsigned long long)UINT64_MAX);
	C("[%30llu] [%-30llo] [%030llx]", (unsigned long long)UINT64_MAX,
	  (unsigned long long)UINT64_MAX, 0x123ull);
	C("%zu %zx", SIZE_MAX, (size_t)0x1000);
	C("%lx", 0x8000000000000000ul);
	C("%hu %hx %ho", (unsigned short)USHRT_MAX, (unsigned short)0xbeef, (unsigned short)8);
	C("%hhu %hhx %hhX", (unsigned char)UCHAR_MAX, (unsigned char)0xab, (unsigned char)0xcd);
	/* Conversion of the int argument to unsigned short / char. */
	C("%hu", 70000);
	C("%hx", -1);
	C("%hhu", 256);
	C("%hhx", -1);
	C("%hho", 0x1ff);
	C("%hhX", 0x12345);
	/* A lone negative int through %u and %x. */
	C("%u %x", -1, -2);
}

static void test_char(void **state)
{
	C("%c", 'a');
	C("[%c%c%c]", 'x', 'y', 'z');
	C("[%5c]", 'q');
	C("[%-5c]", 'q');
	C("[%1c]", 'q');
	C("[%*c]", 3, 'q');
	C("[%*c]", -3, 'q');
	C("%c", 0x141);               /* converted to unsigned char: 'A' */
	C("%c", 0xe9);
}

static void test_string(void **state)
{
	C("%s", "abc");
	C("%s", "");
	C("[%5s]", "abc");
	C("[%-5s]", "abc");
	C("[%2s]", "abcdef");
	C("[%.2s]", "abcdef");
	C("[%.0s]", "abcdef");
	C("[%.10s]", "abcdef");
	C("[%8.3s]", "abcdef");
	C("[%-8.3s]", "abcdef");
	C("[%.*s]", 3, "abcdef");
	C("[%.*s]", 0, "abcdef");
	C("[%.*s]", -1, "abcdef");     /* negative precision: as if none */
	C("[%*.*s]", 6, 2, "abcdef");
	C("[%-*.*s]", 6, 2, "abcdef");
	C("[%*s]", -6, "ab");
	/* Not NUL-terminated: a precision must stop the reading. */
	char raw[4] = { 'w', 'x', 'y', 'z' };
	C("[%.4s]", raw);
	C("[%.*s]", 2, raw);
	/* NULL with no precision: "(null)" from both. (Through a volatile,
	 * so gcc does not see the NULL at compile time and warn.) */
	C("%s", null_str);
	C("[%10s]", null_str);
	C("[%-10s]", null_str);
}

static void test_pointer(void **state)
{
	int x;
	C("%p", (void *)&x);
	C("%p", (void *)0x1);
	C("%p", (void *)0xdeadbeef);
	C("%p", (void *)UINTPTR_MAX);
	C("[%20p]", (void *)0x1234);
	C("[%-20p]", (void *)0x1234);
	C("[%3p]", (void *)0x1234);
	/* NULL: format.c prints 0x0 where glibc prints (nil), by design. */
	char buf[32];
	int n = yk_snprintf(buf, sizeof(buf), "%p", (void *)NULL);
	expect_str("0x0", 3, buf, n);
}

static void test_mixed(void **state)
{
	C("vm %s: mem=%luM cpu %u exit 0x%lx at %p: %d%%", "demo", 512ul, 3u,
	  0x7bul, (void *)0xffff800000001000ul, -1);
	C("%s=%d, %s=%x, %c%c", "a", 1, "b", 0xb, 'o', 'k');
	C("[%-8s|%08x|%5d|%-5u]", "name", 0xbeefu, -12, 34u);
	C("%d %ld %lld %zd %hd %hhd", 1, 2l, 3ll, (ssize_t)4, (short)5, (signed char)6);
}

static void test_truncation(void **state)
{
	char buf[16];
	int n;

	/* Size 0: nothing written, not even the NUL; the full length. */
	memset(buf, 'X', sizeof(buf));
	n = yk_snprintf(buf, 0, "hello %d", 12345);
	assert_int_equal(n, 11);
	assert_int_equal(buf[0], 'X');
	n = yk_snprintf(NULL, 0, "%s-%s", "abc", "def");
	assert_int_equal(n, 7);

	/* Size 1: just the NUL. */
	memset(buf, 'X', sizeof(buf));
	n = yk_snprintf(buf, 1, "hello");
	assert_int_equal(n, 5);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 'X');

	/* Small: size-1 characters and the NUL. */
	memset(buf, 'X', sizeof(buf));
	n = yk_snprintf(buf, 4, "%d", -123456);
	assert_int_equal(n, 7);
	assert_string_equal(buf, "-12");
	assert_int_equal(buf[4], 'X');

	/* Exactly fitting, and one short. */
	n = yk_snprintf(buf, 6, "%s", "abcde");
	assert_int_equal(n, 5);
	assert_string_equal(buf, "abcde");
	n = yk_snprintf(buf, 5, "%s", "abcde");
	assert_int_equal(n, 5);
	assert_string_equal(buf, "abcd");

	/* Padding counts too. */
	n = yk_snprintf(buf, 3, "[%-20s]", "x");
	assert_int_equal(n, 22);
	assert_string_equal(buf, "[x");

	/* Through the va_list entry point. */
	n = yk_snprintf(buf, sizeof(buf), "%llu", (unsigned long long)UINT64_MAX);
	assert_int_equal(n, 20);
	assert_string_equal(buf, "184467440737095");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
