/*
 * devices/rtc.h - the guest's MC146818 real-time clock and CMOS memory
 * (devices/rtc.c): what other parts of yakvm may ask it.
 */
#ifndef YAKVM_DEVICES_RTC_H
#define YAKVM_DEVICES_RTC_H

#include <stdbool.h>

struct device;

/* Port 0x70 bit 7 as last written: the guest masked NMIs (the PC's NMI
 * mask latch shares the RTC's index port). Call with the device lock held
 * or accept a racy answer. */
bool rtc_nmi_masked(struct device *d);

#endif
