/*
 * tests/fuzz/fuzz_rtc.c - the MC146818 RTC and CMOS (devices/rtc.c) under
 * any sequence of accesses to 0x70/0x71 and time steps
 * (tests/fuzz/device_fuzz.h), whatever the guest writes into the time
 * registers.
 * Invariants: the index stays in the 128 bytes; IRQ 8 is what the model
 * says it drives; at most its two vtimers are armed, the periodic one only
 * while PIE is set and PF clear; while the clock runs (SET clear) every
 * time register reads a valid value in the format register B selects
 * (BCD or binary, 12 or 24 hours): seconds, minutes < 60, hours, day of
 * week 1-7, day 1-31, month 1-12, year and century 0-99.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/rtc.c"

static const struct device_decl decl = {
	"rtc", &rtc_model, .pio = { { 0x70, 2 } }, .irq = 8,
};

/* A time register's value, checked for its format and range. */
static unsigned field(const struct rtc *r, uint8_t v, unsigned lo, unsigned hi)
{
	if (!(r->cmos[REG_B] & B_BINARY))
		CHECK((v & 0x0f) <= 9 && (v >> 4) <= 9);
	unsigned n = from_reg(r, v);
	CHECK(n >= lo && n <= hi);
	return n;
}

static void check_time(struct device *d)
{
	struct rtc *r = d->state;
	uint8_t index = r->index;
	bool nmi = r->nmi_masked;
	uint8_t v[REG_CENTURY + 1];
	static const uint8_t regs[] = { REG_SEC, REG_MIN, REG_HOUR, REG_DOW, REG_DAY,
					REG_MONTH, REG_YEAR, REG_CENTURY };
	for (unsigned i = 0; i < sizeof(regs); i++) {
		rtc_model.pio_write(d, PORT_INDEX, 1, regs[i]);
		v[regs[i]] = (uint8_t)rtc_model.pio_read(d, PORT_INDEX + 1, 1);
	}
	r->index = index;
	r->nmi_masked = nmi;
	field(r, v[REG_SEC], 0, 59);
	field(r, v[REG_MIN], 0, 59);
	if (r->cmos[REG_B] & B_24H)
		field(r, v[REG_HOUR], 0, 23);
	else
		field(r, v[REG_HOUR] & ~HOUR_PM, 1, 12);
	field(r, v[REG_DOW], 1, 7);
	field(r, v[REG_DAY], 1, 31);
	field(r, v[REG_MONTH], 1, 12);
	field(r, v[REG_YEAR], 0, 99);
	field(r, v[REG_CENTURY], 0, 99);
}

static void check(struct device *d)
{
	const struct rtc *r = d->state;
	CHECK(r->index < CMOS_SIZE);
	CHECK(fake_irq_level[8] == r->irq_high);
	CHECK(fake_armed_timers() <= 2);
	if (r->periodic.armed)
		CHECK((r->cmos[REG_B] & B_PIE) && !(r->cmos[REG_C] & C_PF));
	for (unsigned i = 0; i < fake_irq_count; i++)
		CHECK(fake_irq_events[i].irq == 8);
	if (!(r->cmos[REG_B] & B_SET))
		check_time(d);
}

/* A wall clock for the next power-on: any 32-bit seconds value. */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	struct rtc *r = d->state;
	vtimer_cancel(&r->periodic);	/* init sets the timers up anew */
	vtimer_cancel(&r->update);
	fake_wallclock = val;
	rtc_init(d);
	rtc_model.reset(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra };
	fuzz_dev_run(&h, data, size);
	return 0;
}
