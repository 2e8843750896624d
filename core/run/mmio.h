/*
 * core/run/mmio.h - emulating one guest instruction that touched an MMIO page
 * (a not-present page of the nested page tables that belongs to a device).
 */
#ifndef YAKVM_CORE_MMIO_H
#define YAKVM_CORE_MMIO_H

#include <stdint.h>
#include "arch/x86/insn/emulate.h"

struct vcpu;
struct device;

/* An MMIO exit as the backend hands it over (arch/x86/svm/npf.c fills it
 * from its VMCB), in no vendor's format. */
struct mmio_exit {
	uint64_t gpa;          /* the guest-physical address that faulted */
	/* The device there, looked up once by the backend (bus_mmio_device);
	 * NULL for RAM under another vCPU's LAPIC page (core/run/lapic_window.h)
	 * or where nothing is (core/run/unmapped.h). */
	struct device *dev;
	unsigned cpl;
	/* In: registers, RIP, RFLAGS, segment bases, code size. Out: RIP and
	 * RFLAGS after the instruction (unchanged if it did not complete). */
	struct emu_state st;
};

void yakvm_vcpu_handle_mmio(struct vcpu *v, struct mmio_exit *x);

#endif
