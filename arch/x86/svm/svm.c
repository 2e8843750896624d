/*
 * arch/x86/svm/svm.c - yakvm_cpu_svm_enable(): the checks of APM vol. 2,
 * 15.4 "Enabling SVM" (CPUID Fn8000_0001 ECX.SVM, VM_CR.SVMDIS and VM_CR.LOCK),
 * our own need for nested paging (15.25), then EFER.SVME and VM_HSAVE_PA.
 */
#include <stddef.h>
#include "arch/x86/svm/svm.h"
#include "arch/x86/vendor.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/lapic.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

#define VM_CR_LOCK   (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)

struct svm_features svm;

/* A 12-character CPUID signature: three registers' bytes, in that order. */
static bool signature_is(uint32_t a, uint32_t b, uint32_t c, const char *want)
{
	char sig[13];
	memcpy(sig, &a, 4);
	memcpy(sig + 4, &b, 4);
	memcpy(sig + 8, &c, 4);
	sig[12] = 0;
	return strcmp(sig, want) == 0;
}

static bool vendor_is(const char *want)
{
	struct cpuid_regs r = cpuid(0, 0);
	return signature_is(r.ebx, r.edx, r.ecx, want);
}

/* True under QEMU's TCG: its hypervisor leaf says "TCGTCGTCGTCG" (any CPU
 * model, qemu64 or EPYC alike; KVM says "KVMKVMKVM", hardware nothing). */
static bool is_tcg(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 31)))	/* the hypervisor bit */
		return false;
	struct cpuid_regs r = cpuid(0x40000000, 0);
	return signature_is(r.ebx, r.ecx, r.edx, "TCGTCGTCGTCG");
}

/* VEC_EXIT_NOW: the #VMEXIT it caused was its purpose. */
static void exit_now_irq(struct intr_frame *f)
{
	lapic_eoi();
}

static void read_features(void)
{
	struct cpuid_regs a = cpuid(0x8000000a, 0);
	svm.revision = a.eax & 0xff;
	svm.nasid = a.ebx;
	svm.npt = a.edx & (1u << 0);
	svm.nrips = a.edx & (1u << 3);
	svm.vmcb_clean = a.edx & (1u << 5);
	svm.flush_by_asid = a.edx & (1u << 6);
	svm.decode_assists = a.edx & (1u << 7);
	svm.vgif = a.edx & (1u << 16);
	svm.phys_bits = cpuid(0x80000008, 0).eax & 0xff;
	svm.tcg = is_tcg();
	/* QEMU 7.2's TCG arms DR0-DR3 breakpoints only on a MOV to DR7,
	 * never from the DR7 that VMRUN loads (arch/x86/svm/run.c works round it). */
	svm.dr7_by_mov = svm.tcg;
	/* TCG's FXRSTOR, XRSTOR, FRSTOR and FLDENV, on any CPU, clear a bit
	 * of CPU 0's hidden flags (IGNNE# in its hflags2) without a lock,
	 * and nested paging and GIF are bits of the same word: now and then
	 * one of CPU 0's own VMRUN or #VMEXIT updates is undone (core/run/sched.c
	 * keeps vCPUs off CPU 0). */
	svm.cpu0_racy = svm.tcg;
	/* TCG's VMRUN sets its CPU's VIRQ request bit (for a VMCB with
	 * V_IRQ) without the lock under which the LAPIC, from QEMU's main
	 * thread, sets the bit that says an interrupt is pending: when they
	 * meet, the host's timer interrupt stays in the LAPIC's IRR, the CPU
	 * never looks, and a guest that never exits runs on for ever
	 * (arch/x86/svm/intr.c does without V_IRQ). */
	svm.virq_racy = svm.tcg;
	/* TCG's VMRUN injects an EVENTINJ interrupt by setting the CPU's
	 * exception index to the vector, and never resets it: if the CPU
	 * leaves its execution loop (the -icount budget spent, a kick) before
	 * an exception or a #VMEXIT overwrites it, the vector is delivered
	 * again, whatever the guest's IF (seen: Linux under -icount hung with
	 * IF=0 on a spinlock the first delivery's handler held;
	 * tests/guests/intr_once.c counts the second deliveries). run.c
	 * closes the window at once: a self-IPI, pending before VMRUN, makes
	 * the guest exit right after the injection. */
	svm.inject_racy = svm.tcg;
	if (svm.inject_racy)
		irq_register(VEC_EXIT_NOW, exit_now_irq);
	if (!svm.phys_bits)
		svm.phys_bits = 36;
}

bool yakvm_cpu_svm_enable(uint64_t hsave_pa, char *why, size_t whylen)
{
	bool amd = vendor_is("AuthenticAMD") || vendor_is("HygonGenuine");
	if (cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpuid(0x80000001, 0).ecx & (1u << 2))) {
		snprintf(why, whylen, "%s",
			 amd ? "This CPU has no AMD-V (SVM): CPUID Fn8000_0001 ECX.SVM=0. "
			       "yakvm needs an AMD64 CPU with SVM and nested paging."
			     : "This is not an AMD CPU with AMD-V (SVM). yakvm runs only on "
			       "AMD processors with SVM and nested paging (no Intel VT-x yet).");
		return false;
	}
	uint64_t vm_cr = rdmsr(MSR_VM_CR);
	if (vm_cr & VM_CR_SVMDIS) {
		snprintf(why, whylen, "%s",
			 vm_cr & VM_CR_LOCK
			 ? "SVM is disabled in the firmware setup (VM_CR.SVMDIS=1, locked). "
			   "Reboot into the firmware (BIOS/UEFI) setup, enable \"SVM Mode\" "
			   "(often under Advanced > CPU Configuration, also called AMD-V or "
			   "Virtualization Technology), save, and boot yakvm again."
			 : "SVM is disabled (VM_CR.SVMDIS=1) but not locked; yakvm does not "
			   "override the firmware's choice. Enable \"SVM Mode\" in the firmware setup.");
		return false;
	}
	read_features();
	if (!svm.npt) {
		snprintf(why, whylen, "This CPU's SVM has no nested paging "
			 "(CPUID Fn8000_000A EDX.NP=0); yakvm needs it.");
		return false;
	}
	if (svm.nasid < 2) {
		snprintf(why, whylen, "This CPU's SVM reports %u ASIDs; yakvm needs "
			 "at least one for guests.", svm.nasid);
		return false;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME | EFER_NXE);
	/* 15.30.4: the host-save area, one 4 KiB page per CPU. */
	wrmsr(MSR_VM_HSAVE_PA, hsave_pa);
	return true;
}

bool svm_cpu_init(struct pcpu *p, char *why, size_t whylen)
{
	p->hsave_pa = pmm_alloc_page();
	p->host_state_pa = pmm_alloc_page();	/* a VMCB's page, for VMSAVE */
	if (!p->hsave_pa || !p->host_state_pa) {
		snprintf(why, whylen, "out of memory for the SVM host state");
		return false;
	}
	if (!yakvm_cpu_svm_enable(p->hsave_pa, why, whylen))
		return false;
	/* The host's FS, GS (the per-CPU pointer), TR, LDTR and syscall MSRs,
	 * which #VMEXIT does not restore; vmrun.S reloads them after each exit. */
	__asm__ volatile("vmsave %%rax" ::"a"(p->host_state_pa) : "memory");
	return true;
}

bool vendor_cpu_init(struct pcpu *p, char *why, size_t whylen)
{
	return svm_cpu_init(p, why, whylen);
}

void vendor_log_features(void)
{
	log_info("SVM enabled: revision %u, %u ASIDs, nested paging%s%s%s%s",
		 svm.revision, svm.nasid, svm.nrips ? ", nRIP-save" : "",
		 svm.decode_assists ? ", decode assists" : "",
		 svm.flush_by_asid ? ", flush-by-ASID" : "", svm.vgif ? ", vGIF" : "");
	if (svm.inject_racy)
		log_info("QEMU TCG: an exit right after each injected interrupt: TCG may "
			 "deliver it a second time until the next exit");
	if (svm.inject_racy)
		log_info("QEMU TCG: KVM's PV EOI only for VMs with kvm_pv=on: TCG may deliver "
			 "an injected interrupt twice when no exit follows it");
}

bool vendor_cpu0_racy(void)
{
	return svm.cpu0_racy;
}
