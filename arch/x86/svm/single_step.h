/*
 * arch/x86/svm/single_step.h - the guest's own single-step trap (RFLAGS.TF) after an
 * instruction yakvm completed for it (arch/x86/svm/single_step.c).
 */
#ifndef YAKVM_CORE_SINGLE_STEP_H
#define YAKVM_CORE_SINGLE_STEP_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* The guest's own TF at this exit (not gdb's step TF, core/gdb/gdbstub.c). */
bool vcpu_guest_tf(const struct vcpu *v);
/* After the exit handler: if the guest had TF=1 and yakvm completed the
 * instruction at rip_before (RIP moved on, no event queued by it), the
 * #DB single-step trap the CPU would have raised. */
void vcpu_single_step_trap(struct vcpu *v, bool guest_tf, uint64_t rip_before);

#endif
