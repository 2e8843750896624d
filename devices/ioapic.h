/*
 * devices/ioapic.h - the I/O APIC (82093AA data sheet): 24 redirection
 * entries at MMIO 0xfec00000 (IOREGSEL at +0x00, IOWIN at +0x10).
 * The exported functions take the IOAPIC device's lock themselves.
 */
#ifndef YAKVM_DEVICES_IOAPIC_H
#define YAKVM_DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct device;

#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_PINS 24

void ioapic_set_irq(struct device *io, unsigned gsi, bool high);
/* A LAPIC got an EOI for a level-triggered vector: clear Remote IRR of the
 * entries with that vector, and deliver again if the line is still high;
 * or for a vector of an unmasked edge entry (vm->ioapic_edge_vectors): note
 * the acknowledge of its pin (devices/irq.h).
 * Must be called without any LAPIC lock held. */
void ioapic_eoi(struct device *io, uint8_t vector);

extern const struct device_model ioapic_model;

#endif
