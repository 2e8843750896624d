/*
 * core/sched.h - sharing physical CPUs among vCPUs: round robin over each
 * CPU's run queue, preempted by the host LAPIC timer (a physical interrupt
 * leaves the guest through the INTR intercept).
 */
#ifndef YAKVM_CORE_SCHED_H
#define YAKVM_CORE_SCHED_H

struct vcpu;

#define SCHED_SLICE_US 5000

void sched_add(struct vcpu *v);
/* Runs vCPUs on this CPU forever. */
void sched_loop(void) __attribute__((noreturn));
/* Called by the timer interrupt. */
void sched_tick(void);

#endif
