/*
 * arch/x86/svm/intr.h - delivering events to a vCPU (APM vol. 2, 15.20 event
 * injection, 15.21 interrupt handling): NMIs and external interrupts from its
 * LAPIC or, through LINT0, from the PIC.
 */
#ifndef YAKVM_CORE_INTR_H
#define YAKVM_CORE_INTR_H

#include <stdbool.h>

struct vcpu;

/* Before VMRUN: inject what is pending and deliverable now, or ask the CPU
 * for an exit when the guest opens its interrupt window (V_IRQ + VINTR). */
void vcpu_deliver_events(struct vcpu *v);
/* The VINTR and IRET exits. */
void svm_handle_vintr(struct vcpu *v);
void svm_handle_iret(struct vcpu *v);
/* After every exit: NMIs are unblocked once RIP has left the IRET of the
 * NMI handler (see intr.c). */
void vcpu_nmi_after_exit(struct vcpu *v);
/* vcpu_has_wakeup(), which sched.c asks, is declared in arch/x86/vendor.h. */

#endif
