/*
 * arch/x86/lapic.h - the host's local APIC, in xAPIC (MMIO) or x2APIC (MSR)
 * mode, whichever the firmware left enabled: EOI, the timer that drives the
 * scheduler, and IPIs.
 */
#ifndef YAKVM_ARCH_X86_LAPIC_H
#define YAKVM_ARCH_X86_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

/* Enables this CPU's LAPIC; with want_x2apic, in x2APIC mode where the CPU
 * has it (CPUID 1:ECX[21]). The mode the firmware left on stays. */
void lapic_init(bool want_x2apic);
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);
/* Wires LINT0 or LINT1 to NMI, as the MADT says the board does. */
void lapic_set_lint_nmi(unsigned pin);
/* Periodic timer on `vector` every `us` microseconds. */
/* One interrupt on `vector` after `ns` nanoseconds (at least one tick). */
void lapic_timer_oneshot(uint8_t vector, uint64_t ns);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* A fixed IPI to this CPU (destination shorthand "self"). */
void lapic_send_self_ipi(uint8_t vector);
/* The start-up sequence for another CPU (APM vol. 2, 16.5). */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);

#endif
