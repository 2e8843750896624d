/*
 * arch/x86/nmi.h - NMIs that reach the host: wired from the LINT pin the MADT
 * names, counted in NMI context, reported later from ordinary context.
 */
#ifndef YAKVM_ARCH_X86_NMI_H
#define YAKVM_ARCH_X86_NMI_H

#include <stdint.h>

/* This CPU: LINT `pin` (0 or 1, or ACPI_NO_NMI_LINT) delivers NMIs, and
 * vector 2 goes to the counting handler. */
void nmi_cpu_init(uint8_t pin);

/* Logs the NMIs this CPU took since the last call, if any. Called where
 * taking locks is safe (the scheduler loop, the NMI exit handler). */
void nmi_report(void);

#endif
