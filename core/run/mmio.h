/*
 * core/run/mmio.h - emulating one guest instruction that touched an MMIO page
 * (a not-present page of the nested page tables that belongs to a device).
 */
#ifndef YAKVM_CORE_MMIO_H
#define YAKVM_CORE_MMIO_H

#include <stdint.h>

struct vcpu;
struct device;

/* d: the device at gpa (for messages), NULL for RAM under another vCPU's
 * LAPIC page (core/run/lapic_window.h) or where nothing is (core/run/unmapped.h). */
void yakvm_vcpu_handle_mmio(struct vcpu *v, struct device *d, uint64_t gpa);

#endif
