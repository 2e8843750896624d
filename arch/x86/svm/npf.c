/*
 * arch/x86/svm/npf.c - nested page faults (#VMEXIT 0x400, APM vol. 2, 15.25.6).
 * EXITINFO2 is the guest-physical address; EXITINFO1 is a page-fault error
 * code (bit 0 present, bit 1 write, bit 2 user, bit 3 reserved bit, bit 4
 * instruction fetch) plus bit 32 (the fault was on the final translation) and
 * bit 33 (on a guest page-table access). A GPA that belongs to an MMIO device
 * goes to yakvm_vcpu_handle_mmio(); anything else is outside the VM's memory
 * and stops the VM.
 */
#include "arch/x86/svm/exit.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/mmio.h"
#include "devices/bus.h"
#include "devices/device.h"
#include "arch/x86/svm/vmcb.h"

void yakvm_vcpu_handle_npf(struct vcpu *v)
{
	uint64_t err = v->vmcb->control.exitinfo1;
	uint64_t gpa = v->vmcb->control.exitinfo2;
	struct device *d = bus_find_mmio(v->vm, gpa);
	uint64_t info = v->vmcb->control.exitintinfo;
	if (d && (info & EVENT_VALID)) {
		/* The CPU itself touched the device page while delivering an
		 * event (an IDT gate or the exception frame there): there is
		 * no instruction to emulate (EXITINTINFO, APM vol. 2, 15.7.2). */
		vm_stop(v->vm, v, "the CPU touched MMIO at guest-physical 0x%lx (%s) while "
			"delivering vector %lu: IDT or stack in a device page", gpa,
			d->decl->name, info & 0xff);
		return;
	}
	if (d && !(err & (1ull << 33)) && !(err & (1u << 4))) {
		yakvm_vcpu_handle_mmio(v, d, gpa);
		return;
	}
	const char *what = (err & (1ull << 33)) ? "guest page-table access at" :
			   (err & (1u << 4)) ? "instruction fetch from" :
			   (err & 2) ? "write to" : "read of";
	vm_stop(v->vm, v, "%s guest-physical 0x%lx, which is outside the VM's "
		"memory (nested page fault, exitinfo1=0x%lx)", what, gpa, err);
}
