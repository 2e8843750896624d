/*
 * arch/x86/svm/vmcb_check.c - VMRUN's consistency checks (APM vol. 2, 15.5.1),
 * one by one, in the APM's order.
 */
#include <stdint.h>
#include "arch/x86/svm/vmcb_check.h"
#include "arch/x86/cpu.h"
#include "lib/format.h"

#ifndef YAKVM_HOST_TEST
#include "arch/x86/svm/svm.h"
#include "arch/x86/fpu.h"
#endif

/* EFER bits that are defined (APM vol. 2, 3.1.7): SCE LME LMA NXE SVME LMSLE
 * FFXSR TCE MCOMMIT INTWB UAIE AIBRSE; all others must be zero. */
#define EFER_DEFINED 0x36fd01ull
/* CR4 bits defined on AMD: 0-12, 16-18, 20-23. */
#define CR4_DEFINED 0xf71fffull

static bool fail(char *why, size_t len, const char *msg)
{
	snprintf(why, len, "%s", msg);
	return false;
}

static bool pat_ok(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (pat >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

bool vmcb_check_state(const struct vmcb *vmcb, unsigned phys_bits,
		      char *why, size_t len)
{
	const struct vmcb_save *s = &vmcb->save;
	const struct vmcb_control *c = &vmcb->control;
	bool lme = s->efer & EFER_LME, pg = s->cr0 & CR0_PG;

	if (!(s->efer & EFER_SVME))
		return fail(why, len, "EFER.SVME is zero");
	if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		return fail(why, len, "CR0.CD is zero and CR0.NW is set");
	if (s->cr0 >> 32)
		return fail(why, len, "CR0[63:32] are not zero");
	if (lme && pg) {
		/* Bits 63:52 are reserved whatever the width (APM vol. 2, 5.3.2). */
		unsigned width = phys_bits < 52 ? phys_bits : 52;
		if (s->cr3 >> width)
			return fail(why, len, "CR3 has bits set beyond the physical address width");
	} else if (s->cr3 >> 32) {
		return fail(why, len, "CR3[63:32] are not zero outside long mode");
	}
	if (s->cr4 & ~CR4_DEFINED)
		return fail(why, len, "CR4 has reserved bits set");
	if (s->dr6 >> 32)
		return fail(why, len, "DR6[63:32] are not zero");
	if (s->dr7 >> 32)
		return fail(why, len, "DR7[63:32] are not zero");
	if (s->efer & ~EFER_DEFINED)
		return fail(why, len, "EFER has reserved bits set");
	if (lme && pg && !(s->cr4 & CR4_PAE))
		return fail(why, len, "EFER.LME and CR0.PG are set but CR4.PAE is zero");
	if (lme && pg && !(s->cr0 & CR0_PE))
		return fail(why, len, "EFER.LME and CR0.PG are set but CR0.PE is zero");
	if (lme && pg && (s->cr4 & CR4_PAE) && (s->cs.attrib & SEG_ATTR_L) &&
	    (s->cs.attrib & SEG_ATTR_DB))
		return fail(why, len, "long mode with CS.L and CS.D both set");
	if (!(c->intercept_misc2 & INTERCEPT_VMRUN))
		return fail(why, len, "the VMRUN intercept is clear");
	if (phys_bits < 64 && ((c->iopm_base_pa + 3 * 4096 - 1) >> phys_bits ||
			       (c->msrpm_base_pa + 2 * 4096 - 1) >> phys_bits))
		return fail(why, len, "the IOPM or MSRPM lies beyond the physical address width");
	if (c->guest_asid == 0)
		return fail(why, len, "the guest ASID is zero");
	if ((c->np_enable & NP_ENABLE) && !pat_ok(s->g_pat))
		return fail(why, len, "G_PAT holds a reserved memory type");
	if (c->eventinj & EVENT_VALID) {
		uint64_t type = (c->eventinj >> 8) & 7;
		uint64_t vec = c->eventinj & 0xff;
		if (type == 1 || type > 4)
			return fail(why, len, "EVENTINJ has a reserved event type");
		if (type == EVENT_TYPE_EXC >> 8 && (vec == 2 || vec > 31))
			return fail(why, len, "EVENTINJ injects an exception with vector 2 or above 31");
	}
	return true;
}

#ifndef YAKVM_HOST_TEST
bool vmcb_check_guest_state(const struct vmcb *vmcb, char *why, size_t len)
{
	/* CR4.OSXSAVE is reserved (MBZ) on a CPU without XSAVE (APM vol. 2,
	 * 3.1.3). The guest's own MOV to CR4 gets #GP for it there; CPUID shows
	 * XSAVE exactly when the host has it (cpuid.c). */
	if (!fpu_host.xsave && (vmcb->save.cr4 & CR4_OSXSAVE))
		return fail(why, len, "CR4.OSXSAVE is set but the CPU has no XSAVE");
	return vmcb_check_state(vmcb, svm.phys_bits, why, len);
}
#endif
