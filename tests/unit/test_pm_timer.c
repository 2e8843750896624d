/*
 * tests/unit/test_pm_timer.c - devices/pm_timer.c: the 24-bit count at
 * 3.579545 MHz against time_ns(), its wrap at 2^24, narrow reads, and that
 * writes change nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/unit/fake_platform.h"
#include "devices/device.h"
#include "devices/pm_timer.h"

extern const struct device_model pm_timer_model;

static const struct device_decl decl = { "pm-timer", &pm_timer_model, .pio = { { PM_TIMER_PORT, PM_TIMER_LEN } } };
static struct device dev = { .decl = &decl };

static uint32_t count(void) { return pm_timer_model.pio_read(&dev, PM_TIMER_PORT, 4); }

static void test_counts_at_3579545_hz(void **st)
{
	fake_platform_reset();
	assert_int_equal(count(), 0);
	fake_now_ns = 1000;                        /* 3.58 ticks */
	assert_int_equal(count(), 3);
	fake_now_ns = 1000000;                     /* 1 ms */
	assert_int_equal(count(), 3579);
	fake_now_ns = 1000000000;                  /* 1 s: 3579545 < 2^24 */
	assert_int_equal(count(), 3579545);
	fake_now_ns = 2500000000u;
	assert_int_equal(count(), 8948862);        /* 2.5 s */
	/* Monotonic between wraps. */
	uint32_t prev = count();
	for (int i = 0; i < 1000; i++) {
		fake_now_ns += 997;
		uint32_t c = count();
		assert_true(c >= prev);
		prev = c;
	}
}

static void test_wraps_at_2_24(void **st)
{
	fake_platform_reset();
	/* 2^24 ticks = 4.686968875 s. */
	fake_now_ns = 4686967000ull;
	uint32_t before = count();
	assert_true(before > 0xfffff0u && before <= 0xffffff);
	fake_now_ns = 4686970000ull;
	assert_true(count() < 0x10);
	/* After a day the value is still the count modulo 2^24, never wider. */
	fake_now_ns = 86400ull * 1000000000ull;
	assert_int_equal(count(), (86400ull * 3579545) & 0xffffff);
	/* After a year: no 64-bit overflow in the conversion. */
	fake_now_ns = 365ull * 86400 * 1000000000ull + 123456789;
	assert_int_equal(count(),
			 (365ull * 86400 * 3579545 + 123456789ull * 3579545 / 1000000000) & 0xffffff);
	assert_true(count() <= 0xffffff);
}

static void test_narrow_reads_and_writes(void **st)
{
	fake_platform_reset();
	fake_now_ns = 1000000000;                  /* 3579545 = 0x369e99 */
	assert_int_equal(pm_timer_model.pio_read(&dev, PM_TIMER_PORT, 1), 0x99);
	assert_int_equal(pm_timer_model.pio_read(&dev, PM_TIMER_PORT, 2), 0x9e99);
	assert_int_equal(pm_timer_model.pio_read(&dev, PM_TIMER_PORT + 1, 1), 0x9e);
	assert_int_equal(pm_timer_model.pio_read(&dev, PM_TIMER_PORT + 2, 2), 0x0036);
	assert_int_equal(pm_timer_model.pio_read(&dev, PM_TIMER_PORT + 3, 1), 0x00);
	assert_null(pm_timer_model.pio_write);     /* writes: the bus ignores them */
	assert_int_equal(PM_TIMER_PORT, 0xb008);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_at_3579545_hz),
		cmocka_unit_test(test_wraps_at_2_24),
		cmocka_unit_test(test_narrow_reads_and_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
