/*
 * devices/pm_timer.c - the ACPI PM timer (ACPI 6.x section 4.8.3.3): a
 * read-only, free-running 24-bit counter at 3.579545 MHz, derived from
 * time_ns(), that wraps at 2^24. Meant to be read as a dword; narrower
 * reads return the addressed bytes. Writes are ignored. No interrupt (the
 * TMR_STS overflow event lives in the PM1 event block, not modelled).
 */
#include "devices/device.h"
#include "devices/pm_timer.h"
#include "core/run/timer.h"

#define NS_PER_S 1000000000u

static uint32_t pm_timer_count(void)
{
	uint64_t ns = time_ns();
	/* Split so that nothing overflows 64 bits: s * 3579545 won't for 160000 years. */
	uint64_t ticks = ns / NS_PER_S * PM_TIMER_HZ + ns % NS_PER_S * PM_TIMER_HZ / NS_PER_S;
	return (uint32_t)(ticks & ((1u << PM_TIMER_BITS) - 1));
}

static uint32_t pm_timer_read(struct device *d, uint16_t port, unsigned size)
{
	unsigned shift = (unsigned)(port - d->decl->pio[0].base) * 8;
	uint32_t v = pm_timer_count() >> shift;
	return size >= 4 ? v : v & ((1u << (size * 8)) - 1);
}

const struct device_model pm_timer_model = {
	.name = "pm-timer",
	.state_size = 0,
	.pio_read = pm_timer_read,
};
