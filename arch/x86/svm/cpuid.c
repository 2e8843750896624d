/*
 * arch/x86/svm/cpuid.c - what a guest sees in CPUID: the CPU model of
 * arch/x86/cpu_model.c intersected with the host (cpu_model_init() builds
 * that policy at boot). Each leaf is answered by its rule in the model:
 * filtered (the host's bits that the model offers, plus the bits yakvm
 * implements whatever the host), passed (information only: caches, brand),
 * synthesized (topology, XSAVE sizes, yakvm's own leaves at 0x40000000), or
 * zero for every leaf the model does not list. The topology is one package
 * of vCPU-count cores, APIC ID = vCPU id; the host's APIC IDs never show.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/fpu.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "arch/x86/svm/svm.h"
#include "lib/string.h"

#define BIT(n) (1u << (n))

struct cpu_policy cpu_policy;
static uint32_t host_max_basic, host_max_ext;

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	struct cpuid_regs r = cpuid(leaf, sub);
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void cpu_model_init(void)
{
	struct cpu_host h = {
		.xsave = fpu_host.xsave,
		.avx_state = fpu_host.xsave && (fpu_host.xcr0 & XCR0_AVX),
		.tsc_aux = fpu_host.tsc_aux,
		.cpuid = host_cpuid,
	};
	host_max_basic = cpuid(0, 0).eax;
	host_max_ext = cpuid(0x80000000, 0).eax;
	cpu_policy_build(&cpu_policy, &h);
}

/* Fn0000_000D (XSAVE state), from the host's leaves, for the components the
 * guest may enable (fpu_host.xcr0). Sizes follow the guest's own XCR0: EBX of
 * subleaf 0 is the area size for the XCR0 in force (SDM vol. 1, 13.2; APM
 * vol. 3, appendix E.3.7). Subleaf 1: XSAVEOPT only (no XSAVES: IA32_XSS is
 * not virtualized; no XSAVEC/XGETBV ECX=1, to keep one save format). */
static void xsave_leaf(struct vcpu *v, uint32_t sub, struct cpuid_regs *r)
{
	uint64_t mask = cpu_policy.xcr0_allowed;
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

static uint32_t filter_reg(uint32_t host, uint32_t leaf, uint32_t sub, unsigned reg)
{
	return (host & cpu_policy_mask(&cpu_policy, leaf, sub, reg)) |
	       cpu_policy_forced(&cpu_policy, leaf, sub, reg);
}

static void filter(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	struct cpuid_regs host = *r;
	unsigned n = v->vm->nvcpus;
	/* Only leaf 7 has subleaves here; elsewhere ECX is ignored, and
	 * software calls CPUID 1 with anything in ECX. */
	uint32_t msub = leaf == 0x7 ? sub : 0;
	r->eax = filter_reg(host.eax, leaf, msub, CPUID_EAX);
	r->ebx = filter_reg(host.ebx, leaf, msub, CPUID_EBX);
	r->ecx = filter_reg(host.ecx, leaf, msub, CPUID_ECX);
	r->edx = filter_reg(host.edx, leaf, msub, CPUID_EDX);
	switch (leaf) {
	case 0x1:
		r->eax = host.eax;	/* family, model, stepping */
		/* EBX: initial APIC ID = vCPU id, logical processors = vCPUs,
		 * CLFLUSH size and brand index the host's. */
		r->ebx = (host.ebx & 0x0000ffff) | (v->id << 24) | ((n & 0xff) << 16);
		if (n > 1)
			r->edx |= BIT(28);	/* HTT: the count in EBX is valid */
		/* OSXSAVE = the guest's own CR4.OSXSAVE (APM vol. 3, E.3.2). */
		if (cpu_policy_has(&cpu_policy, "OSXSAVE") &&
		    (v->vmcb->save.cr4 & CR4_OSXSAVE))
			r->ecx |= BIT(27);
		break;
	case 0x7:
		if (sub != 0)
			*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x80000001:
		r->eax = host.eax;	/* family, model, stepping */
		r->ebx = host.ebx;	/* brand id, package type */
		if (n > 1)
			r->ecx |= BIT(1);	/* CmpLegacy: cores, not threads */
		break;
	case 0x80000008:
		r->eax = host.eax;	/* physical and linear address sizes */
		/* NC = vCPUs - 1; ApicIdSize 0: derived from NC (APM vol. 3,
		 * E.4.7). */
		r->ecx = (n - 1) & 0xff;
		r->edx = 0;
		break;
	}
}

/* A hypervisor's first leaf: its highest leaf, and its 12-byte signature
 * in EBX:ECX:EDX. */
static void signature(struct cpuid_regs *r, uint32_t max_leaf, const char *name)
{
	char sig[12] = { 0 };
	memcpy(sig, name, strlen(name) < sizeof(sig) ? strlen(name) : sizeof(sig));
	r->eax = max_leaf;
	memcpy(&r->ebx, sig, 4);
	memcpy(&r->ecx, sig + 4, 4);
	memcpy(&r->edx, sig + 8, 4);
}

static void synth(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0x0:
		*r = cpuid(0, 0);
		if (r->eax > CPU_MODEL_MAX_BASIC)
			r->eax = CPU_MODEL_MAX_BASIC;
		break;
	case 0x80000000:
		*r = cpuid(0x80000000, 0);
		if (r->eax > CPU_MODEL_MAX_EXT)
			r->eax = CPU_MODEL_MAX_EXT;
		break;
	case 0xd:
		*r = cpuid(0xd, sub);
		xsave_leaf(v, sub, r);
		break;
	case 0x40000000:
		signature(r, 0x40000001, "yakvm");
		break;
	case 0x40000001:
		r->eax = 1;	/* yakvm's interface version; no features yet */
		break;
	case CPU_MODEL_KVM_LEAVES:
		if (svm_kvm_pv(v->vm))
			signature(r, CPU_MODEL_KVM_FEATURES, "KVMKVMKVM");
		break;
	case CPU_MODEL_KVM_FEATURES:
		if (svm_kvm_pv(v->vm))
			r->eax = cpu_policy_forced(&cpu_policy, leaf, 0, CPUID_EAX);
		break;
	case 0x8000001e:
		/* Extended APIC ID, compute unit (core) id with one thread per
		 * core, node 0 of one node (APM vol. 3, E.4.14). */
		r->eax = v->id;
		r->ebx = v->id & 0xff;
		break;
	}
}

/* Off by default under TCG (svm.inject_racy): PV EOI takes the EOI's exit
 * away, which left TCG's second-delivery window open for milliseconds
 * before run.c's self-IPI closed it (docs/status.md). */
bool svm_kvm_pv(const struct vm *vm)
{
	enum vm_kvm_pv k = vm->desc.kvm_pv;
	return k == VM_KVM_PV_ON || (k == VM_KVM_PV_DEFAULT && !svm.inject_racy);
}

/* The guest's CPUID leaf/sub, from the model and this host. */
static void answer(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	const struct cpuid_leaf_rule *rule = cpuid_leaf_rule(leaf);
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (!rule)
		return;
	if (rule->kind == LEAF_SYNTH) {
		synth(v, leaf, sub, r);
		return;
	}
	bool ext = leaf >= 0x80000000;
	if (leaf > (ext ? host_max_ext : host_max_basic))
		return;		/* the host has no such leaf: zeros, as on AMD */
	*r = cpuid(leaf, sub);
	if (rule->kind == LEAF_FILTER)
		filter(v, leaf, sub, r);
}

void svm_handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.r[GPR_RAX];
	uint32_t sub = (uint32_t)v->regs.r[GPR_RCX];
	struct cpuid_regs r;
	answer(v, leaf, sub, &r);
	v->regs.r[GPR_RAX] = r.eax;
	v->regs.r[GPR_RBX] = r.ebx;
	v->regs.r[GPR_RCX] = r.ecx;
	v->regs.r[GPR_RDX] = r.edx;
	vcpu_skip_instruction(v);
}
