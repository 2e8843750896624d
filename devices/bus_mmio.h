/*
 * devices/bus_mmio.h - the MMIO lookup of an exit, inlined into it: the
 * device that answers vCPU v at gpa. Its own LAPIC first, wherever its
 * APIC_BASE put it, over RAM or another device (the LAPIC page is per vCPU,
 * core/run/lapic_window.h); then the VM's bus (devices/bus.h).
 */
#ifndef YAKVM_DEVICES_BUS_MMIO_H
#define YAKVM_DEVICES_BUS_MMIO_H

#include "devices/bus.h"
#include "core/run/lapic_window.h"
#include "core/vm/vm.h"

static inline struct device *bus_mmio_device(struct vcpu *v, uint64_t gpa)
{
	if (lapic_window_claims(v, gpa) && v->vm->lapic_mmio)
		return v->vm->lapic_mmio;
	return bus_find(v->vm, BUS_MMIO, gpa);
}

#endif
