/*
 * core/run/irq.c - a VM's interrupt wiring (see devices/irq.h): ISA IRQs to the
 * PIC pair and the IOAPIC, and telling vCPUs to look for a new interrupt.
 */
#include "devices/irq.h"
#include "devices/pic.h"
#include "devices/ioapic.h"
#include "core/vm/vm.h"
#include "core/run/vcpu.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/interrupt.h"

#define LEGACY_REPLACED_IRQS ((1u << 0) | (1u << 8))

static void line_set(struct vm *vm, unsigned irq, bool high)
{
	if (irq < 16 && vm->pic)
		pic_set_irq(vm->pic, irq, high);
	unsigned gsi = irq < 16 ? isa_irq_to_gsi(irq) : irq;
	if (vm->ioapic && gsi < IOAPIC_PINS)
		ioapic_set_irq(vm->ioapic, gsi, high);
}

void vm_irq_set(struct vm *vm, unsigned irq, bool high)
{
	if (irq < 16 && (LEGACY_REPLACED_IRQS >> irq & 1)) {
		if (high)
			__atomic_fetch_or(&vm->legacy_irq_levels, 1u << irq, __ATOMIC_SEQ_CST);
		else
			__atomic_fetch_and(&vm->legacy_irq_levels, ~(1u << irq), __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&vm->legacy_replaced, __ATOMIC_SEQ_CST))
			return;
	}
	line_set(vm, irq, high);
}

void vm_irq_set_replacing(struct vm *vm, unsigned irq, bool high)
{
	line_set(vm, irq, high);
}

void vm_irq_legacy_replace(struct vm *vm, bool on)
{
	__atomic_store_n(&vm->legacy_replaced, on, __ATOMIC_SEQ_CST);
	uint32_t levels = __atomic_load_n(&vm->legacy_irq_levels, __ATOMIC_SEQ_CST);
	for (unsigned irq = 0; irq < 16; irq++)
		if (LEGACY_REPLACED_IRQS >> irq & 1)
			line_set(vm, irq, !on && (levels >> irq & 1));
}

void vm_irq_pulse(struct vm *vm, unsigned irq)
{
	vm_irq_set(vm, irq, true);
	vm_irq_set(vm, irq, false);
}

void vm_intr_update(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

void vcpu_kick(struct vcpu *v)
{
	/* Seen by the vCPU loop before its next VMRUN (arch/x86/svm/intr.c), or by the
	 * scheduler if the vCPU is halted. A vCPU at home on another CPU may be
	 * in the guest or that CPU asleep in HLT: an IPI makes it look. */
	__atomic_store_n(&v->events_pending, true, __ATOMIC_SEQ_CST);
	struct pcpu *home = v->home;
	if (!home)
		return;
	if (home == this_cpu()) {
		/* From the scheduler's side of this CPU (no vCPU current: an
		 * idle CPU's device poll, core/run/idle_poll.c): its loop
		 * looks again. */
		if (!home->current)
			home->timer_irq = true;
		return;
	}
	/* Not while its CPU runs another vCPU: the IPI would only make that
	 * one exit; the scheduler sees the flag when it picks this vCPU. The
	 * SEQ_CST pair with sched_loop()'s store of current: either it sees
	 * events_pending or this sees it current. Once per pass of its loop
	 * (which clears kick_ipi_sent before it looks at events_pending), so
	 * a storm of kicks costs the guest one exit. */
	struct vcpu *cur = __atomic_load_n(&home->current, __ATOMIC_SEQ_CST);
	if (cur && cur != v)
		return;
	if (cur == v && __atomic_exchange_n(&v->kick_ipi_sent, true, __ATOMIC_SEQ_CST))
		return;
	__atomic_fetch_add(&v->kick_ipis, 1, __ATOMIC_RELAXED);
	lapic_send_ipi(home->apic_id, VEC_RESCHED);
}

struct vcpu *vcpu_current(void)
{
	return this_cpu()->current;
}

/* ---- acknowledge notifiers (devices/irq.h) ---------------------------------- */

void vm_irq_ack_notifier_add(struct vm *vm, struct irq_ack_notifier *n)
{
	if (vm->ack_notifier_count < VM_ACK_NOTIFIERS)
		vm->ack_notifiers[vm->ack_notifier_count++] = n;
}

void vm_irq_acked(struct vm *vm, unsigned gsi)
{
	if (gsi < 32)
		__atomic_fetch_or(&vm->irq_acked, 1u << gsi, __ATOMIC_SEQ_CST);
}

void vm_irq_unmasked(struct vm *vm, unsigned gsi)
{
	if (gsi < 32)
		__atomic_fetch_or(&vm->irq_unmasked, 1u << gsi, __ATOMIC_SEQ_CST);
}

void vm_irq_acks_run(struct vm *vm)
{
	if (!__atomic_load_n(&vm->irq_acked, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&vm->irq_unmasked, __ATOMIC_RELAXED))
		return;
	uint32_t acked = __atomic_exchange_n(&vm->irq_acked, 0, __ATOMIC_SEQ_CST);
	uint32_t unmasked = __atomic_exchange_n(&vm->irq_unmasked, 0, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < vm->ack_notifier_count; i++)
		vm->ack_notifiers[i]->notify(vm->ack_notifiers[i], acked, unmasked);
}
