/*
 * tests/unit/cpu_model_doc.c - docs/cpu-model.md, rendered from the CPU
 * model's table (arch/x86/cpu_model.c). test_cpu_model compares the file
 * with this rendering; `build/unit/test_cpu_model --write-doc` rewrites it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cpu_model_doc.h"
#include "arch/x86/cpu_model.h"

struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + (o->pos < o->len ? o->pos : o->len),
			  o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static const char *const regs[] = { "EAX", "EBX", "ECX", "EDX" };
static const char *const offers[] = { "host", "always", "synthetic", "**hidden**" };
static const char *const hows[] = { "emulated", "switched", "host, read-only" };
static const char *const leaf_kinds[] = { "filtered", "host (information)", "synthetic" };

static void bits(struct out *o, const char *reg, uint64_t v, int *first)
{
	for (int b = 0; b < 64; b++)
		if (v >> b & 1) {
			put(o, "%s%s[%d]", *first ? "" : ", ", reg, b);
			*first = 0;
		}
}

size_t cpu_model_render_doc(char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	put(&o, "# The virtual CPU (generated: do not edit)\n\n"
		"yakvm's guests see one CPU model, a table in `arch/x86/cpu_model.c`.\n"
		"This file is rendered from that table by\n"
		"`build/release/unit/test_cpu_model --write-doc > docs/cpu-model.md`, and\n"
		"`make unit` fails when the two differ.\n\n"
		"At boot yakvm intersects the table with the host's CPUID: a feature\n"
		"marked *host* is shown when the host has it (and, where the column\n"
		"says so, when yakvm switches the state it needs); *always* is shown\n"
		"whatever the host, because yakvm implements it; *synthetic* is\n"
		"computed per vCPU; *hidden* is never shown. CPUID\n"
		"(`arch/x86/svm/cpuid.c`), the MSR exits (`arch/x86/svm/msr.c`, the\n"
		"MSR permission map in `core/vm/vm.c`) and the CR0/CR4/EFER write checks\n"
		"(`arch/x86/svm/cr.c`) all follow the result: an MSR exists only as a\n"
		"row of an offered feature (any other gives #GP), and a CR4 or EFER\n"
		"bit is writable only when a feature that offers it is shown (else\n"
		"#GP). No MSR ever returns the host's value.\n\n"
		"Speculation controls (IBPB, IBRS, STIBP, SSBD, AutoIBRS) are hidden,\n"
		"not backed by per-vCPU SPEC_CTRL/PRED_CMD: no emulator the tests run\n"
		"on offers them, so such rows could not be proven end to end; a\n"
		"guest that sees no control uses its software mitigations and reports\n"
		"that the hardware does not protect it, instead of believing it does.\n\n"
		"## CPUID leaves\n\n"
		"Leaves not listed read as zero. Maximum leaves: 0x%x and 0x%x.\n\n"
		"| leaf | answer | what |\n|---|---|---|\n",
	    CPU_MODEL_MAX_BASIC, CPU_MODEL_MAX_EXT);
	for (size_t i = 0; i < cpuid_leaf_rule_count; i++)
		put(&o, "| 0x%x | %s | %s |\n", cpuid_leaf_rules[i].leaf,
		    leaf_kinds[cpuid_leaf_rules[i].kind], cpuid_leaf_rules[i].what);
	put(&o, "\n## Features\n\n"
		"| feature | CPUID bit | shown | CR0/CR4/EFER/XCR0 bits | what yakvm does |\n"
		"|---|---|---|---|---|\n");
	for (size_t i = 0; i < cpu_model_count; i++) {
		const struct cpu_feature *f = &cpu_model[i];
		if (f->leaf)
			put(&o, "| %s | 0x%x.%u %s[%u] | %s%s | ", f->name, f->leaf, f->sub,
			    regs[f->reg], f->bit, offers[f->offer],
			    f->need == NEED_XSAVE ? " (with XSAVE)" :
			    f->need == NEED_AVX_STATE ? " (with AVX state)" :
			    f->need == NEED_TSC_AUX ? " (with TSC_AUX)" : "");
		else
			put(&o, "| %s | none | %s | ", f->name, offers[f->offer]);
		int first = 1;
		bits(&o, "CR0", f->cr0, &first);
		bits(&o, "CR4", f->cr4, &first);
		bits(&o, "EFER", f->efer, &first);
		bits(&o, "XCR0", f->xcr0, &first);
		put(&o, "%s | %s |\n", first ? "-" : "", f->what);
	}
	put(&o, "\n## MSRs\n\n"
		"Every MSR a guest can read or write. Any other MSR gives #GP.\n\n"
		"| MSR | name | feature | handled |\n|---|---|---|---|\n");
	for (size_t i = 0; i < cpu_model_count; i++) {
		const struct cpu_feature *f = &cpu_model[i];
		if (strstr(f->name, "(copy)"))
			continue;	/* the same rows as the CPUID 1 feature */
		for (unsigned j = 0; j < CPU_MODEL_MAX_MSRS && f->msrs[j].name; j++) {
			const struct cpu_model_msr *m = &f->msrs[j];
			if (m->first == m->last)
				put(&o, "| 0x%x ", m->first);
			else
				put(&o, "| 0x%x-0x%x ", m->first, m->last);
			put(&o, "| %s | %s%s | %s |\n", m->name, f->name,
			    f->offer == OFFER_HIDDEN ? " (hidden)" : "", hows[m->how]);
		}
	}
	return o.pos;
}
