/*
 * arch/x86/svm/cpuid.c - what a guest sees in CPUID. (Building every leaf
 * from the CPU model, arch/x86/cpu_model.c, as host and model, made Debian's
 * standard kernel fault in dmi_setup under QEMU for a reason not yet found;
 * until then the host's leaves are filtered here, with the model's masks
 * for the speculation, RDPRU, PCID and LA57 bits.) The host's values pass
 * through, less what yakvm does not virtualize (SVM itself, VMX, x2APIC,
 * MONITOR/MWAIT, performance monitoring, state components other than x87,
 * SSE and AVX), plus the hypervisor-present bit (Fn0000_0001 ECX[31]) and
 * yakvm's own leaves at 0x40000000 (the range hypervisors use for their
 * signature). XSAVE and AVX are shown exactly when yakvm switches their state
 * (arch/x86/fpu.h): XSAVE when the host has it, AVX (and AVX2, FMA, F16C, XOP,
 * FMA4, which use the same YMM state) when the host's XCR0 has AVX.
 * RDTSCP and RDPID pass through: their TSC_AUX is each vCPU's own (msr.c).
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "lib/string.h"

#define BIT(n) (1u << (n))

/* Fn0000_000D (XSAVE state), from the host's leaves, for the components the
 * guest may enable (fpu_host.xcr0). Sizes follow the guest's own XCR0: EBX of
 * subleaf 0 is the area size for the XCR0 in force (SDM vol. 1, 13.2; APM
 * vol. 3, appendix E.3.7). Subleaf 1: XSAVEOPT only (no XSAVES: IA32_XSS is
 * not virtualized; no XSAVEC/XGETBV ECX=1, to keep one save format). */
static void xsave_leaf(struct vcpu *v, uint32_t sub, struct cpuid_regs *r)
{
	uint64_t mask = fpu_host.xsave ? fpu_host.xcr0 : 0;
	struct cpuid_regs host = *r;
	r->eax = r->ebx = r->ecx = r->edx = 0;
	if (!mask)
		return;
	if (sub == 0) {
		uint32_t size = 576;	/* legacy area and header */
		for (unsigned i = 2; i < 63; i++) {
			if (!(v->fpu.xcr0 & (1ull << i)))
				continue;
			struct cpuid_regs c = cpuid(0xd, i);
			if (c.ebx + c.eax > size)
				size = c.ebx + c.eax;
		}
		r->eax = (uint32_t)mask;
		r->ebx = size;
		r->ecx = fpu_host.size;	/* all of mask: the host's XCR0 */
	} else if (sub == 1) {
		r->eax = host.eax & BIT(0);
	} else if (sub < 63 && sub >= 2 && (mask & (1ull << sub))) {
		*r = host;
	}
}

static void filter(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0x1:
		/* ECX: no MONITOR, VMX, SMX, EST, TM2, PDCM, x2APIC. Set:
		 * hypervisor present, and TSC-deadline, which the virtual LAPIC
		 * has whatever the host's has. */
		r->ecx &= ~(BIT(3) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(15) |
			    BIT(17) | BIT(21));	/* 17: PCID (CR4.PCIDE gives #GP) */
		r->ecx |= BIT(31) | BIT(24);
		/* XSAVE (26), and OSXSAVE (27) = the guest's own CR4.OSXSAVE
		 * (the host's CR4 is what CPUID would show here). AVX (28),
		 * FMA (12), F16C (29) only with AVX state switched. */
		r->ecx &= ~BIT(27);
		if (!fpu_host.xsave)
			r->ecx &= ~BIT(26);
		else if (v->vmcb->save.cr4 & CR4_OSXSAVE)
			r->ecx |= BIT(27);
		if (!fpu_host.xsave || !(fpu_host.xcr0 & XCR0_AVX))
			r->ecx &= ~(BIT(12) | BIT(28) | BIT(29));
		/* EBX: initial APIC ID = vCPU id, logical processors = vCPUs. */
		r->ebx = (r->ebx & 0x0000ffff) | (v->id << 24) |
			 ((v->vm->nvcpus & 0xff) << 16);
		/* EDX: no ACPI thermal, TM, PBE. */
		r->edx &= ~(BIT(22) | BIT(29) | BIT(31));
		if (v->vm->nvcpus > 1)
			r->edx |= BIT(28);	/* HTT: the count in EBX is valid */
		break;
	case 0x7:
		if (r->eax == 0 && r->ebx == 0 && r->ecx == 0 && r->edx == 0)
			break;
		/* EBX: no SGX, PQM, MPX, PQE, AVX-512*; AVX2 (5) only with AVX
		 * state switched. ECX: no PKU and OSPKE (PKRU is not switched),
		 * WAITPKG, AVX-512*. */
		r->ebx &= ~(BIT(2) | BIT(12) | BIT(14) | BIT(15) |
			    BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) |
			    BIT(28) | BIT(30) | BIT(31));
		if (!fpu_host.xsave || !(fpu_host.xcr0 & XCR0_AVX))
			r->ebx &= ~BIT(5);
		r->ecx &= ~(BIT(1) | BIT(3) | BIT(4) | BIT(5) | BIT(6) |
			    BIT(11) | BIT(12) | BIT(14));
		r->ecx &= ~BIT(16);	/* LA57: CR4.LA57 gives #GP */
		r->edx &= cpu_policy_mask(&cpu_policy, 7, 0, CPUID_EDX);
		break;
	case 0xd:
		xsave_leaf(v, sub, r);
		break;
	case 0x6:   /* thermal and power */
	case 0xa:   /* architectural performance monitoring */
	case 0xb:   /* x2APIC topology */
	case 0x1f:
	case 0x8000000a: /* SVM */
	case 0x8000001f: /* SEV */
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	case 0x80000001:
		/* ECX: no SVM, SKINIT, WDT, LWP, PerfCtrExtCore/NB/L2. */
		r->ecx &= ~(BIT(2) | BIT(12) | BIT(13) | BIT(15) | BIT(23) |
			    BIT(24) | BIT(28));
		/* XOP (11) and FMA4 (16) use the YMM state. */
		if (!fpu_host.xsave || !(fpu_host.xcr0 & XCR0_AVX))
			r->ecx &= ~(BIT(11) | BIT(16));
		/* EDX: RDTSCP (27) only with a TSC_AUX to read (msr.c). */
		if (!fpu_host.tsc_aux)
			r->edx &= ~BIT(27);
		break;
	case 0x80000007:
		r->eax = r->ebx = r->ecx = 0;
		r->edx &= BIT(8);	/* only the invariant-TSC bit */
		break;
	case 0x80000008:
	case 0x80000021:
		/* The CPU model's bits only (arch/x86/cpu_model.c): no
		 * speculation controls (IBPB, IBRS, STIBP, SSBD, AutoIBRS),
		 * no RDPRU, no INVLPGB. */
		if (leaf == 0x80000021)
			r->ebx = r->ecx = r->edx = 0;
		r->eax &= leaf == 0x80000021 ? cpu_policy_mask(&cpu_policy, leaf, 0, CPUID_EAX) : ~0u;
		r->ebx &= cpu_policy_mask(&cpu_policy, leaf, 0, CPUID_EBX);
		break;
	case 0x8000001e:
		/* Extended APIC ID = core id = vCPU id, node 0: never the
		 * host's APIC IDs (APM vol. 3, E.4.14). */
		r->eax = v->id;
		r->ebx = v->id & 0xff;
		r->ecx = r->edx = 0;
		break;
	}
}

void yakvm_cpu_handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.r[GPR_RAX];
	uint32_t sub = (uint32_t)v->regs.r[GPR_RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf == 0x40000000) {
		/* Max hypervisor leaf, and the signature "yakvm" in EBX:ECX:EDX. */
		static const char sig[12] = "yakvm";
		r.eax = 0x40000001;
		memcpy(&r.ebx, sig, 4);
		memcpy(&r.ecx, sig + 4, 4);
		memcpy(&r.edx, sig + 8, 4);
	} else if (leaf == 0x40000001) {
		r.eax = 1;	/* yakvm's interface version; no features yet */
	} else if (leaf < 0x40000000 || leaf >= 0x80000000) {
		r = cpuid(leaf, sub);
		filter(v, leaf, sub, &r);
	}
	v->regs.r[GPR_RAX] = r.eax;
	v->regs.r[GPR_RBX] = r.ebx;
	v->regs.r[GPR_RCX] = r.ecx;
	v->regs.r[GPR_RDX] = r.edx;
	vcpu_skip_instruction(v);
}
#include "arch/x86/cpu_model.h"
struct cpu_policy cpu_policy;
static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	struct cpuid_regs r = cpuid(leaf, sub);
	out[0] = r.eax; out[1] = r.ebx; out[2] = r.ecx; out[3] = r.edx;
}
void cpu_model_init(void)
{
	struct cpu_host h = { .xsave = fpu_host.xsave, .avx_state = fpu_host.xsave && (fpu_host.xcr0 & XCR0_AVX), .tsc_aux = fpu_host.tsc_aux, .cpuid = host_cpuid };
	cpu_policy_build(&cpu_policy, &h);
}
