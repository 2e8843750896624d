/*
 * tests/unit/fake_platform.h - a fake of what device models call into
 * (devices/irq.h, core/run/timer.h, the TSC frequency) for host unit tests:
 * IRQ line changes are recorded, time is set by the test, and armed timers
 * fire when the test advances time.
 */
#ifndef YAKVM_TESTS_FAKE_PLATFORM_H
#define YAKVM_TESTS_FAKE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include "core/run/timer.h"
#include "devices/irq.h"

#define FAKE_MAX_EVENTS 4096

struct fake_irq_event {
	unsigned irq;
	int level;        /* 1 high, 0 low, 2 pulse */
	uint64_t at_ns;
};

extern struct fake_irq_event fake_irq_events[FAKE_MAX_EVENTS];
extern unsigned fake_irq_count;        /* events recorded */
extern int fake_irq_level[32];         /* current level of each line */
extern unsigned fake_irq_pulses[32];   /* pulses per line */
extern unsigned fake_irq_rises[32];    /* low-to-high changes (and pulses) */
extern bool fake_legacy_replaced;      /* vm_irq_legacy_replace() state */
extern unsigned fake_intr_updates;     /* vm_intr_update() calls */
extern unsigned fake_kicks;            /* vcpu_kick() calls */
extern struct vcpu *fake_current_vcpu; /* what vcpu_current() returns */
extern uint64_t fake_now_ns;
extern uint64_t fake_tsc_khz;          /* default 1000000 (1 GHz) */
extern uint64_t fake_wallclock;        /* wallclock_boot_seconds() */
/* Acknowledge notifiers (devices/irq.h): what the controllers noted, by
 * GSI; and the guest's side. With fake_auto_ack (the default) every edge
 * or rising level is acknowledged as soon as the timer that raised it has
 * fired, as by a guest that takes each interrupt at once; without it only
 * fake_irq_ack() acknowledges. */
extern uint32_t fake_acked, fake_unmasked;
extern bool fake_auto_ack;
void fake_irq_notify(uint32_t acked, uint32_t unmasked);
void fake_irq_ack(unsigned gsi);
void fake_irq_unmask(unsigned gsi);
/* One step of a fuzzed guest (a fuzz_dev `extra`): it takes the
 * interrupts or not (fake_auto_ack), acknowledges, or unmasks lines. */
struct device;
void fake_irq_guest_side(struct device *d, uint16_t where, uint32_t val);

void fake_platform_reset(void);
/* Moves time forward to t, firing every timer whose deadline is <= the
 * current time, in deadline order (timers may re-arm). */
void fake_advance_to(uint64_t t_ns);
void fake_advance(uint64_t delta_ns);
unsigned fake_armed_timers(void);

#endif
