/*
 * arch/x86/svm/msr.c - RDMSR/WRMSR exits (EXITINFO1 = 0 read, 1 write;
 * APM vol. 2, 15.11). The MSR permission map (core/vm/vm.c) lets the guest reach
 * only the MSRs that VMRUN/VMLOAD/VMSAVE switch; every other access lands
 * here. Which MSRs exist is the CPU model's (arch/x86/cpu_model.c): an MSR
 * of an offered feature is answered by the code of its row's kind, per
 * vCPU; anything else gets #GP, as on a CPU without that MSR, and never the
 * host's value.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/fpu.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "arch/x86/svm/svm.h"
#include "devices/vlapic.h"
#include "core/run/lapic_window.h"
#include "lib/string.h"

#define MSR_MTRR_PHYS_BASE0 0x200
#define MSR_MTRR_FIX64K     0x250
#define MSR_MTRR_FIX16K_0   0x258
#define MSR_MTRR_FIX16K_1   0x259
#define MSR_MTRR_FIX4K_0    0x268
#define MSR_MTRR_DEF_TYPE   0x2ff
#define MSR_TSC_DEADLINE    0x6e0
#define MSR_MCG_CAP         0x179
#define MSR_MC0_CTL         0x400

/* MCG_CAP: the bank count and MCG_CTL_P (APM vol. 2, 9.3.1.1); no
 * extended or software-recovery capabilities. */
#define MCG_CAP_VALUE  (CPU_MODEL_MCA_BANKS | (1ull << 8))
/* MCG_STATUS: RIPV, EIPV, MCIP; the rest is reserved (9.3.1.2). */
#define MCG_STATUS_BITS 0x7ull
/* HWCR (APM vol. 2, 9.3.1; BKDG): TscFreqSel reads 1 (the TSC counts at
 * the P0 frequency) and ignores writes; McStatusWrEn makes MCi_STATUS
 * writable with non-zero values. Writes of TlbCacheDis, INVDWBINVD,
 * bit 6 and IgnneEm are kept but change nothing, as under KVM; other bits
 * give #GP. */
#define HWCR_TSC_FREQ_SEL    (1ull << 24)
#define HWCR_MC_STATUS_WR_EN (1ull << 18)
#define HWCR_KEPT (HWCR_MC_STATUS_WR_EN | (1ull << 3) | (1ull << 4) | (1ull << 6) | \
		   (1ull << 8))


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

void vcpu_msr_model_reset(struct vcpu *v)
{
	v->mcg_status = 0;
	v->mcg_ctl = 0;
	memset(v->mc_bank, 0, sizeof(v->mc_bank));
	v->hwcr = HWCR_TSC_FREQ_SEL;
}

static bool read_mtrr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	int fix = fixed_mtrr_index(msr);
	if (fix >= 0)
		*val = v->mtrr_fixed[fix];
	else if (msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 16)
		*val = v->mtrr_var[msr - MSR_MTRR_PHYS_BASE0];
	else if (msr == MSR_MTRR_CAP)
		*val = 0x508;	/* 8 variable ranges, fixed ranges, WC */
	else
		*val = v->mtrr_def_type;
	return true;
}

static bool write_mtrr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int fix = fixed_mtrr_index(msr);
	if (fix >= 0) {
		v->mtrr_fixed[fix] = val;
	} else if (msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 16) {
		v->mtrr_var[msr - MSR_MTRR_PHYS_BASE0] = val;
	} else if (msr == MSR_MTRR_DEF_TYPE) {
		if (val & ~0xcffull)
			return false;
		v->mtrr_def_type = val;
	} else {
		return false;	/* MTRRcap is read-only */
	}
	return true;
}

/* MCi_CTL, _STATUS, _ADDR, _MISC (APM vol. 2, 9.3.2). MISC reads 0 (no
 * error thresholding block: its Valid bit is clear). A non-zero STATUS
 * write needs HWCR.McStatusWrEn. */
static bool write_mc_bank(struct vcpu *v, uint32_t msr, uint64_t val)
{
	unsigned i = (msr - MSR_MC0_CTL) / 4, reg = (msr - MSR_MC0_CTL) % 4;
	if (reg == 1 && val && !(v->hwcr & HWCR_MC_STATUS_WR_EN))
		return false;
	v->mc_bank[i][reg] = val;
	return true;
}

/* MSR_KVM_PV_EOI_EN: bit 0 enables, bit 1 is reserved (the address is
 * 4-byte aligned); the flag must be RAM of this VM, as under KVM, which
 * gives #GP otherwise (msr.rst; devices/vlapic.h). */
static bool write_pv_eoi(struct vcpu *v, uint64_t val)
{
	if (val & 2)
		return false;
	uint8_t *flag = NULL;
	if (val & 1) {
		flag = vm_gpa_to_hva(v->vm, val & ~3ull, 4);
		if (!flag)
			return false;
	}
	vlapic_set_pv_eoi(v->lapic, val, flag);
	return true;
}

static bool read_msr(struct vcpu *v, const struct cpu_model_msr *row, uint32_t msr,
		     uint64_t *val)
{
	struct vmcb_save *s = &v->vmcb->save;
	*val = 0;
	switch ((enum msr_kind)row->kind) {
	case MSRK_PASSTHROUGH:
		return false;	/* never here: the MSRPM lets the guest reach it */
	case MSRK_TSC:
		*val = rdtsc() + v->vmcb->control.tsc_offset;
		return true;
	case MSRK_APIC_BASE:
		*val = v->apic_base;
		return true;
	case MSRK_MTRR:
		return read_mtrr(v, msr, val);
	case MSRK_PAT:
		*val = s->g_pat;
		return true;
	case MSRK_EFER:
		*val = s->efer & ~EFER_SVME;	/* SVM is hidden */
		return true;
	case MSRK_TSC_AUX:
		*val = v->fpu.tsc_aux;
		return true;
	case MSRK_TSC_DEADLINE:
		*val = vlapic_tsc_deadline(v->lapic);
		return true;
	case MSRK_MCG_CAP:
		*val = MCG_CAP_VALUE;
		return true;
	case MSRK_MCG_STATUS:
		*val = v->mcg_status;
		return true;
	case MSRK_MCG_CTL:
		*val = v->mcg_ctl;
		return true;
	case MSRK_MC_BANK:
		*val = v->mc_bank[(msr - MSR_MC0_CTL) / 4][(msr - MSR_MC0_CTL) % 4];
		return true;
	case MSRK_PERF_LEGACY:	/* present, not counting */
	case MSRK_SYSCFG:	/* no TOM2, no SME, no MTRR DRAM bits */
	case MSRK_INT_PENDING:	/* no C1E */
		return true;
	case MSRK_HWCR:
		*val = v->hwcr;
		return true;
	case MSRK_KVM_PV_EOI:
		*val = vlapic_pv_eoi_msr(v->lapic);
		return svm_kvm_pv(v->vm);
	case MSRK_COUNT:
		break;
	}
	return false;
}

static bool write_msr(struct vcpu *v, const struct cpu_model_msr *row, uint32_t msr,
		      uint64_t val)
{
	struct vmcb_save *s = &v->vmcb->save;
	switch ((enum msr_kind)row->kind) {
	case MSRK_PASSTHROUGH:
		return false;	/* never here: the MSRPM lets the guest reach it */
	case MSRK_TSC:
		v->vmcb->control.tsc_offset = val - rdtsc();
		return true;
	case MSRK_APIC_BASE:	/* moves the LAPIC (core/run/lapic_window.c) */
		return vcpu_set_apic_base(v, val);
	case MSRK_MTRR:
		return write_mtrr(v, msr, val);
	case MSRK_PAT:
		/* Reserved memory types would make VMRUN fail (15.25.8). */
		if (!pat_valid(val))
			return false;
		s->g_pat = val;
		return true;
	case MSRK_EFER:
		/* #GP for bits the model does not offer (SVME: SVM is hidden),
		 * and for a change of LME while paging is on (APM vol. 2,
		 * 14.6.1). */
		if (val & ~cpu_policy.efer_allowed)
			return false;
		if ((s->cr0 & CR0_PG) && ((val ^ s->efer) & EFER_LME))
			return false;
		s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		return true;
	case MSRK_TSC_AUX:
		/* Bits 63:32 are reserved (APM vol. 2, 13.2.4 "TSC_AUX"). The
		 * vCPU owns this CPU's TSC_AUX while it runs, so RDTSCP and
		 * RDPID read it natively; core/run/sched.c loads it with the FPU
		 * state on a switch (arch/x86/fpu.h). */
		if (val >> 32)
			return false;
		v->fpu.tsc_aux = val;
		wrmsr(MSR_TSC_AUX, val);
		return true;
	case MSRK_TSC_DEADLINE:
		vlapic_set_tsc_deadline(v->lapic, val);
		return true;
	case MSRK_MCG_CAP:
		return false;	/* read-only */
	case MSRK_MCG_STATUS:
		if (val & ~MCG_STATUS_BITS)
			return false;
		v->mcg_status = val;
		return true;
	case MSRK_MCG_CTL:
		/* All banks on or all off (as KVM; MCG_CAP.MCG_CTL_P is set). */
		if (val != 0 && val != ~0ull)
			return false;
		v->mcg_ctl = val;
		return true;
	case MSRK_MC_BANK:
		return write_mc_bank(v, msr, val);
	case MSRK_PERF_LEGACY:
		return true;	/* dropped: the counters do not count */
	case MSRK_SYSCFG:
	case MSRK_INT_PENDING:
		return val == 0;	/* its only value */
	case MSRK_HWCR:
		if (val & ~(HWCR_KEPT | HWCR_TSC_FREQ_SEL))
			return false;
		v->hwcr = (val & HWCR_KEPT) | HWCR_TSC_FREQ_SEL;
		return true;
	case MSRK_KVM_PV_EOI:
		return svm_kvm_pv(v->vm) && write_pv_eoi(v, val);
	case MSRK_COUNT:
		break;
	}
	return false;
}

void svm_handle_msr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.r[GPR_RCX];
	bool write = v->vmcb->control.exitinfo1 == 1;
	const struct cpu_model_msr *row = cpu_policy_msr(&cpu_policy, msr);
	bool ok = false;
	if (!row) {
		ok = false;	/* not in the model: #GP */
	} else if (write) {
		uint64_t val = (v->regs.r[GPR_RDX] << 32) | (uint32_t)v->regs.r[GPR_RAX];
		ok = write_msr(v, row, msr, val);
	} else {
		uint64_t val = 0;
		ok = read_msr(v, row, msr, &val);
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
