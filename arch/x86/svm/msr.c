/*
 * arch/x86/svm/msr.c - RDMSR/WRMSR exits (EXITINFO1 = 0 read, 1 write;
 * APM vol. 2, 15.11). The MSR permission map (core/vm.c) lets the guest reach
 * only the MSRs that VMRUN/VMLOAD/VMSAVE switch; every other access lands
 * here. Known MSRs are emulated per vCPU; anything else gets #GP, as on a
 * CPU without that MSR, and never the host's value.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "devices/lapic.h"
#include "core/lapic_window.h"

#define MSR_MTRR_PHYS_BASE0 0x200
#define MSR_MTRR_FIX64K     0x250
#define MSR_MTRR_FIX16K_0   0x258
#define MSR_MTRR_FIX16K_1   0x259
#define MSR_MTRR_FIX4K_0    0x268
#define MSR_MTRR_DEF_TYPE   0x2ff
#define MSR_TSC_DEADLINE    0x6e0

/* EFER bits a guest may set (the rest are reserved or yakvm's). */
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_FFXSR)

static bool pat_valid(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (v >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static int fixed_mtrr_index(uint32_t msr)
{
	if (msr == MSR_MTRR_FIX64K)
		return 0;
	if (msr == MSR_MTRR_FIX16K_0 || msr == MSR_MTRR_FIX16K_1)
		return 1 + (int)(msr - MSR_MTRR_FIX16K_0);
	if (msr >= MSR_MTRR_FIX4K_0 && msr <= MSR_MTRR_FIX4K_0 + 7)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_0);
	return -1;
}

static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vmcb_save *s = &v->vmcb->save;
	int fix = fixed_mtrr_index(msr);
	if (fix >= 0) {
		*val = v->mtrr_fixed[fix];
		return true;
	}
	if (msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 16) {
		*val = v->mtrr_var[msr - MSR_MTRR_PHYS_BASE0];
		return true;
	}
	switch (msr) {
	case MSR_EFER:
		*val = s->efer & ~EFER_SVME;	/* SVM is hidden */
		return true;
	case MSR_PAT:
		*val = s->g_pat;
		return true;
	case MSR_TSC:
		*val = rdtsc() + v->vmcb->control.tsc_offset;
		return true;
	case MSR_APIC_BASE:
		*val = v->apic_base;
		return true;
	case MSR_MTRR_CAP:
		*val = 0x508;	/* 8 variable ranges, fixed ranges, WC */
		return true;
	case MSR_MTRR_DEF_TYPE:
		*val = v->mtrr_def_type;
		return true;
	case MSR_TSC_DEADLINE:
		*val = vlapic_tsc_deadline(v->lapic);
		return true;
	case MSR_TSC_AUX:
		*val = v->fpu.tsc_aux;
		return fpu_host.tsc_aux;
	}
	return false;
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vmcb_save *s = &v->vmcb->save;
	int fix = fixed_mtrr_index(msr);
	if (fix >= 0) {
		v->mtrr_fixed[fix] = val;
		return true;
	}
	if (msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 16) {
		v->mtrr_var[msr - MSR_MTRR_PHYS_BASE0] = val;
		return true;
	}
	switch (msr) {
	case MSR_EFER:
		/* #GP for reserved bits and for SVME (SVM is hidden), and for a
		 * change of LME while paging is on (APM vol. 2, 14.6.1). */
		if (val & ~EFER_GUEST_BITS)
			return false;
		if ((s->cr0 & CR0_PG) && ((val ^ s->efer) & EFER_LME))
			return false;
		s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		return true;
	case MSR_PAT:
		/* Reserved memory types would make VMRUN fail (15.25.8). */
		if (!pat_valid(val))
			return false;
		s->g_pat = val;
		return true;
	case MSR_TSC:
		v->vmcb->control.tsc_offset = val - rdtsc();
		return true;
	case MSR_APIC_BASE:	/* moves the LAPIC (core/lapic_window.c) */
		return vcpu_set_apic_base(v, val);
	case MSR_MTRR_DEF_TYPE:
		if (val & ~0xcffull)
			return false;
		v->mtrr_def_type = val;
		return true;
	case MSR_TSC_DEADLINE:
		vlapic_set_tsc_deadline(v->lapic, val);
		return true;
	case MSR_TSC_AUX:
		/* Bits 63:32 are reserved (APM vol. 2, 13.2.4 "TSC_AUX"). The
		 * vCPU owns this CPU's TSC_AUX while it runs, so RDTSCP and
		 * RDPID read it natively; core/sched.c loads it with the FPU
		 * state on a switch (arch/x86/fpu.h). */
		if (!fpu_host.tsc_aux || (val >> 32))
			return false;
		v->fpu.tsc_aux = val;
		wrmsr(MSR_TSC_AUX, val);
		return true;
	}
	return false;
}

void yakvm_cpu_handle_msr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.r[GPR_RCX];
	bool write = v->vmcb->control.exitinfo1 == 1;
	bool ok;
	if (write) {
		uint64_t val = (v->regs.r[GPR_RDX] << 32) | (uint32_t)v->regs.r[GPR_RAX];
		ok = write_msr(v, msr, val);
	} else {
		uint64_t val = 0;
		ok = read_msr(v, msr, &val);
		if (ok) {
			v->regs.r[GPR_RAX] = (uint32_t)val;
			v->regs.r[GPR_RDX] = val >> 32;
		}
	}
	if (!ok) {
		vcpu_inject_gp(v);	/* RIP stays on the faulting instruction */
		return;
	}
	vcpu_skip_instruction(v);
}
