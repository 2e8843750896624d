/*
 * devices/lapic.h - the virtual local APIC of each vCPU (xAPIC, MMIO at the
 * vCPU's APIC_BASE, by default 0xfee00000). AMD APM vol. 2, chapter 16.
 *
 * The vCPU loop (core/intr.c) asks it for the highest deliverable vector and
 * acknowledges a vector when it injects it. Its TPR is the VMCB's V_TPR: with
 * V_INTR_MASKING the guest's CR8 writes land there, so the LAPIC reads and
 * writes the TPR through vlapic_tpr()/vlapic_set_tpr() of its vCPU.
 */
#ifndef YAKVM_DEVICES_LAPIC_H
#define YAKVM_DEVICES_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;
struct vlapic;

/* Delivery modes (ICR and IOAPIC redirection entries, bits 10:8). */
enum apic_delivery {
	APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
	APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7,
};

#define LAPIC_DEFAULT_BASE 0xfee00000ull

/* Allocates and resets the LAPIC of v (APIC ID = v->id). NULL if out of memory. */
struct vlapic *vlapic_create(struct vcpu *v);
void vlapic_reset(struct vlapic *l);

/* Register access at offset (0..0xff0) within the 4 KiB page. */
uint32_t vlapic_read(struct vlapic *l, uint32_t offset);
void vlapic_write(struct vlapic *l, uint32_t offset, uint32_t val);

/* An interrupt message arrives (from the IOAPIC, an IPI, the LAPIC's own
 * LVT): fixed and lowest-priority set IRR (and TMR for level); NMI, INIT,
 * SIPI and ExtINT are latched for the vCPU loop. Kicks the vCPU. */
void vlapic_accept(struct vlapic *l, unsigned mode, uint8_t vector, bool level);

/* Sends a message to every LAPIC of the VM that matches the destination
 * (physical: APIC ID, 0xff broadcast; logical: flat or cluster per DFR/LDR). */
void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical, unsigned mode,
		    uint8_t vector, bool level);

/* The highest vector in IRR whose priority class is above the PPR, or -1. */
int vlapic_pending_vector(struct vlapic *l);
/* The vCPU loop injected `vector`: IRR → ISR (and the PPR rises). */
void vlapic_ack(struct vlapic *l, uint8_t vector);
/* True if the PIC's INTR output reaches this CPU: the LAPIC is software-
 * disabled / globally disabled, or LINT0 is unmasked in ExtINT mode. */
bool vlapic_accepts_pic(struct vlapic *l);
/* Takes a latched NMI (true if there was one). */
bool vlapic_take_nmi(struct vlapic *l);
/* Takes a latched INIT; takes a latched SIPI and returns its vector (-1). */
bool vlapic_take_init(struct vlapic *l);
int vlapic_take_sipi(struct vlapic *l);

/* The vCPU's TPR lives in VMCB.V_TPR (bits 7:4 of the TPR). */
uint8_t vlapic_tpr(struct vlapic *l);
void vlapic_set_tpr(struct vlapic *l, uint8_t tpr);

/* TSC-deadline MSR (0x6e0). */
uint64_t vlapic_tsc_deadline(struct vlapic *l);
void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t tsc);

/* The machine_pc device row that routes MMIO 0xfee00000 to the LAPIC of
 * the accessing vCPU. */
extern const struct device_model lapic_mmio_model;

#endif
