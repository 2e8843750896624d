/*
 * arch/x86/svm/vmcb_dump.c - the VMCB fields the monitor's `info vm` prints
 * (core/console/monitor.c): control registers, CS and the mode, the last
 * exit and the event state.
 */
#include "arch/x86/vendor.h"
#include "arch/x86/cpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/exitcodes.h"
#include "core/run/vcpu.h"
#include "lib/log.h"

unsigned vendor_asid(const struct vcpu *v)
{
	return v->vmcb->control.guest_asid;
}

void vendor_print_state(const struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	const struct vmcb_control *c = &v->vmcb->control;
	kprintf("    cr0=%08lx cr3=%016lx cr4=%08lx efer=%lx (guest sees %lx)\n",
		s->cr0, s->cr3, s->cr4, s->efer, s->efer & ~(uint64_t)EFER_SVME);
	kprintf("    cs=%04x base=%lx attr=%03x  %s mode\n", s->cs.selector, s->cs.base,
		s->cs.attrib, (s->efer & (1ull << 10)) ?
		((s->cs.attrib & SEG_ATTR_L) ? "64-bit" : "compatibility") :
		(s->cr0 & 1) ? "protected" : "real");
	kprintf("    last exit %s (0x%lx) info1=%lx info2=%lx; v_intr=%lx%s%s\n",
		svm_exit_name(c->exitcode), c->exitcode, c->exitinfo1, c->exitinfo2,
		c->v_intr, (c->eventinj & EVENT_VALID) ? ", event pending" : "",
		v->events_pending ? ", events to look at" : "");
}
