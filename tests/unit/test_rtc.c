/*
 * tests/unit/test_rtc.c - devices/rtc.c: the date and time in BCD, binary
 * and 12-hour formats, the clock advancing, SET, the UIP window, periodic,
 * update-ended and alarm interrupts on IRQ 8, register C, the NMI mask bit
 * and the CMOS memory size fields.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/unit/fake_platform.h"
#include "devices/device.h"
#include "devices/bus.h"
#include "devices/rtc.h"
#include "core/vm/vm.h"

extern const struct device_model rtc_model;

static const struct device_decl decl = { "rtc", &rtc_model, .pio = { { 0x70, 2 } }, .irq = 8 };
static struct vm vm;
static _Alignas(16) uint8_t state[4096];
static struct device dev;
static int lock_depth;

uint64_t device_lock(struct device *d)
{
	assert_int_equal(lock_depth, 0);   /* timers run with no lock held */
	lock_depth++;
	return 0;
}

void device_unlock(struct device *d, uint64_t f) { lock_depth--; }

#define S 1000000000ull
#define MS 1000000ull
#define US 1000ull
#define WALL_2026 1795264496ull   /* 2026-11-21 12:34:56 UTC, a Saturday */

static void power_on(uint64_t mem, uint64_t wallclock)
{
	fake_platform_reset();
	fake_wallclock = wallclock;
	memset(&vm, 0, sizeof(vm));
	vm.desc.mem = mem;
	memset(state, 0, sizeof(state));
	assert_true(rtc_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .vm = &vm, .state = state };
	rtc_model.init(&dev);
	rtc_model.reset(&dev);
}

static uint8_t rd(uint8_t reg)
{
	rtc_model.pio_write(&dev, 0x70, 1, reg);
	return (uint8_t)rtc_model.pio_read(&dev, 0x71, 1);
}

static void wr(uint8_t reg, uint8_t v)
{
	rtc_model.pio_write(&dev, 0x70, 1, reg);
	rtc_model.pio_write(&dev, 0x71, 1, v);
}

static void expect_time(uint8_t sec, uint8_t min, uint8_t hour, uint8_t dow,
			uint8_t day, uint8_t mon, uint8_t year, uint8_t century)
{
	assert_int_equal(rd(0x00), sec);
	assert_int_equal(rd(0x02), min);
	assert_int_equal(rd(0x04), hour);
	assert_int_equal(rd(0x06), dow);
	assert_int_equal(rd(0x07), day);
	assert_int_equal(rd(0x08), mon);
	assert_int_equal(rd(0x09), year);
	assert_int_equal(rd(0x32), century);
}

static void test_power_on_registers(void **st)
{
	power_on(16 << 20, WALL_2026);
	assert_int_equal(rd(0x0a), 0x26);
	assert_int_equal(rd(0x0b), 0x02);
	assert_int_equal(rd(0x0c), 0x00);
	assert_int_equal(rd(0x0d), 0x80);
	assert_int_equal(rd(0x0e), 0x00);
	assert_int_equal(rd(0x0f), 0x00);
	/* C and D are read-only. */
	wr(0x0d, 0x00);
	assert_int_equal(rd(0x0d), 0x80);
	wr(0x0c, 0xff);
	assert_int_equal(rd(0x0c), 0x00);
	assert_int_equal(fake_irq_level[8], 0);
	assert_int_equal(fake_irq_count, 0);
}

static void test_time_bcd_binary_12h(void **st)
{
	power_on(16 << 20, WALL_2026);
	expect_time(0x56, 0x34, 0x12, 7, 0x21, 0x11, 0x26, 0x20);
	wr(0x0b, 0x06);                 /* binary, 24-hour */
	expect_time(56, 34, 12, 7, 21, 11, 26, 20);
	wr(0x0b, 0x00);                 /* BCD, 12-hour: 12 PM */
	assert_int_equal(rd(0x04), 0x92);
	wr(0x0b, 0x04);                 /* binary, 12-hour */
	assert_int_equal(rd(0x04), 0x80 | 12);

	/* 00:05 is 12 AM; 13:00 is 1 PM; 23:00 binary 12h is 11 PM. */
	power_on(16 << 20, WALL_2026 - (12 * 3600 + 29 * 60 + 56));
	wr(0x0b, 0x00);
	assert_int_equal(rd(0x04), 0x12);
	assert_int_equal(rd(0x02), 0x05);
	power_on(16 << 20, WALL_2026 + 26 * 60 + 4);
	wr(0x0b, 0x00);
	assert_int_equal(rd(0x04), 0x81);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x04), 0x13);
	power_on(16 << 20, WALL_2026 + 10 * 3600 + 26 * 60 + 4);
	wr(0x0b, 0x04);
	assert_int_equal(rd(0x04), 0x80 | 11);

	/* 1970-01-01 (no host clock): a Thursday, century 19. */
	power_on(16 << 20, 0);
	expect_time(0x00, 0x00, 0x00, 5, 0x01, 0x01, 0x70, 0x19);
}

static void test_elapsed_time(void **st)
{
	power_on(16 << 20, WALL_2026);
	fake_advance_to(S - 1);
	assert_int_equal(rd(0x00), 0x56);
	fake_advance_to(S);
	assert_int_equal(rd(0x00), 0x57);
	fake_advance_to(4 * S + 500 * MS);
	assert_int_equal(rd(0x00), 0x00);
	assert_int_equal(rd(0x02), 0x35);
	/* A day later: Sunday the 22nd. */
	fake_advance_to(86400 * S + 4 * S);
	expect_time(0x00, 0x35, 0x12, 1, 0x22, 0x11, 0x26, 0x20);

	/* Leap day, and the century rolls over. */
	power_on(16 << 20, 1709164800ull - 1);   /* 2024-02-28 23:59:59 */
	fake_advance_to(S);
	expect_time(0x00, 0x00, 0x00, 5, 0x29, 0x02, 0x24, 0x20);
	power_on(16 << 20, 4102444800ull - 1);   /* 2099-12-31 23:59:59 */
	fake_advance_to(S);
	expect_time(0x00, 0x00, 0x00, 6, 0x01, 0x01, 0x00, 0x21);
}

static void test_uip_window(void **st)
{
	power_on(16 << 20, WALL_2026);
	fake_advance_to(S - 300 * US);
	assert_int_equal(rd(0x0a), 0x26);
	fake_advance_to(S - 200 * US);
	assert_int_equal(rd(0x0a), 0xa6);
	assert_int_equal(rd(0x00), 0x56);        /* still the old second */
	fake_advance_to(S);
	assert_int_equal(rd(0x0a), 0x26);
	assert_int_equal(rd(0x00), 0x57);
	/* UIP is read-only, and never set while SET stops updates. */
	wr(0x0a, 0xa6);
	assert_int_equal(rd(0x0a), 0x26);
	wr(0x0b, 0x82);
	fake_advance_to(2 * S - 100 * US);
	assert_int_equal(rd(0x0a), 0x26);
}

/* Counts IRQ 8 interrupts over [now, now + span], reading C after each one
 * as a guest's handler does; checks C's flags each time. */
static unsigned count_irqs(uint64_t span, uint64_t step, uint8_t want_c)
{
	unsigned n = 0;
	uint64_t end = fake_now_ns + span;
	while (fake_now_ns < end) {
		fake_advance(step);
		if (fake_irq_level[8]) {
			n++;
			assert_int_equal(rd(0x0c) & want_c, want_c);
			assert_int_equal(fake_irq_level[8], 0);
		}
	}
	return n;
}

static void test_periodic_rates(void **st)
{
	static const struct { uint8_t rate; unsigned hz; } cases[] = {
		{ 15, 2 }, { 6, 1024 }, { 3, 8192 }, { 1, 256 }, { 2, 128 }, { 10, 64 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		power_on(16 << 20, WALL_2026);
		wr(0x0a, (uint8_t)(0x20 | cases[i].rate));
		wr(0x0b, 0x42);                          /* PIE */
		unsigned n = count_irqs(S, 20 * US, 0xc0);
		if (n != cases[i].hz)
			fail_msg("rate %u: %u interrupts in 1 s, want %u", cases[i].rate, n, cases[i].hz);
	}
	/* Rate 0: none. */
	power_on(16 << 20, WALL_2026);
	wr(0x0a, 0x20);
	wr(0x0b, 0x42);
	assert_int_equal(count_irqs(S, MS, 0), 0);
}

static void test_periodic_unacknowledged(void **st)
{
	/* A guest that never reads C gets one interrupt, and no timer keeps
	 * running for it (only the once-a-second update timer). */
	power_on(16 << 20, WALL_2026);
	wr(0x0a, 0x23);                                  /* 8192 Hz */
	wr(0x0b, 0x42);
	fake_advance(S);
	assert_int_equal(fake_irq_count, 1);
	assert_int_equal(fake_irq_level[8], 1);
	assert_int_equal(fake_armed_timers(), 1);
	assert_int_equal(rd(0x0c), 0xd0);                /* IRQF, PF, UF */
	assert_int_equal(fake_irq_level[8], 0);
	assert_int_equal(fake_armed_timers(), 2);
	/* Disabling PIE stops the timer. */
	wr(0x0b, 0x02);
	assert_int_equal(fake_armed_timers(), 1);
}

static void test_pf_polled(void **st)
{
	/* PF is set without PIE (polling); no interrupt. */
	power_on(16 << 20, WALL_2026);
	fake_advance(500 * US);
	assert_int_equal(rd(0x0c), 0x00);
	fake_advance(600 * US);                          /* 1024 Hz tick passed */
	assert_int_equal(rd(0x0c), 0x40);
	assert_int_equal(rd(0x0c), 0x00);
	assert_int_equal(fake_irq_count, 0);
	/* A tick of the old rate before a rate change still counts. */
	wr(0x0a, 0x2f);                                  /* 2 Hz */
	rd(0x0c);
	fake_advance_to(400 * MS);
	assert_int_equal(rd(0x0c), 0x00);
	fake_advance_to(600 * MS);                       /* the tick at 0.5 s passed */
	wr(0x0a, 0x20);                                  /* off */
	assert_int_equal(rd(0x0c), 0x40);
	fake_advance_to(3 * S);
	assert_int_equal(rd(0x0c), 0x10);                /* rate 0: only UF */
	wr(0x0a, 0x26);
	/* A pending PF raises IRQF as soon as PIE is set. */
	fake_advance(2 * MS);
	wr(0x0b, 0x42);
	assert_int_equal(fake_irq_level[8], 1);
	assert_int_equal(rd(0x0c), 0xc0);
	assert_int_equal(fake_irq_level[8], 0);
}

static void test_update_interrupt(void **st)
{
	power_on(16 << 20, WALL_2026);
	fake_advance(100 * MS);
	wr(0x0b, 0x12);                                  /* UIE */
	assert_int_equal(fake_irq_level[8], 0);
	unsigned n = count_irqs(3 * S, 10 * MS, 0x90);
	assert_int_equal(n, 3);
	/* The interrupts came at the second boundaries. */
	unsigned rises = 0;
	for (unsigned i = 0; i < fake_irq_count; i++)
		if (fake_irq_events[i].level == 1) {
			rises++;
			assert_int_equal(fake_irq_events[i].irq, 8);
			assert_int_equal(fake_irq_events[i].at_ns, rises * S);
		}
	assert_int_equal(rises, 3);
}

static void test_c_read_clears_irqf(void **st)
{
	power_on(16 << 20, WALL_2026);
	wr(0x0a, 0x20);                               /* no periodic flag */
	wr(0x0b, 0x12);
	fake_advance_to(S);
	assert_int_equal(fake_irq_level[8], 1);
	/* The line stays up until C is read; reading other registers does nothing. */
	fake_advance_to(S + 500 * MS);
	rd(0x00);
	rd(0x0a);
	assert_int_equal(fake_irq_level[8], 1);
	assert_int_equal(rd(0x0c), 0x90);
	assert_int_equal(fake_irq_level[8], 0);
	assert_int_equal(rd(0x0c), 0x00);
	/* Clearing UIE with UF pending also drops IRQF. */
	fake_advance_to(2 * S);
	assert_int_equal(fake_irq_level[8], 1);
	wr(0x0b, 0x02);
	assert_int_equal(fake_irq_level[8], 0);
	assert_int_equal(rd(0x0c), 0x10);
}

static void test_alarm(void **st)
{
	power_on(16 << 20, WALL_2026);               /* 12:34:56 */
	wr(0x01, 0x58);
	wr(0x03, 0x34);
	wr(0x05, 0xff);                               /* any hour */
	wr(0x0b, 0x22);                               /* AIE */
	fake_advance_to(S);
	assert_int_equal(fake_irq_level[8], 0);
	fake_advance_to(2 * S);
	assert_int_equal(fake_irq_level[8], 1);
	assert_int_equal(rd(0x0c) & 0xa0, 0xa0);
	/* Minute 34 no longer matches after 12:34:59: nothing for 10 minutes. */
	fake_advance_to(600 * S);
	assert_int_equal(fake_irq_level[8], 0);
	/* Every minute at :58 with minute and hour "don't care" too. */
	power_on(16 << 20, WALL_2026);
	wr(0x01, 0x58);
	wr(0x03, 0xc0);
	wr(0x05, 0xc0);
	wr(0x0b, 0x22);
	assert_int_equal(count_irqs(180 * S, 100 * MS, 0xa0), 3);
	/* In 12-hour binary mode the hour is compared with its PM bit. */
	power_on(16 << 20, WALL_2026);
	wr(0x0b, 0x24);                               /* binary, 12-hour, AIE */
	wr(0x01, 58);
	wr(0x03, 34);
	wr(0x05, 0x80 | 12);
	fake_advance_to(2 * S);
	assert_int_equal(fake_irq_level[8], 1);
}

static void test_set_time(void **st)
{
	power_on(16 << 20, WALL_2026);
	wr(0x0a, 0x20);                               /* no periodic flag */
	wr(0x0b, 0x12);                               /* UIE on... */
	fake_advance_to(300 * MS);
	wr(0x0b, 0x82 | 0x10);                        /* ...and SET clears it */
	assert_int_equal(rd(0x0b), 0x82);
	expect_time(0x56, 0x34, 0x12, 7, 0x21, 0x11, 0x26, 0x20);   /* frozen */
	wr(0x00, 0x59);
	wr(0x02, 0x59);
	wr(0x04, 0x23);
	wr(0x07, 0x31);
	wr(0x08, 0x12);
	wr(0x09, 0x99);
	wr(0x32, 0x19);
	fake_advance_to(5 * S);
	assert_int_equal(rd(0x00), 0x59);             /* no updates while SET */
	assert_int_equal(rd(0x0c), 0x00);
	wr(0x0b, 0x02);
	expect_time(0x59, 0x59, 0x23, 6, 0x31, 0x12, 0x99, 0x19);
	fake_advance_to(6 * S - 1);
	assert_int_equal(rd(0x00), 0x59);
	fake_advance_to(6 * S);                       /* one second after SET cleared */
	expect_time(0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00, 0x20);
	/* The guest's time survives a VM reset. */
	rtc_model.reset(&dev);
	assert_int_equal(rd(0x09), 0x00);
	assert_int_equal(rd(0x32), 0x20);
}

static void test_set_time_12h(void **st)
{
	/* Set in 12-hour BCD: 12 AM is midnight, 12 PM noon. */
	power_on(16 << 20, WALL_2026);
	wr(0x0b, 0x80);
	wr(0x04, 0x12);
	wr(0x0b, 0x00);
	assert_int_equal(rd(0x04), 0x12);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x04), 0x00);
	wr(0x0b, 0x80);
	wr(0x04, 0x92);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x04), 0x12);
	wr(0x0b, 0x80);
	wr(0x04, 0x83);                               /* 3 PM */
	wr(0x0b, 0x06);
	assert_int_equal(rd(0x04), 15);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x04), 0x15);
	/* The frozen registers take the format written with SET. */
	wr(0x0b, 0x86);
	assert_int_equal(rd(0x04), 15);
	assert_int_equal(rd(0x00), 56);
	/* Day 0 is taken as the 1st. */
	wr(0x07, 0);
	wr(0x08, 3);
	wr(0x0b, 0x06);
	assert_int_equal(rd(0x07), 1);
	assert_int_equal(rd(0x08), 3);
}

static void test_write_time_without_set(void **st)
{
	power_on(16 << 20, WALL_2026);
	fake_advance_to(S + 400 * MS);               /* 12:34:57.4 */
	wr(0x02, 0x10);
	assert_int_equal(rd(0x02), 0x10);
	assert_int_equal(rd(0x00), 0x57);
	fake_advance_to(2 * S);                       /* the phase is kept */
	assert_int_equal(rd(0x00), 0x58);
	assert_int_equal(rd(0x02), 0x10);
	assert_int_equal(rd(0x04), 0x12);
}

static void test_garbage_time(void **st)
{
	/* Out-of-range and non-BCD values never crash: clamped into range. */
	power_on(16 << 20, WALL_2026);
	wr(0x0b, 0x82);
	for (uint8_t reg = 0; reg <= 9; reg++)
		wr(reg, 0xff);
	wr(0x32, 0xff);
	wr(0x0b, 0x02);
	uint8_t sec = rd(0x00), min = rd(0x02), hour = rd(0x04), mon = rd(0x08);
	assert_true(sec <= 0x59 && min <= 0x59 && hour <= 0x23 && mon >= 1 && mon <= 0x12);
	wr(0x0b, 0x80);
	wr(0x04, 0x00);                               /* hour 0 in 12-hour mode */
	wr(0x08, 0x00);
	wr(0x07, 0x00);
	wr(0x0b, 0x06);
	assert_true(rd(0x04) <= 23 && rd(0x08) >= 1 && rd(0x07) >= 1);
	fake_advance(10 * S);
}

static void test_nmi_mask_and_index(void **st)
{
	power_on(16 << 20, WALL_2026);
	assert_false(rtc_nmi_masked(&dev));
	rtc_model.pio_write(&dev, 0x70, 1, 0x8d);    /* NMI off, register D */
	assert_true(rtc_nmi_masked(&dev));
	assert_int_equal(rtc_model.pio_read(&dev, 0x71, 1), 0x80);
	rtc_model.pio_write(&dev, 0x70, 1, 0x0d);
	assert_false(rtc_nmi_masked(&dev));
	/* 128 bytes of memory: 0x7f is plain memory; 0xff selects 0x7f. */
	wr(0x7f, 0xa5);
	assert_int_equal(rd(0xff), 0xa5);
	wr(0x40, 0x11);
	assert_int_equal(rd(0x40), 0x11);
}

static void test_reset(void **st)
{
	power_on(16 << 20, WALL_2026);
	wr(0x0a, 0x26);
	wr(0x0b, 0x7a);                               /* PIE AIE UIE SQWE */
	wr(0x50, 0x42);
	fake_advance_to(S);
	assert_int_equal(fake_irq_level[8], 1);
	rtc_model.reset(&dev);
	assert_int_equal(fake_irq_level[8], 0);
	assert_int_equal(rd(0x0b), 0x02);
	assert_int_equal(rd(0x0c), 0x00);
	assert_int_equal(rd(0x50), 0x42);
	assert_int_equal(rd(0x00), 0x57);
	assert_int_equal(fake_armed_timers(), 1);
}

static uint32_t rd16(uint8_t lo) { return rd(lo) | (uint32_t)rd(lo + 1) << 8; }
static uint32_t rd24(uint8_t lo) { return rd16(lo) | (uint32_t)rd(lo + 2) << 16; }

static void test_memory_sizes(void **st)
{
	power_on(16ull << 20, WALL_2026);
	assert_int_equal(rd16(0x15), 640);
	assert_int_equal(rd16(0x17), 15 * 1024);
	assert_int_equal(rd16(0x30), 15 * 1024);
	assert_int_equal(rd16(0x34), 0);
	assert_int_equal(rd24(0x5b), 0);

	power_on(128ull << 20, WALL_2026);
	assert_int_equal(rd16(0x15), 640);
	assert_int_equal(rd16(0x17), 0xffff);        /* 127 MiB: capped */
	assert_int_equal(rd16(0x30), 0xffff);
	assert_int_equal(rd16(0x34), (112u << 20) >> 16);
	assert_int_equal(rd24(0x5b), 0);

	power_on(8ull << 30, WALL_2026);             /* 3 GiB low, 5 GiB above 4 GiB */
	assert_int_equal(rd16(0x17), 0xffff);
	assert_int_equal(rd16(0x34), ((3ull << 30) - (16u << 20)) >> 16);
	assert_int_equal(rd24(0x5b), (5ull << 30) >> 16);

	/* The checksum over 0x10-0x2d. */
	unsigned sum = 0;
	for (uint8_t i = 0x10; i < 0x2e; i++)
		sum += rd(i);
	assert_int_equal(rd16(0x2e), ((sum & 0xff) << 8) | (sum >> 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_on_registers),
		cmocka_unit_test(test_time_bcd_binary_12h),
		cmocka_unit_test(test_elapsed_time),
		cmocka_unit_test(test_uip_window),
		cmocka_unit_test(test_periodic_rates),
		cmocka_unit_test(test_periodic_unacknowledged),
		cmocka_unit_test(test_pf_polled),
		cmocka_unit_test(test_update_interrupt),
		cmocka_unit_test(test_c_read_clears_irqf),
		cmocka_unit_test(test_alarm),
		cmocka_unit_test(test_set_time),
		cmocka_unit_test(test_set_time_12h),
		cmocka_unit_test(test_write_time_without_set),
		cmocka_unit_test(test_garbage_time),
		cmocka_unit_test(test_nmi_mask_and_index),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_memory_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
