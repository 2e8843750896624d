/*
 * arch/x86/cmos.h - the host's CMOS real-time clock (MC146818-compatible,
 * index port 0x70, data port 0x71), read once at boot for the wall clock.
 */
#ifndef YAKVM_ARCH_X86_CMOS_H
#define YAKVM_ARCH_X86_CMOS_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/civil_time.h"

/* The raw time registers, as the RTC holds them. */
struct cmos_regs {
	uint8_t sec, min, hour, day, month, year;
	uint8_t status_b;       /* bit 2: binary (else BCD), bit 1: 24-hour */
};

/* Reads the time registers outside an update cycle, twice until two reads
 * agree. False if the clock never settles (no RTC: all ones). */
bool cmos_read_regs(struct cmos_regs *r);

/* Decodes raw registers (BCD or binary, 12 or 24 hour; year 20xx) to a
 * civil time. False if a field is out of range. Pure. */
bool cmos_decode(const struct cmos_regs *r, struct civil_time *t);

#endif
