/*
 * arch/x86/svm/npf.c - nested page faults (#VMEXIT 0x400, APM vol. 2, 15.25.6).
 * EXITINFO2 is the guest-physical address; EXITINFO1 is a page-fault error
 * code (bit 0 present, bit 1 write, bit 2 user, bit 3 reserved bit, bit 4
 * instruction fetch) plus bit 32 (the fault was on the final translation) and
 * bit 33 (on a guest page-table access). A GPA that belongs to an MMIO device
 * goes to yakvm_vcpu_handle_mmio() (the vCPU's own LAPIC page first, wherever
 * APIC_BASE moved it; core/run/lapic_window.h); a RAM page another vCPU's LAPIC
 * took out of the nested page tables is emulated as RAM. Where nothing is
 * (no RAM, no device), a data access is emulated as a PC's bus does it:
 * reads all ones, writes dropped (core/run/unmapped.h); an instruction fetch,
 * a guest page-table access, an event delivery, or any access with
 * unmapped=stop, stops the VM.
 */
#include "arch/x86/svm/exit.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "core/run/mmio.h"
#include "core/run/lapic_window.h"
#include "devices/bus.h"
#include "devices/device.h"
#include "arch/x86/svm/vmcb.h"

/* The device that answers v at gpa: its own LAPIC first (wherever its
 * APIC_BASE put it, over RAM or another device), then the VM's rows. */
static struct device *device_for(struct vcpu *v, uint64_t gpa)
{
	if (lapic_window_claims(v, gpa) && v->vm->lapic_mmio)
		return v->vm->lapic_mmio;
	return bus_find_mmio(v->vm, gpa);
}

/* A RAM page that is not mapped: another vCPU's LAPIC covers it (or just
 * did; core/run/lapic_window.h). Data accesses are emulated against RAM. */
static void ram_under_lapic(struct vcpu *v, uint64_t gpa, uint64_t err)
{
	uint64_t hpa, size, flags;
	if (npt_lookup(&v->vm->npt, gpa, &hpa, &size, &flags))
		return;	/* mapped again since: the guest retries */
	if ((v->vmcb->control.exitintinfo & EVENT_VALID) || (err & (1ull << 33)) ||
	    (err & (1u << 4))) {
		vm_stop(v->vm, v, "%s guest-physical 0x%lx, RAM that another vCPU's LAPIC "
			"covers (APIC_BASE): only data accesses are emulated there",
			(err & (1ull << 33)) ? "guest page-table access at" :
			(err & (1u << 4)) ? "instruction fetch from" : "event delivery through",
			gpa);
		return;
	}
	yakvm_vcpu_handle_mmio(v, NULL, gpa);
}

void svm_handle_npf(struct vcpu *v)
{
	uint64_t err = v->vmcb->control.exitinfo1;
	uint64_t gpa = v->vmcb->control.exitinfo2;
	struct device *d = device_for(v, gpa);
	uint64_t info = v->vmcb->control.exitintinfo;
	if (!d && lapic_window_is_ram(v->vm, gpa)) {
		ram_under_lapic(v, gpa, err);
		return;
	}
	if (d && (info & EVENT_VALID)) {
		/* The CPU itself touched the device page while delivering an
		 * event (an IDT gate or the exception frame there): there is
		 * no instruction to emulate (EXITINTINFO, APM vol. 2, 15.7.2). */
		vm_stop(v->vm, v, "the CPU touched MMIO at guest-physical 0x%lx (%s) while "
			"delivering vector %lu: IDT or stack in a device page", gpa,
			d->decl->name, info & 0xff);
		return;
	}
	bool data = !(err & (1ull << 33)) && !(err & (1u << 4));
	if (d && data) {
		yakvm_vcpu_handle_mmio(v, d, gpa);
		return;
	}
	/* Nothing there: emulate the instruction, its accesses of nothing
	 * read all ones (core/run/mmio.c, core/run/unmapped.c). */
	if (!d && data && !(info & EVENT_VALID) && !v->vm->desc.unmapped_stop &&
	    !vm_gpa_to_hva(v->vm, gpa, 1)) {
		yakvm_vcpu_handle_mmio(v, NULL, gpa);
		return;
	}
	const char *what = (err & (1ull << 33)) ? "guest page-table access at" :
			   (err & (1u << 4)) ? "instruction fetch from" :
			   (err & 2) ? "write to" : "read of";
	vm_stop(v->vm, v, "%s guest-physical 0x%lx, which is outside the VM's "
		"memory (nested page fault, exitinfo1=0x%lx)", what, gpa, err);
}
