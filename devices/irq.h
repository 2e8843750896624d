/*
 * devices/irq.h - a VM's interrupt lines, as on a PC: ISA IRQs 0-15 reach both
 * the 8259A PIC pair and the IOAPIC (ISA IRQ 0 is IOAPIC pin 2, the override
 * every PC's ACPI MADT declares; the others map 1:1); IOAPIC pins 16-23 have
 * no PIC input. Device models call these; core/run/irq.c routes them.
 */
#ifndef YAKVM_DEVICES_IRQ_H
#define YAKVM_DEVICES_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* The level of a line (level-triggered devices: UART, RTC...). */
void vm_irq_set(struct vm *vm, unsigned irq, bool high);
/* A rising then falling edge (edge-triggered devices: the PIT). */
void vm_irq_pulse(struct vm *vm, unsigned irq);

/* HPET legacy replacement (IA-PC HPET 1.0a, 2.3.9.2.4): while on, what
 * the PIT and RTC set on IRQ 0 and 8 is remembered but not passed on; the
 * HPET drives those lines with vm_irq_set_replacing(). Switching it off
 * gives the lines back at the level the PIT and RTC last set. */
void vm_irq_legacy_replace(struct vm *vm, bool on);
void vm_irq_set_replacing(struct vm *vm, unsigned irq, bool high);

/* The state of an interrupt controller changed: the vCPUs of the VM must
 * look again for a pending interrupt (and halted ones may wake). */
void vm_intr_update(struct vm *vm);
/* The same for one vCPU. */
void vcpu_kick(struct vcpu *v);

/* The vCPU doing the current device access (the one whose exit is being
 * handled on this CPU), or NULL outside an exit. */
struct vcpu *vcpu_current(void);

/* Acknowledge notifiers (the model: KVM's IRQ acknowledge notifiers): a
 * timer that holds its next tick back until the guest has taken the
 * previous one learns of it here. The PIC reports the acknowledge of an
 * ISA IRQ (INTA or a poll), the IOAPIC the EOI of an edge entry's vector;
 * both report an input unmasked (a tick sent while it was masked may never
 * be taken). By GSI (ISA IRQ 0 is GSI 2). The controllers only note it,
 * under their locks; vm_irq_acks_run(), called by the vCPU loop with no
 * lock held, calls each notifier with the GSIs noted since (bit masks). */
struct irq_ack_notifier {
	void (*notify)(struct irq_ack_notifier *n, uint32_t acked, uint32_t unmasked);
	void *data;
};
#define VM_ACK_NOTIFIERS 4
/* From a device model's init(); at most VM_ACK_NOTIFIERS per VM. */
void vm_irq_ack_notifier_add(struct vm *vm, struct irq_ack_notifier *n);
void vm_irq_acked(struct vm *vm, unsigned gsi);
void vm_irq_unmasked(struct vm *vm, unsigned gsi);
void vm_irq_acks_run(struct vm *vm);

/* IOAPIC pin of an ISA IRQ. */
static inline unsigned isa_irq_to_gsi(unsigned irq) { return irq == 0 ? 2 : irq; }

#endif
