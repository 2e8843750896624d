/*
 * devices/vlapic.h - the virtual local APIC of each vCPU (xAPIC, MMIO at the
 * vCPU's APIC_BASE, by default 0xfee00000). AMD APM vol. 2, chapter 16.
 *
 * The vCPU loop (core/run/intr.c) asks it for the highest deliverable vector and
 * acknowledges a vector when it injects it. Its TPR is the VMCB's V_TPR: with
 * V_INTR_MASKING the guest's CR8 writes land there, so the LAPIC reads and
 * writes the TPR through vlapic_tpr()/vlapic_set_tpr() of its vCPU.
 *
 * Choices where the hardware leaves room:
 * - The timer counts a 1 GHz input clock (1 tick per ns before the divider),
 *   as KVM's does; guests calibrate it themselves. A periodic timer's period
 *   is at least 100 us (10000 interrupts/s, as the PIT's), so initial count
 *   1 with divide by 1 cannot flood the host or starve the VMs sharing its
 *   CPU (each interrupt costs an exit); the current count of such a clamped timer
 *   still runs at the nominal rate. One-shot and TSC-deadline timers are not
 *   clamped: each expiry costs the guest a register write.
 * - Writes to read-only registers (ID, VERSION, PPR, ISR/TMR/IRR...) and to
 *   unimplemented offsets are ignored and set no ESR bit; reads of
 *   unimplemented offsets return 0. The APIC ID is v->id, read-only.
 * - MMIO reads of any size return the bytes of the registers they cover;
 *   only 16-byte aligned 32-bit writes reach a register, others are ignored.
 * - An ICR send with a fixed/lowest vector below 16 sets ESR bit 5 and is
 *   not sent; a received one sets ESR bit 6 and is dropped. A software-
 *   disabled LAPIC drops fixed and lowest-priority messages.
 * - A globally disabled LAPIC (APIC_BASE bit 11 clear) takes no messages.
 * - Lowest priority goes to the lowest-numbered vCPU that matches.
 * - IPIs complete synchronously: ICR delivery status always reads 0.
 *
 * Locking: each vlapic has its own lock. The LAPIC calls out (other LAPICs,
 * ioapic_eoi, vcpu_kick) only after releasing it, so the order is
 * IOAPIC -> LAPIC -> timer list, never LAPIC -> IOAPIC.
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
/* Its VM has stopped: its timer never fires again (core/run/timer.h). */
void vlapic_stop(struct vlapic *l);

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
/* The highest IRR vector held back only by the TPR, or -1: the guest can
 * release it with MOV CR8, which does not exit. */
int vlapic_tpr_blocked_vector(struct vlapic *l);
/* The vCPU loop injected `vector`: IRR → ISR (and the PPR rises). */
void vlapic_ack(struct vlapic *l, uint8_t vector);
/* True if the PIC's INTR output reaches this CPU: the LAPIC is software-
 * disabled / globally disabled, or LINT0 is unmasked in ExtINT mode. */
bool vlapic_accepts_pic(struct vlapic *l);
/* Takes a latched NMI (true if there was one); has_nmi only looks. */
bool vlapic_take_nmi(struct vlapic *l);
bool vlapic_has_nmi(struct vlapic *l);
/* Takes a latched ExtINT message (an IOAPIC pin in ExtINT mode): the vCPU
 * loop then takes the vector from the PIC (not wired up yet). */
bool vlapic_take_extint(struct vlapic *l);
/* Takes a latched INIT (which drops a latched NMI and ExtINT and puts the
 * LAPIC in wait-for-SIPI); takes a latched SIPI and returns its vector (-1),
 * which ends wait-for-SIPI. In wait-for-SIPI: NMIs are dropped (the CPU runs
 * nothing that could take them); a SIPI is latched only there or after an
 * INIT not yet taken, so a stray SIPI to a running CPU is ignored and cannot
 * start it after a later INIT; an INIT voids a SIPI latched before it. */
bool vlapic_take_init(struct vlapic *l);
int vlapic_take_sipi(struct vlapic *l);
/* The vCPU is created or reset into wait-for-SIPI (APs) or not (the BSP). */
void vlapic_set_wait_sipi(struct vlapic *l, bool waiting);

/* The vCPU's TPR lives in VMCB.V_TPR (bits 7:4 of the TPR); TPR[3:0] is
 * kept in the LAPIC and reads 0 once a MOV CR8 has changed V_TPR. Called by
 * the vCPU itself (V_TPR shares its VMCB field with V_IRQ). */
uint8_t vlapic_tpr(struct vlapic *l);
void vlapic_set_tpr(struct vlapic *l, uint8_t tpr);

/* TSC-deadline MSR (0x6e0): reads 0 and ignores writes unless LVT Timer is
 * in TSC-deadline mode; 0 disarms; it reads 0 again once the timer fired. */
uint64_t vlapic_tsc_deadline(struct vlapic *l);
void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t tsc);

/* KVM's paravirtual EOI (MSR_KVM_PV_EOI_EN 0x4b564d04, Linux's
 * Documentation/virt/kvm/x86/msr.rst), which Linux uses when CPUID shows
 * KVM's leaves (arch/x86/svm/cpuid.c): before VMRUN, when the vector in
 * service may simply be cleared, yakvm sets bit 0 of a guest byte; the
 * guest's EOI then clears it instead of writing the EOI register (an
 * exit); after the exit yakvm takes the flag back, and if it was cleared,
 * does the EOI. A guest that ignores the flag and writes the register
 * gets the same EOI. set_pv_eoi: flag is the byte in the VM's RAM, NULL
 * to turn it off; msr the value read back. A reset turns it off. */
void vlapic_set_pv_eoi(struct vlapic *l, uint64_t msr, uint8_t *flag);
uint64_t vlapic_pv_eoi_msr(struct vlapic *l);
void vlapic_pv_eoi_arm(struct vlapic *l);	/* just before VMRUN */
void vlapic_pv_eoi_collect(struct vlapic *l);	/* just after #VMEXIT */
uint64_t vlapic_pv_eois(struct vlapic *l);	/* EOIs through the flag */
/* EOI register writes that ended a vector: the LAPIC timer's (LVT Timer's
 * vector) or any other (stats: which exits are the timer's). */
uint64_t vlapic_eoi_writes(struct vlapic *l, bool timer);

/* The machine_pc device row that routes MMIO at a vCPU's LAPIC page
 * (0xfee00000 unless moved, core/run/lapic_window.h) to that vCPU's LAPIC. */
extern const struct device_model lapic_mmio_model;

#endif
