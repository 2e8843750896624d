/*
 * arch/x86/svm/svm.h - turning SVM on, and what this CPU's SVM offers
 * (CPUID Fn8000_000A, APM vol. 2, 15.4 "Enabling SVM" and appendix E).
 */
#ifndef YAKVM_ARCH_X86_SVM_SVM_H
#define YAKVM_ARCH_X86_SVM_SVM_H

#include <stdint.h>
#include <stdbool.h>

struct svm_features {
	uint32_t revision;
	uint32_t nasid;           /* number of ASIDs; ASID 0 is the host's */
	bool npt;                 /* nested paging */
	bool nrips;               /* VMCB.next_rip filled on exits */
	bool flush_by_asid;       /* TLB_CONTROL = 3 */
	bool decode_assists;      /* instruction bytes in the VMCB */
	bool vgif;
	bool tcg;                 /* QEMU's TCG emulator (CPUID 0x40000000
				   * "TCGTCGTCGTCG"): the quirks below */
	bool dr7_by_mov;          /* TCG: guest DR7 works only if MOVed too */
	bool cpu0_racy;           /* TCG: CPU 0 is unsafe for vCPUs beside
				   * other CPUs (core/run/sched.c) */
	bool virq_racy;           /* TCG: VMRUN with V_IRQ may lose a host
				   * interrupt (arch/x86/svm/intr.c) */
	bool inject_racy;         /* TCG: an injected interrupt may come twice
				   * unless an exit follows it (run.c); no
				   * PV EOI by default (svm_kvm_pv) */
	bool vmcb_clean;
	uint32_t phys_bits;       /* host physical address width */
};

extern struct svm_features svm;

struct vm;
/* Whether the VM sees KVM's leaves and PV EOI (kvm_pv=, devices/vlapic.h). */
bool svm_kvm_pv(const struct vm *vm);

/* Checks that this CPU can run yakvm's guests, then sets EFER.SVME and
 * EFER.NXE and writes VM_HSAVE_PA. On failure returns false and fills
 * why[] with a paragraph for the user. */
bool yakvm_cpu_svm_enable(uint64_t hsave_pa, char *why, size_t whylen);

struct pcpu;
struct vcpu;
struct vmcb;
struct vcpu_boot_state;

/* Builds `vmcb` (the vCPU's or its spare) with the intercepts and the
 * register state `s` (arch/x86/svm/vmcb_init.c, behind vendor_vcpu_reset). */
void yakvm_vcpu_init_vmcb(struct vcpu *v, struct vmcb *vmcb, const struct vcpu_boot_state *s);

/* Everything SVM needs on one CPU: its host-save area, SVM enabled, and its
 * host VMCB holding the state VMRUN does not restore (saved by VMSAVE). */
bool svm_cpu_init(struct pcpu *p, char *why, size_t whylen);

/* After a VMRUN with V_IRQ under TCG (tcg_virq=1, arch/x86/svm/intr.c): an
 * interrupt request that VMRUN's race lost stays in the host LAPIC's IRR
 * unseen. A write of the TPR (CR8, same value) makes QEMU's LAPIC look at
 * its IRR again and raise the request; on hardware it changes nothing. */
static inline void svm_virq_race_recover(void)
{
	uint64_t tpr;
	__asm__ volatile("mov %%cr8, %0" : "=r"(tpr));
	__asm__ volatile("mov %0, %%cr8" ::"r"(tpr) : "memory");
}

#endif
