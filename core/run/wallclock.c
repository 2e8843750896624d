/*
 * core/run/wallclock.c - wallclock_boot_seconds() (core/run/timer.h): the host RTC
 * (arch/x86/cmos.c), taken as UTC, read once at the first call and cached
 * together with the time_ns() of that read, so the answer is "the wall
 * clock when time_ns() was 0".
 */
#include "core/run/timer.h"
#include "lib/civil_time.h"
#include "arch/x86/cmos.h"
#include "lib/spinlock.h"

static struct spinlock lock;
static bool known;
static uint64_t boot_seconds;

uint64_t wallclock_boot_seconds(void)
{
	uint64_t f = spin_lock(&lock);
	if (!known) {
		struct cmos_regs r;
		struct civil_time t;
		uint64_t since_boot = time_ns() / 1000000000u;
		if (cmos_read_regs(&r) && cmos_decode(&r, &t)) {
			int64_t s = civil_to_seconds(&t);
			if (s > (int64_t)since_boot)
				boot_seconds = (uint64_t)s - since_boot;
		}
		known = true;   /* 0 (unknown) stays 0: no retry */
	}
	uint64_t v = boot_seconds;
	spin_unlock(&lock, f);
	return v;
}
