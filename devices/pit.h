/*
 * devices/pit.h - the PC's 8254 programmable interval timer (Intel 8254 data
 * sheet) at ports 0x40-0x43, with system control port B (0x61: channel 2
 * gate, speaker enable, refresh toggle, channel 2 OUT). Channel 0 drives
 * ISA IRQ 0.
 */
#ifndef YAKVM_DEVICES_PIT_H
#define YAKVM_DEVICES_PIT_H

struct device_model;

/* The input clock of every channel, in Hz. */
#define PIT_HZ 1193182u

/* The shortest interval between two IRQ 0 pulses, whatever the guest
 * programs: faster periods are coalesced (see devices/pit.c). */
#define PIT_MIN_IRQ_NS 100000u

/* Missed periods (channel 0 in mode 2 or 3) are caught up, one pulse per
 * PIT_MIN_IRQ_NS, for periods of at least PIT_CATCHUP_MIN_PERIOD_NS, and at
 * most PIT_CATCHUP_MAX of them after one stall (see devices/pit.c). */
#define PIT_CATCHUP_MIN_PERIOD_NS (2 * PIT_MIN_IRQ_NS)
#define PIT_CATCHUP_MAX 100u

extern const struct device_model pit_model;

#endif
