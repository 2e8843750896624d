/*
 * lib/civil_time.c - see civil_time.h. Years are counted from March so that
 * the leap day is the last day of the "year"; an era is 400 years (146097
 * days), after which the Gregorian calendar repeats.
 */
#include "lib/civil_time.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                          /* 0-399 */
	int64_t mp = m > 2 ? m - 3 : m + 9;                   /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0-146096 */
	return era * 146097 + doe - 719468;                   /* 719468: 0000-03-01 to 1970-01-01 */
}

void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;
	int64_t era = floor_div(days, 146097);
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

unsigned weekday_from_days(int64_t days)
{
	return (unsigned)(floor_div(days + 4, 7) * -7 + days + 4);  /* 1970-01-01: Thursday */
}

int64_t civil_to_seconds(const struct civil_time *t)
{
	return days_from_civil(t->year, t->month, t->day) * 86400 +
	       (int64_t)t->hour * 3600 + t->min * 60 + t->sec;
}

void civil_from_seconds(int64_t s, struct civil_time *t)
{
	int64_t days = floor_div(s, 86400);
	int64_t rem = s - days * 86400;
	civil_from_days(days, &t->year, &t->month, &t->day);
	t->hour = (unsigned)(rem / 3600);
	t->min = (unsigned)(rem / 60 % 60);
	t->sec = (unsigned)(rem % 60);
	t->wday = weekday_from_days(days);
}
