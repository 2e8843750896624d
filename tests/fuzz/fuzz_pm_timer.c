/*
 * tests/fuzz/fuzz_pm_timer.c - the ACPI PM timer (devices/pm_timer.c) under
 * any sequence of reads of 0xb008-0xb00b and time steps, up to centuries
 * (tests/fuzz/device_fuzz.h).
 * Invariants: a read returns the 24-bit count at 3.579545 MHz of the
 * current time (ACPI 6.4, 4.8.2.1), shifted to the byte read and cut to
 * the access size.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/pm_timer.c"

static const struct device_decl decl = {
	"pm-timer", &pm_timer_model, .pio = { { PM_TIMER_PORT, PM_TIMER_LEN } },
};

static void check(struct device *d) { }

static void on_read(struct device *d, uint64_t port, unsigned size, uint64_t val)
{
	/* The count from time by 128-bit arithmetic. */
	unsigned __int128 ticks = (unsigned __int128)fake_now_ns * PM_TIMER_HZ / 1000000000u;
	uint32_t count = (uint32_t)(ticks & 0xffffff);
	uint32_t want = count >> (8 * (port - PM_TIMER_PORT));
	CHECK(val == (want & (uint32_t)size_mask(size)));
}

/* A big jump: val seconds. */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	fake_advance((uint64_t)val * 1000000000u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra, .on_read = on_read };
	fuzz_dev_run(&h, data, size);
	return 0;
}
