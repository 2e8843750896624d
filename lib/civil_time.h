/*
 * lib/civil_time.h - proleptic Gregorian calendar arithmetic: seconds since
 * 1970-01-01 00:00 UTC to a civil date and time and back (the algorithms of
 * H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). Pure: used by
 * core/run/wallclock.c for the host RTC and by devices/rtc.c for the guest's.
 */
#ifndef YAKVM_CORE_CIVIL_TIME_H
#define YAKVM_CORE_CIVIL_TIME_H

#include <stdint.h>

struct civil_time {
	int64_t year;           /* e.g. 2026 */
	unsigned month;         /* 1-12 */
	unsigned day;           /* 1-31 */
	unsigned hour, min, sec;/* 0-23, 0-59, 0-59 */
	unsigned wday;          /* 0 = Sunday ... 6 = Saturday (output only) */
};

/* Days since 1970-01-01 of y-m-d (m 1-12; d may run past the month's end). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* 0 = Sunday. */
unsigned weekday_from_days(int64_t days);
int64_t civil_to_seconds(const struct civil_time *t);
void civil_from_seconds(int64_t s, struct civil_time *t);

#endif
