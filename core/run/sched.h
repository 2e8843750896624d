/*
 * core/run/sched.h - sharing physical CPUs among vCPUs: round robin over each
 * CPU's run queue, preempted by the host LAPIC timer (a physical interrupt
 * leaves the guest through the INTR intercept).
 */
#ifndef YAKVM_CORE_SCHED_H
#define YAKVM_CORE_SCHED_H

#include <stdbool.h>

struct vcpu;

#define SCHED_SLICE_US 5000

struct intr_frame;
/* False if none of the vCPU's allowed CPUs is online. */
bool sched_add(struct vcpu *v);
void sched_ipi(struct intr_frame *f);
/* Runs vCPUs on this CPU forever. */
void sched_loop(void) __attribute__((noreturn));

#endif
