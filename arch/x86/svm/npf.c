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
#include "devices/bus_mmio.h"
#include "devices/device.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/insn/fetch.h"

/* Hands the instruction to core/run/mmio.c in a neutral struct, with the
 * device found here (d, NULL if none), and takes back RIP and RFLAGS. */
static void handle_mmio(struct vcpu *v, struct device *d, uint64_t gpa)
{
	struct vmcb_save *s = &v->vmcb->save;
	struct mmio_exit x;	/* each field set: no zeroing on the exit path */
	x.gpa = gpa;
	x.dev = d;
	x.cpl = s->cpl;
	x.st.regs = &v->regs;
	x.st.rip = s->rip;
	x.st.rflags = s->rflags;
	x.st.seg_base[SEG_ES] = s->es.base;
	x.st.seg_base[SEG_CS] = s->cs.base;
	x.st.seg_base[SEG_SS] = s->ss.base;
	x.st.seg_base[SEG_DS] = s->ds.base;
	x.st.seg_base[SEG_FS] = s->fs.base;
	x.st.seg_base[SEG_GS] = s->gs.base;
	x.st.mode_bits = vcpu_code_bits(v);
	x.st.rep_max = 0;	/* st.ctx is core/run/mmio.c's */
	yakvm_vcpu_handle_mmio(v, &x);
	s->rip = x.st.rip;
	s->rflags = x.st.rflags;
}

/* A RAM page that is not mapped: another vCPU's LAPIC covers it (or just
 * did; core/run/lapic_window.h). Data accesses are emulated against RAM:
 * true if this one is to be. */
static bool ram_under_lapic(struct vcpu *v, uint64_t gpa, uint64_t err)
{
	uint64_t hpa, size, flags;
	if (npt_lookup(&v->vm->npt, gpa, &hpa, &size, &flags))
		return false;	/* mapped again since: the guest retries */
	if ((v->vmcb->control.exitintinfo & EVENT_VALID) || (err & (1ull << 33)) ||
	    (err & (1u << 4))) {
		vm_stop(v->vm, v, "%s guest-physical 0x%lx, RAM that another vCPU's LAPIC "
			"covers (APIC_BASE): only data accesses are emulated there",
			(err & (1ull << 33)) ? "guest page-table access at" :
			(err & (1u << 4)) ? "instruction fetch from" : "event delivery through",
			gpa);
		return false;
	}
	return true;
}

/* What is at gpa decides: a device (looked up here, once), RAM under
 * another vCPU's LAPIC, or nothing. Each emulated case ends in the one
 * call of handle_mmio(). */
void svm_handle_npf(struct vcpu *v)
{
	uint64_t err = v->vmcb->control.exitinfo1;
	uint64_t gpa = v->vmcb->control.exitinfo2;
	struct device *d = bus_mmio_device(v, gpa);	/* the one lookup */
	uint64_t info = v->vmcb->control.exitintinfo;
	bool data = !(err & (1ull << 33)) && !(err & (1u << 4));
	if (d && data && !(info & EVENT_VALID))
		goto emulate;	/* the road of an MMIO access */
	if (!d && lapic_window_is_ram(v->vm, gpa)) {
		if (ram_under_lapic(v, gpa, err))
			goto emulate;
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
	/* Nothing there: emulate the instruction, its accesses of nothing
	 * read all ones (core/run/mmio.c, core/run/unmapped.c). */
	if (!d && data && !(info & EVENT_VALID) && !v->vm->desc.unmapped_stop &&
	    !vm_gpa_to_hva(v->vm, gpa, 1))
		goto emulate;
	const char *what = (err & (1ull << 33)) ? "guest page-table access at" :
			   (err & (1u << 4)) ? "instruction fetch from" :
			   (err & 2) ? "write to" : "read of";
	vm_stop(v->vm, v, "%s guest-physical 0x%lx, which is outside the VM's "
		"memory (nested page fault, exitinfo1=0x%lx)", what, gpa, err);
	return;
emulate:
	handle_mmio(v, d, gpa);
}
