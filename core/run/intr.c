/*
 * core/run/intr.c - event delivery to a vCPU (see intr.h).
 *
 * An external interrupt is acknowledged (LAPIC IRR→ISR, or the PIC's INTA)
 * only at the moment it is put in EVENTINJ, so it is delivered exactly once;
 * if that delivery is itself interrupted by an exit, EXITINTINFO brings it
 * back (core/run/vcpu.c). When the guest cannot take it (RFLAGS.IF=0, or in an
 * interrupt shadow after STI or MOV SS), yakvm sets V_IRQ with V_IGN_TPR and
 * intercepts VINTR: the CPU exits as soon as the guest could take a virtual
 * interrupt (15.21.4), and the loop injects the real one then.
 */
#include "core/run/intr.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "core/main.h"
#include "devices/vlapic.h"
#include "devices/pic.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/svm/svm.h"

static bool pic_reaches(struct vcpu *v)
{
	return v->id == 0 && v->vm->pic && vlapic_accepts_pic(v->lapic);
}

/* The vector that would be delivered now, or -1, and whether it is the
 * PIC's (ExtINT through LINT0). When the LAPIC and the PIC both have one,
 * they take turns: a flood of LAPIC interrupts must not starve the PIC's
 * (nor the other way round). */
static int choose_vector(struct vcpu *v, bool *from_pic)
{
	int l = vlapic_pending_vector(v->lapic);
	int p = pic_reaches(v) ? pic_pending_vector(v->vm->pic) : -1;
	*from_pic = p >= 0 && (l < 0 || v->pic_turn);
	return *from_pic ? p : l;
}

static int peek_vector(struct vcpu *v)
{
	bool from_pic;
	return choose_vector(v, &from_pic);
}

static int ack_vector(struct vcpu *v)
{
	bool from_pic;
	int vec = choose_vector(v, &from_pic);
	if (vec < 0)
		return -1;
	v->pic_turn = !from_pic;
	if (from_pic)
		return pic_ack(v->vm->pic);
	vlapic_ack(v->lapic, (uint8_t)vec);
	return vec;
}

/* Under QEMU's TCG (svm.virq_racy) VMRUN with V_IRQ set may lose an
 * interrupt the host's LAPIC raises at that moment (arch/x86/svm/svm.c):
 * instead of V_IRQ, the vCPU loop makes the guest exit again soon through
 * a short host timer (poll_window), and the events are looked at then.
 * The price: a window shorter than the poll (STI; NOP; CLI) is missed. */
static void poll_window(struct vcpu *v)
{
	v->poll_window = true;
	v->events_pending = true;
}

static void open_window(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	if (svm.virq_racy && !yakvm_opts.tcg_virq) {
		poll_window(v);
		return;
	}
	/* With tcg_virq=1 under TCG: V_IRQ for the exact window, the poll as
	 * a backstop, and the loop makes the host's LAPIC look at its IRR
	 * again after the exit (svm_virq_race_recover). */
	if (svm.virq_racy)
		poll_window(v);
	c->v_intr |= V_IRQ | V_IGN_TPR | (0xfull << V_INTR_PRIO_SHIFT);
	c->intercept_misc1 |= INTERCEPT_VINTR;
}

static void close_window(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	v->poll_window = false;
	c->v_intr &= ~(V_IRQ | V_IGN_TPR | (0xfull << V_INTR_PRIO_SHIFT));
	c->intercept_misc1 &= ~INTERCEPT_VINTR;
}

static void deliver_interrupt(struct vcpu *v);

void vcpu_deliver_events(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	v->events_pending = false;
	if (c->eventinj & EVENT_VALID) {
		/* An exception or a re-injection goes first; look again after. */
		v->events_pending = true;
		return;
	}
	if (!v->nmi_masked && vlapic_take_nmi(v->lapic)) {
		/* NMIs stay blocked until the handler's IRET (intercepted). */
		c->eventinj = EVENT_VALID | EVENT_TYPE_NMI | 2;
		v->nmi_masked = true;
		v->nmi_iret_seen = false;
		c->intercept_misc1 |= INTERCEPT_IRET;
		v->events_pending = true;
		return;
	}
	deliver_interrupt(v);
	/* An NMI waits for the IRET to complete. With IF=0 in the handler, the
	 * guest exits as soon as it could take a virtual interrupt, which is
	 * once the IRET has restored IF=1 (not with IF=1 already: that would
	 * exit again before the IRET, for ever); otherwise the next exit. */
	if (v->nmi_iret_seen && !(v->vmcb->save.rflags & RFLAGS_IF) &&
	    vlapic_has_nmi(v->lapic))
		open_window(v);
}

static void deliver_interrupt(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	const struct vmcb_save *s = &v->vmcb->save;
	if (peek_vector(v) < 0) {
		/* Held back by the TPR alone? Then have the CPU exit as soon as
		 * the guest lowers it below the vector's class (V_TPR compare,
		 * APM 15.21.4): a virtual interrupt of that priority and VINTR. */
		int blocked = vlapic_tpr_blocked_vector(v->lapic);
		close_window(v);
		/* QEMU takes the virtual interrupt when V_INTR_PRIO equals V_TPR
		 * too: after such a VINTR exit, wait for the next other exit
		 * rather than loop on VINTR. */
		if (blocked >= 0 && svm.virq_racy)
			poll_window(v);	/* see open_window() */
		else if (blocked >= 0 && c->exitcode != VMEXIT_VINTR) {
			c->v_intr |= V_IRQ | ((uint64_t)(blocked >> 4) << V_INTR_PRIO_SHIFT);
			c->intercept_misc1 |= INTERCEPT_VINTR;
		}
		return;
	}
	if ((s->rflags & RFLAGS_IF) && !(c->interrupt_shadow & 1)) {
		int vec = ack_vector(v);
		close_window(v);
		if (vec >= 0)
			c->eventinj = EVENT_VALID | EVENT_TYPE_INTR | (uint8_t)vec;
		v->events_pending = true;	/* there may be more */
		return;
	}
	open_window(v);
}

void svm_handle_vintr(struct vcpu *v)
{
	close_window(v);
	v->events_pending = true;
}

/* The IRET intercept is taken before the IRET executes (instruction
 * intercepts, APM vol. 2, 15.9), but NMIs stay blocked until it has
 * completed (Intel SDM vol. 3, 6.7.1): an NMI injected now would enter the
 * handler again at the IRET. So NMIs stay blocked until
 * an exit shows RIP has moved on from it (vcpu_nmi_after_exit), as KVM does
 * without vNMI. */
void svm_handle_iret(struct vcpu *v)
{
	v->nmi_iret_seen = true;
	v->nmi_iret_rip = v->vmcb->save.rip;
	v->vmcb->control.intercept_misc1 &= ~INTERCEPT_IRET;
	v->events_pending = true;
}

void vcpu_nmi_after_exit(struct vcpu *v)
{
	if (v->nmi_iret_seen && v->vmcb->save.rip != v->nmi_iret_rip) {
		v->nmi_iret_seen = false;
		v->nmi_masked = false;
		v->events_pending = true;
	}
}

bool vcpu_has_wakeup(struct vcpu *v)
{
	if (!v->nmi_masked && vlapic_has_nmi(v->lapic))
		return true;
	return (v->vmcb->save.rflags & RFLAGS_IF) && peek_vector(v) >= 0;
}
