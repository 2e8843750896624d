/*
 * tests/unit/test_cpu_model.c - the CPU model's table (arch/x86/cpu_model.c)
 * and its gating: a feature is shown only with the MSRs and control-register
 * bits the architecture says it brings (the list below is the APM's, written
 * independently of the table), hidden features leave no MSR and no CR bit
 * behind, speculation controls are hidden, and docs/cpu-model.md is the
 * table's rendering. `test_cpu_model --write-doc` prints that rendering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu_model.h"
#include "cpu_model_doc.h"

#define B(n) (1ull << (n))

/* A fake host: every leaf up to the model's maxima, every bit set except
 * those cleared in holes[]. */
static struct { uint32_t leaf; unsigned reg, bit; } holes[8];
static unsigned nholes;

static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	for (unsigned r = 0; r < 4; r++)
		out[r] = 0xffffffffu;
	if (leaf == 0)
		out[0] = 0x10;
	if (leaf == 0x80000000)
		out[0] = 0x80000021;
	for (unsigned i = 0; i < nholes; i++)
		if (holes[i].leaf == leaf && sub == 0)
			out[holes[i].reg] &= ~(1u << holes[i].bit);
}

static struct cpu_policy pol;

static void build(bool xsave, bool avx, bool tsc_aux)
{
	struct cpu_host h = { xsave, avx, tsc_aux, fake_cpuid };
	cpu_policy_build(&pol, &h);
}

static int setup_full(void **state)
{
	nholes = 0;
	build(true, true, true);
	return 0;
}

/* The architecture's MSRs of each feature (APM vol. 2: 7.7 MTRRs, 7.8 PAT,
 * 9.3 MCA, 6.1.1 SYSCALL/SYSRET, 6.1.2 SYSENTER, 13.2.4 TSC_AUX, 13.2.1
 * performance counters, 16.4.8 TSC deadline; 3.1.7 EFER). */
struct implied {
	const char *feature;
	uint32_t first, last;
};
static const struct implied implied[] = {
	{ "x86-64 base", 0xc0000080, 0xc0000080 },
	{ "TSC", 0x10, 0x10 },
	{ "APIC", 0x1b, 0x1b },
	{ "SEP", 0x174, 0x176 },
	{ "MTRR", 0xfe, 0xfe },
	{ "MTRR", 0x200, 0x20f },
	{ "MTRR", 0x250, 0x250 },
	{ "MTRR", 0x258, 0x259 },
	{ "MTRR", 0x268, 0x26f },
	{ "MTRR", 0x2ff, 0x2ff },
	{ "PAT", 0x277, 0x277 },
	{ "MCA", 0x179, 0x17b },
	{ "MCA", 0x400, 0x400 + 4 * CPU_MODEL_MCA_BANKS - 1 },
	{ "SYSCALL", 0xc0000081, 0xc0000084 },
	{ "LM", 0xc0000100, 0xc0000102 },
	{ "RDTSCP", 0xc0000103, 0xc0000103 },
	{ "RDPID", 0xc0000103, 0xc0000103 },
	{ "TSC-deadline", 0x6e0, 0x6e0 },
	{ "legacy performance counters", 0xc0010000, 0xc0010007 },
	{ "AMD configuration MSRs", 0xc0010010, 0xc0010010 },
	{ "AMD configuration MSRs", 0xc0010015, 0xc0010015 },
	{ "AMD configuration MSRs", 0xc0010055, 0xc0010055 },
	{ "KVM PV_EOI", 0x4b564d04, 0x4b564d04 },	/* Linux's kvm/x86/msr.rst */
};

static void feature_msrs_present(void **state)
{
	for (size_t i = 0; i < sizeof(implied) / sizeof(implied[0]); i++) {
		assert_true(cpu_policy_has(&pol, implied[i].feature));
		for (uint32_t m = implied[i].first; m <= implied[i].last; m++) {
			if (!cpu_policy_msr(&pol, m))
				fail_msg("%s is shown but MSR 0x%x is missing",
					 implied[i].feature, m);
		}
	}
}

/* Every offered MSR belongs to some implied feature above: nothing else
 * answers (the table adds no MSR the list does not know). */
static void no_unlisted_msr(void **state)
{
	for (size_t i = 0; i < cpu_model_count; i++)
		for (unsigned j = 0; j < CPU_MODEL_MAX_MSRS && cpu_model[i].msrs[j].name; j++) {
			const struct cpu_model_msr *m = &cpu_model[i].msrs[j];
			assert_true(m->first <= m->last);
			assert_true(m->kind < MSRK_COUNT);
			for (uint32_t x = m->first; x <= m->last; x++) {
				bool known = false;
				for (size_t k = 0; k < sizeof(implied) / sizeof(implied[0]); k++)
					known |= x >= implied[k].first && x <= implied[k].last;
				if (!known)
					fail_msg("MSR 0x%x of %s is not an implied MSR", x,
						 cpu_model[i].name);
			}
		}
}

/* A feature the host lacks takes its MSRs with it. */
static void hidden_by_host_takes_msrs(void **state)
{
	holes[0].leaf = 1; holes[0].reg = CPUID_EDX; holes[0].bit = 14;	/* MCA */
	holes[1].leaf = 0x80000001; holes[1].reg = CPUID_EDX; holes[1].bit = 14;
	holes[2].leaf = 0x80000001; holes[2].reg = CPUID_EDX; holes[2].bit = 29; /* LM */
	nholes = 3;
	build(true, true, false);	/* no TSC_AUX either */
	assert_false(cpu_policy_has(&pol, "MCA"));
	for (uint32_t m = 0x179; m <= 0x17b; m++)
		assert_null(cpu_policy_msr(&pol, m));
	for (uint32_t m = 0x400; m < 0x400 + 4 * CPU_MODEL_MCA_BANKS; m++)
		assert_null(cpu_policy_msr(&pol, m));
	assert_int_equal(cpu_policy_mask(&pol, 1, 0, CPUID_EDX) & B(14), 0);
	assert_null(cpu_policy_msr(&pol, 0xc0000100));
	assert_int_equal(pol.efer_allowed & (B(8) | B(10)), 0);
	assert_null(cpu_policy_msr(&pol, 0xc0000103));	/* TSC_AUX */
	assert_int_equal(cpu_policy_mask(&pol, 0x80000001, 0, CPUID_EDX) & B(27), 0);
	assert_int_equal(cpu_policy_mask(&pol, 7, 0, CPUID_ECX) & B(22), 0);
}

/* Without the XSAVE state switched: no XSAVE, no OSXSAVE CR4 bit, no AVX
 * or the instructions that use YMM. */
static void no_xsave_no_avx(void **state)
{
	nholes = 0;
	build(false, false, true);
	assert_int_equal(cpu_policy_mask(&pol, 1, 0, CPUID_ECX) &
			 (B(26) | B(27) | B(28) | B(12) | B(29)), 0);
	assert_int_equal(cpu_policy_mask(&pol, 7, 0, CPUID_EBX) & B(5), 0);
	assert_int_equal(cpu_policy_mask(&pol, 0x80000001, 0, CPUID_ECX) & (B(11) | B(16)), 0);
	assert_int_equal(pol.cr4_allowed & B(18), 0);
	assert_int_equal(pol.xcr0_allowed, 0);
	build(true, false, true);
	assert_true(pol.cr4_allowed & B(18));
	assert_int_equal(pol.xcr0_allowed, 3);
	assert_int_equal(cpu_policy_mask(&pol, 1, 0, CPUID_ECX) & B(28), 0);
	build(true, true, true);
	assert_int_equal(pol.xcr0_allowed, 7);
}

/* CR4 and EFER bits of hidden features are not writable even on a host that
 * has everything; the base bits are. */
static void cr_bits(void **state)
{
	uint64_t never = B(12) /* LA57 */ | B(13) /* VMXE */ | B(14) /* SMXE */ |
			 B(17) /* PCIDE */ | B(19) | B(22) /* PKE */ | B(23) /* CET */ |
			 B(24) | B(28) /* LAM_SUP */ | ~0xffffffffull;
	assert_int_equal(pol.cr4_allowed & never, 0);
	uint64_t base = B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) |
			B(9) | B(10);
	assert_int_equal(pol.cr4_allowed & base, base);
	assert_int_equal(pol.efer_allowed, B(0) | B(8) | B(10) | B(11) | B(14));
	assert_int_equal(pol.cr0_allowed, 0xe005003full);
}

/* Speculation controls are hidden (issue 17 item 9): no CPUID bit, no MSR,
 * no EFER.AIBRSE. */
static void speculation_hidden(void **state)
{
	assert_int_equal(cpu_policy_mask(&pol, 0x80000008, 0, CPUID_EBX) &
			 (B(12) | B(14) | B(15) | B(16) | B(17) | B(18) | B(19) | B(24) | B(25)), 0);
	assert_int_equal(cpu_policy_mask(&pol, 0x80000021, 0, CPUID_EAX) & B(8), 0);
	assert_int_equal(cpu_policy_mask(&pol, 7, 0, CPUID_EDX) &
			 (B(26) | B(27) | B(29) | B(31)), 0);
	assert_null(cpu_policy_msr(&pol, 0x48));	/* SPEC_CTRL */
	assert_null(cpu_policy_msr(&pol, 0x49));	/* PRED_CMD */
	assert_null(cpu_policy_msr(&pol, 0xc001011f));	/* VIRT_SPEC_CTRL */
	assert_int_equal(pol.efer_allowed & B(21), 0);
}

/* What stays hidden even on a host that has it: SVM, x2APIC, MONITOR, PKU,
 * PCID, perf extensions, RDPRU, TOPOEXT; and their MSRs. */
static void hidden_features(void **state)
{
	assert_int_equal(cpu_policy_mask(&pol, 1, 0, CPUID_ECX) &
			 (B(3) | B(5) | B(17) | B(21)), 0);
	assert_int_equal(cpu_policy_mask(&pol, 7, 0, CPUID_ECX) & (B(3) | B(4) | B(16)), 0);
	assert_int_equal(cpu_policy_mask(&pol, 0x80000001, 0, CPUID_ECX) &
			 (B(2) | B(22) | B(23) | B(24) | B(28)), 0);
	assert_int_equal(cpu_policy_mask(&pol, 0x80000008, 0, CPUID_EBX) & B(4), 0);
	assert_int_equal(cpu_policy_mask(&pol, 0x80000007, 0, CPUID_EBX), 0); /* no SMCA */
	static const uint32_t gone[] = { 0xc0010114, 0xc0010117, 0xc0010200, 0xc0010230,
					 0xc0002000, 0xc0000104, 0x3b, 0x1a0, 0xc0011029,
					 0xc0010140, 0x800, 0xe7, 0xe8 };
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (cpu_policy_msr(&pol, gone[i]))
			fail_msg("MSR 0x%x answers", gone[i]);
}

/* KVM's leaf shows PV_EOI (bit 6) alone, whatever the host. */
static void kvm_features(void **state)
{
	assert_int_equal(cpu_policy_forced(&pol, CPU_MODEL_KVM_FEATURES, 0, CPUID_EAX), B(6));
	assert_non_null(cpu_policy_msr(&pol, 0x4b564d04));
	assert_null(cpu_policy_msr(&pol, 0x4b564d05));	/* KVM's others: #GP */
	assert_null(cpu_policy_msr(&pol, 0x4b564d01));	/* no kvmclock */
}

/* One row per CPUID bit; leaves with feature rows are filtered leaves. */
static void rows_unique(void **state)
{
	for (size_t i = 0; i < cpu_model_count; i++) {
		const struct cpu_feature *a = &cpu_model[i];
		assert_int_equal(cpu_model_find(a->name), (int)i);
		if (!a->leaf)
			continue;
		const struct cpuid_leaf_rule *r = cpuid_leaf_rule(a->leaf);
		assert_non_null(r);
		/* KVM's feature leaf is yakvm's alone: no host value to filter */
		assert_int_equal(r->kind, a->leaf == CPU_MODEL_KVM_FEATURES ? LEAF_SYNTH
									     : LEAF_FILTER);
		for (size_t j = i + 1; j < cpu_model_count; j++) {
			const struct cpu_feature *b = &cpu_model[j];
			if (a->leaf == b->leaf && a->sub == b->sub && a->reg == b->reg &&
			    a->bit == b->bit)
				fail_msg("%s and %s share a CPUID bit", a->name, b->name);
		}
	}
}

static char *render(size_t *len)
{
	size_t n = cpu_model_render_doc(NULL, 0);
	char *buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(cpu_model_render_doc(buf, n + 1), n);
	*len = n;
	return buf;
}

static void doc_matches_table(void **state)
{
	size_t n;
	char *want = render(&n);
	FILE *f = fopen("docs/cpu-model.md", "rb");
	if (!f)
		fail_msg("docs/cpu-model.md is missing (run test_cpu_model --write-doc)");
	char *got = malloc(n + 2);
	size_t r = fread(got, 1, n + 1, f);
	fclose(f);
	if (r != n || memcmp(got, want, n) != 0)
		fail_msg("docs/cpu-model.md differs from the table: "
			 "build/unit/test_cpu_model --write-doc > docs/cpu-model.md");
	free(got);
	free(want);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--write-doc") == 0) {
		size_t n;
		char *doc = render(&n);
		fwrite(doc, 1, n, stdout);
		free(doc);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(feature_msrs_present, setup_full),
		cmocka_unit_test_setup(no_unlisted_msr, setup_full),
		cmocka_unit_test_setup(hidden_by_host_takes_msrs, setup_full),
		cmocka_unit_test_setup(no_xsave_no_avx, setup_full),
		cmocka_unit_test_setup(cr_bits, setup_full),
		cmocka_unit_test_setup(speculation_hidden, setup_full),
		cmocka_unit_test_setup(hidden_features, setup_full),
		cmocka_unit_test_setup(rows_unique, setup_full),
		cmocka_unit_test_setup(kvm_features, setup_full),
		cmocka_unit_test(doc_matches_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
