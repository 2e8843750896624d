/*
 * core/run/timer.h - time for virtual devices. time_ns() is the host's monotonic
 * clock (the TSC, calibrated at boot). A vtimer calls its fire() once its
 * deadline has passed; fire() runs on a host CPU in ordinary (non-interrupt)
 * context with no lock held, so it takes its device's lock itself, and it may
 * re-arm the timer. Device timers of a descheduled VM still fire on time.
 */
#ifndef YAKVM_CORE_TIMER_H
#define YAKVM_CORE_TIMER_H

#include <stdint.h>
#include <stdbool.h>

struct pcpu;

struct vtimer {
	uint64_t deadline_ns;
	void (*fire)(struct vtimer *t);
	void *data;                 /* for fire(): usually the device */
	bool armed;
	bool frozen;                /* its VM has stopped: never armed again */
	uint64_t *fire_count;       /* if set, counts fire() calls (its VM's) */
	struct pcpu *cpu;           /* the CPU whose list holds it (timer.c) */
	struct vtimer *next;
};

uint64_t time_ns(void);
/* Arms (or re-arms) t to fire at deadline_ns (time_ns() scale). */
void vtimer_arm(struct vtimer *t, uint64_t deadline_ns);
void vtimer_cancel(struct vtimer *t);
/* Cancels t for good: a stopped VM's device timers must not go on
 * interrupting its CPUs (issue 17). Call it under the lock its device
 * arms it under, so that no arm can slip in between. */
void vtimer_freeze(struct vtimer *t);
/* Runs every expired timer; called by the vCPU loop and the idle loop. */
void timers_run(void);
/* The earliest armed deadline, or UINT64_MAX. */
uint64_t timers_next_deadline(void);

/* Host side: start the clock (after tsc_calibrate), program the host LAPIC
 * timer for the next deadline or slice end, and its interrupt handler. */
struct intr_frame;
void timer_init(void);
void timer_program(void);
/* With interrupts off, just before VMRUN: makes this CPU's timer fire
 * within ns (unless it will sooner), so that the guest exits by then; the
 * interrupt then runs timers_run(), which programs the real deadline. */
void timer_poll_soon(uint64_t ns);
#define WINDOW_POLL_NS 100000ull	/* 100 us */
void timer_irq(struct intr_frame *f);

/* The host's wall-clock time at boot, from its RTC, as seconds since
 * 1970-01-01 00:00 UTC (0 if unknown); plus time_ns() for "now". */
uint64_t wallclock_boot_seconds(void);

#endif
