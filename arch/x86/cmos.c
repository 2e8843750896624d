/*
 * arch/x86/cmos.c - host RTC reads (see cmos.h). Register numbers and the
 * update-in-progress protocol per the Motorola MC146818A data sheet: while
 * status A bit 7 (UIP) is clear, at least 244 us remain before the next
 * update, so the time registers read consistently; a second identical read
 * guards against an update that starts between the UIP check and the reads.
 */
#include "arch/x86/cmos.h"
#include "arch/x86/cpu.h"

#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#define REG_SEC     0x00
#define REG_MIN     0x02
#define REG_HOUR    0x04
#define REG_DAY     0x07
#define REG_MONTH   0x08
#define REG_YEAR    0x09
#define REG_A       0x0a
#define REG_B       0x0b
#define A_UIP       0x80
#define B_24H       0x02
#define B_BINARY    0x04
#define HOUR_PM     0x80

#define UIP_SPINS   1000000  /* an update takes ~2 ms; a missing RTC never clears UIP */
#define READ_TRIES  10

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);   /* bit 7 clear: NMIs stay enabled */
	return inb(CMOS_DATA);
}

static bool wait_not_updating(void)
{
	for (unsigned i = 0; i < UIP_SPINS; i++) {
		if (!(cmos_read(REG_A) & A_UIP))
			return true;
		cpu_relax();
	}
	return false;
}

static void read_once(struct cmos_regs *r)
{
	r->sec = cmos_read(REG_SEC);
	r->min = cmos_read(REG_MIN);
	r->hour = cmos_read(REG_HOUR);
	r->day = cmos_read(REG_DAY);
	r->month = cmos_read(REG_MONTH);
	r->year = cmos_read(REG_YEAR);
	r->status_b = cmos_read(REG_B);
}

static bool same(const struct cmos_regs *a, const struct cmos_regs *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour &&
	       a->day == b->day && a->month == b->month && a->year == b->year &&
	       a->status_b == b->status_b;
}

bool cmos_read_regs(struct cmos_regs *r)
{
	struct cmos_regs again;
	for (unsigned i = 0; i < READ_TRIES; i++) {
		if (!wait_not_updating())
			return false;
		read_once(r);
		if (!wait_not_updating())
			return false;
		read_once(&again);
		if (same(r, &again))
			return true;
	}
	return false;
}

static bool decode_field(uint8_t v, bool binary, unsigned *out)
{
	if (binary) {
		*out = v;
		return true;
	}
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return false;
	*out = (v >> 4) * 10 + (v & 0x0f);
	return true;
}

bool cmos_decode(const struct cmos_regs *r, struct civil_time *t)
{
	bool bin = r->status_b & B_BINARY;
	unsigned sec, min, hour, day, month, year;
	bool pm = !(r->status_b & B_24H) && (r->hour & HOUR_PM);
	uint8_t hour_reg = (r->status_b & B_24H) ? r->hour : (r->hour & ~HOUR_PM);
	if (!decode_field(r->sec, bin, &sec) || !decode_field(r->min, bin, &min) ||
	    !decode_field(hour_reg, bin, &hour) || !decode_field(r->day, bin, &day) ||
	    !decode_field(r->month, bin, &month) || !decode_field(r->year, bin, &year))
		return false;
	if (!(r->status_b & B_24H)) {   /* 12-hour: 12 AM is midnight, 12 PM noon */
		if (hour < 1 || hour > 12)
			return false;
		hour = hour % 12 + (pm ? 12 : 0);
	}
	if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 ||
	    month < 1 || month > 12 || year > 99)
		return false;
	*t = (struct civil_time){ .year = 2000 + year, .month = month, .day = day,
				  .hour = hour, .min = min, .sec = sec };
	return true;
}
