/*
 * arch/x86/cpu_model.h - the virtual CPU yakvm offers, as data. One table
 * (cpu_model.c) lists every CPUID feature bit yakvm knows, offered or hidden,
 * and for each the MSRs and CR0/CR4/EFER/XCR0 bits it implies and how yakvm
 * handles them. At boot the host's CPUID is intersected with the table into
 * a policy (struct cpu_policy): CPUID (svm/cpuid.c), the MSR exits
 * (svm/msr.c, the MSR permission map) and the CR4/CR0/EFER checks
 * (svm/cr.c) all read that policy, so what CPUID shows is what is there.
 * docs/cpu-model.md is generated from the table by its unit test
 * (tests/unit/test_cpu_model.c), which also fails when the two differ. Pure code: host unit tests link it.
 */
#ifndef YAKVM_ARCH_X86_CPU_MODEL_H
#define YAKVM_ARCH_X86_CPU_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* Whether a feature is shown to the guest. */
enum cpu_offer {
	OFFER_HOST,	/* shown when the host has it (host ∩ model) */
	OFFER_ALWAYS,	/* shown whatever the host: yakvm implements it */
	OFFER_SYNTH,	/* a value yakvm computes per vCPU (APIC ID, OSXSAVE...) */
	OFFER_HIDDEN,	/* never shown; the reason is in the row */
};

/* Extra host conditions for OFFER_HOST rows (the state yakvm switches). */
enum cpu_need { NEED_NONE, NEED_XSAVE, NEED_AVX_STATE, NEED_TSC_AUX };

/* How yakvm answers an MSR. */
enum msr_how {
	MSR_EMULATED,	/* synthetic per-vCPU value in yakvm (svm/msr.c) */
	MSR_SWITCHED,	/* the CPU's own, switched per vCPU (VMRUN, VMLOAD, or yakvm) */
	MSR_HOST_RO,	/* the host's value, read-only */
};

/* Which code in svm/msr.c implements an MSR row (a switch over this enum
 * without a default: -Werror=switch proves each kind is handled). */
enum msr_kind {
	MSRK_PASSTHROUGH,	/* not intercepted: VMLOAD/VMSAVE switch it */
	MSRK_TSC,
	MSRK_APIC_BASE,
	MSRK_MTRR,
	MSRK_PAT,
	MSRK_EFER,
	MSRK_TSC_AUX,
	MSRK_TSC_DEADLINE,
	MSRK_MCG_CAP,
	MSRK_MCG_STATUS,
	MSRK_MCG_CTL,
	MSRK_MC_BANK,
	MSRK_PERF_LEGACY,
	MSRK_SYSCFG,
	MSRK_HWCR,
	MSRK_INT_PENDING,
	MSRK_KVM_PV_EOI,
	MSRK_COUNT
};

struct cpu_model_msr {
	uint32_t first, last;	/* inclusive range */
	uint8_t kind;		/* enum msr_kind */
	uint8_t how;		/* enum msr_how */
	const char *name;
};

#define CPU_MODEL_MAX_MSRS 6

struct cpu_feature {
	const char *name;
	uint32_t leaf;		/* 0: no CPUID bit (architectural on AMD64) */
	uint8_t sub;		/* subleaf */
	uint8_t reg;		/* enum cpuid_reg */
	uint8_t bit;
	uint8_t offer;		/* enum cpu_offer */
	uint8_t need;		/* enum cpu_need */
	uint64_t cr0, cr4, efer, xcr0;	/* the bits it makes writable */
	struct cpu_model_msr msrs[CPU_MODEL_MAX_MSRS];
	const char *what;	/* what yakvm does, or why it is hidden */
};

extern const struct cpu_feature cpu_model[];
extern const size_t cpu_model_count;

/* How a whole CPUID leaf is answered. */
enum leaf_kind {
	LEAF_FILTER,	/* host value & the offered bits of the table */
	LEAF_PASS,	/* host value as is: information only (caches, brand) */
	LEAF_SYNTH,	/* computed by yakvm (svm/cpuid.c) */
};

struct cpuid_leaf_rule {
	uint32_t leaf;
	uint8_t kind;		/* enum leaf_kind */
	const char *what;
};
extern const struct cpuid_leaf_rule cpuid_leaf_rules[];
extern const size_t cpuid_leaf_rule_count;
/* Leaves of no rule read as zero. */
const struct cpuid_leaf_rule *cpuid_leaf_rule(uint32_t leaf);

/* KVM's paravirtual interface, beside yakvm's own leaves (0x40000000):
 * Linux finds KVM's signature at any 0x100 step (hypervisor_cpuid_base()),
 * and its features in the next leaf's EAX. */
#define CPU_MODEL_KVM_LEAVES 0x40000100
#define CPU_MODEL_KVM_FEATURES 0x40000101

/* Highest leaves yakvm answers (CPUID 0 and 0x80000000 EAX are capped). */
#define CPU_MODEL_MAX_BASIC 0xd
#define CPU_MODEL_MAX_EXT   0x80000021

/* Machine-check banks offered (MCG_CAP.Count). */
#define CPU_MODEL_MCA_BANKS 4

/* What the host offers beyond its CPUID: the state yakvm can switch. */
struct cpu_host {
	bool xsave, avx_state, tsc_aux;
	/* The host's CPUID (a fake one in unit tests). */
	void (*cpuid)(uint32_t leaf, uint32_t sub, uint32_t out[4]);
};

/* The model, intersected with one host. */
#define CPU_POLICY_MAX 160
struct cpu_policy {
	bool offered[CPU_POLICY_MAX];	/* by index in cpu_model[] */
	uint64_t cr0_allowed, cr4_allowed, efer_allowed, xcr0_allowed;
};

void cpu_policy_build(struct cpu_policy *p, const struct cpu_host *h);
/* The bits of leaf/sub/reg the policy shows from the host's value
 * (OFFER_HOST and OFFER_ALWAYS rows; OFFER_SYNTH bits are the caller's). */
uint32_t cpu_policy_mask(const struct cpu_policy *p, uint32_t leaf, uint32_t sub,
			 unsigned reg);
/* The bits of leaf/sub/reg set whatever the host (OFFER_ALWAYS). */
uint32_t cpu_policy_forced(const struct cpu_policy *p, uint32_t leaf, uint32_t sub,
			   unsigned reg);
/* The MSR row covering msr if its feature is offered, else NULL (#GP). */
const struct cpu_model_msr *cpu_policy_msr(const struct cpu_policy *p, uint32_t msr);
/* Index of the feature called name, or -1. */
int cpu_model_find(const char *name);
bool cpu_policy_has(const struct cpu_policy *p, const char *name);

/* The policy of this host, built at boot by cpu_model_init() (svm/cpuid.c). */
extern struct cpu_policy cpu_policy;
void cpu_model_init(void);

#endif
