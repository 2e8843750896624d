/*
 * tests/unit/test_civil_time.c - the calendar arithmetic of lib/civil_time.c
 * and the host RTC register decoding of arch/x86/cmos.c (BCD, binary, 12h)
 * that core/run/wallclock.c feeds into it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/civil_time.h"
#include "arch/x86/cmos.h"

static int64_t secs(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	struct civil_time t = { y, mo, d, h, mi, s, 0 };
	return civil_to_seconds(&t);
}

static void expect_civil(int64_t s, int64_t y, unsigned mo, unsigned d,
			 unsigned h, unsigned mi, unsigned se, unsigned wday)
{
	struct civil_time t;
	civil_from_seconds(s, &t);
	assert_int_equal(t.year, y);
	assert_int_equal(t.month, mo);
	assert_int_equal(t.day, d);
	assert_int_equal(t.hour, h);
	assert_int_equal(t.min, mi);
	assert_int_equal(t.sec, se);
	assert_int_equal(t.wday, wday);
}

static void test_known_dates(void **state)
{
	assert_int_equal(secs(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(secs(2000, 3, 1, 0, 0, 0), 951868800);
	assert_int_equal(secs(2026, 11, 21, 12, 34, 56), 1795264496);
	assert_int_equal(secs(2024, 2, 29, 0, 0, 0), 1709164800);
	assert_int_equal(secs(2100, 3, 1, 0, 0, 0), 4107542400);
	assert_int_equal(secs(1969, 12, 31, 23, 59, 59), -1);
	assert_int_equal(secs(1900, 1, 1, 0, 0, 0), -2208988800);

	expect_civil(0, 1970, 1, 1, 0, 0, 0, 4);
	expect_civil(951868800, 2000, 3, 1, 0, 0, 0, 3);
	expect_civil(1795264496, 2026, 11, 21, 12, 34, 56, 6);
	expect_civil(1709164800, 2024, 2, 29, 0, 0, 0, 4);
	expect_civil(-1, 1969, 12, 31, 23, 59, 59, 3);
	expect_civil(-2208988800, 1900, 1, 1, 0, 0, 0, 1);
}

static void test_leap_years(void **state)
{
	/* Feb 28 + 1 day: the 29th in leap years, else March 1 (2100, 1900
	 * are not leap: divisible by 100 but not 400; 2000 is). */
	int64_t y[] = { 2024, 2023, 2000, 2100, 1900, 2400 };
	unsigned want_day[] = { 29, 1, 29, 1, 1, 29 };
	for (unsigned i = 0; i < 6; i++) {
		int64_t yy;
		unsigned m, d;
		civil_from_days(days_from_civil(y[i], 2, 28) + 1, &yy, &m, &d);
		assert_int_equal(yy, y[i]);
		assert_int_equal(d, want_day[i]);
		assert_int_equal(m, want_day[i] == 29 ? 2 : 3);
	}
	assert_int_equal(days_from_civil(2101, 1, 1) - days_from_civil(2100, 1, 1), 365);
	assert_int_equal(days_from_civil(2001, 1, 1) - days_from_civil(2000, 1, 1), 366);
}

static void test_round_trip(void **state)
{
	/* Every day from 1900 to 2200 converts back to itself. */
	for (int64_t days = days_from_civil(1900, 1, 1); days < days_from_civil(2200, 1, 1); days++) {
		int64_t y;
		unsigned m, d;
		civil_from_days(days, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_int_equal(days_from_civil(y, m, d), days);
		assert_int_equal(weekday_from_days(days), (unsigned)(((days + 4) % 7 + 7) % 7));
	}
}

static void test_cmos_decode(void **state)
{
	struct civil_time t;
	/* BCD, 24-hour (status B 0x02, the PC BIOS default). */
	struct cmos_regs bcd = { 0x56, 0x34, 0x12, 0x21, 0x11, 0x26, 0x02 };
	assert_true(cmos_decode(&bcd, &t));
	assert_int_equal(civil_to_seconds(&t), 1795264496);

	/* Binary, 24-hour. */
	struct cmos_regs bin = { 56, 34, 12, 21, 11, 26, 0x06 };
	assert_true(cmos_decode(&bin, &t));
	assert_int_equal(civil_to_seconds(&t), 1795264496);

	/* 12-hour BCD: 12 PM is noon, 12 AM midnight, 1 PM is 13:00. */
	struct cmos_regs h12 = { 0x56, 0x34, 0x92, 0x21, 0x11, 0x26, 0x00 };
	assert_true(cmos_decode(&h12, &t));
	assert_int_equal(t.hour, 12);
	h12.hour = 0x12;
	assert_true(cmos_decode(&h12, &t));
	assert_int_equal(t.hour, 0);
	h12.hour = 0x81;
	assert_true(cmos_decode(&h12, &t));
	assert_int_equal(t.hour, 13);
	/* 12-hour binary: 11 PM. */
	struct cmos_regs b12 = { 0, 0, 0x80 | 11, 1, 1, 0, 0x04 };
	assert_true(cmos_decode(&b12, &t));
	assert_int_equal(t.hour, 23);
	assert_int_equal(t.year, 2000);

	/* Garbage (no RTC: all ones; bad BCD; month 13) is refused. */
	struct cmos_regs ones = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	assert_false(cmos_decode(&ones, &t));
	struct cmos_regs badbcd = { 0x1a, 0x34, 0x12, 0x21, 0x11, 0x26, 0x02 };
	assert_false(cmos_decode(&badbcd, &t));
	struct cmos_regs month13 = { 0, 0, 0, 1, 0x13, 0x26, 0x02 };
	assert_false(cmos_decode(&month13, &t));
	struct cmos_regs hour0_12h = { 0, 0, 0x00, 1, 1, 0x26, 0x00 };
	assert_false(cmos_decode(&hour0_12h, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cmos_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
