/*
 * arch/x86/lapic.h - the host's local APIC, in xAPIC (MMIO) or x2APIC (MSR)
 * mode, whichever the firmware left enabled: EOI, the timer that drives the
 * scheduler, and IPIs.
 */
#ifndef YAKVM_ARCH_X86_LAPIC_H
#define YAKVM_ARCH_X86_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

void lapic_init(void);
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);
/* Periodic timer on `vector` every `us` microseconds. */
void lapic_timer_periodic(uint8_t vector, uint32_t us);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);

#endif
