/*
 * arch/x86/svm/exit.h - #VMEXIT dispatch: one table indexed by the exit code
 * (exit.c), one handler per exit, one file per family of exits.
 *
 * Handlers are named svm_handle_<exit>, after the exit they handle in
 * lower case (svm_handle_cpuid for CPUID, svm_handle_cr4_write). One keeps the seed's
 * name, which README's table of the original design maps:
 * yakvm_cpu_handle_ioio() (IOIO). Trace formatters that decode SVM's
 * EXITINFO are svm_trace_<exit> (exit_trace.c); the others are
 * core/diag/trace.h's trace_fmt_*.
 */
#ifndef YAKVM_ARCH_X86_SVM_EXIT_H
#define YAKVM_ARCH_X86_SVM_EXIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/exit_info.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/svm/vmcb.h"
#include "core/diag/stats.h"
#include "core/diag/trace.h"

struct vcpu;

/* The plain encoding of an intercepted instruction, without prefixes:
 * len bytes op[], whose last may also be alt (RDMSR 0f 32 and WRMSR 0f 30
 * share an exit). len 0: none; the decoder measures the instruction. */
struct plain_insn {
	uint8_t len, op[3], alt;
};

/* A row of the exit table. */
struct svm_exit {
	void (*handle)(struct vcpu *v);  /* NULL: not intercepted, stops the VM */
	uint8_t stat;                    /* enum stat_class (core/diag/stats.h) */
	struct plain_insn plain;         /* what vcpu_skip_instruction() skips */
	const char *name;                /* "CPUID": trace, stats, exit ring, monitor */
	trace_fmt_t trace;               /* the trace line; NULL: trace_fmt_generic */
};

/* Rows 0x000-0x08e are exit codes 0x000-0x08e; #NPF (0x400) follows, then
 * two rows for the codes beyond: VMEXIT_INVALID and any other. */
#define SVM_EXIT_ROWS_LOW    (VMEXIT_RDPRU + 1)
#define SVM_EXIT_ROW_NPF     SVM_EXIT_ROWS_LOW
#define SVM_EXIT_ROW_INVALID (SVM_EXIT_ROWS_LOW + 1)
#define SVM_EXIT_ROW_OTHER   (SVM_EXIT_ROWS_LOW + 2)
#define SVM_EXIT_ROWS        (SVM_EXIT_ROWS_LOW + 3)
extern const struct svm_exit svm_exits[SVM_EXIT_ROWS];

/* The row of an exit code; never NULL. */
static inline const struct svm_exit *svm_exit_row(uint64_t code)
{
	if (code < SVM_EXIT_ROWS_LOW)
		return &svm_exits[code];
	if (code == VMEXIT_NPF)
		return &svm_exits[SVM_EXIT_ROW_NPF];
	return &svm_exits[vmexit_is_invalid(code) ? SVM_EXIT_ROW_INVALID : SVM_EXIT_ROW_OTHER];
}

/* The length of the row's plain encoding if the bytes b[0..n) hold it,
 * else 0 (a shortcut past the full decoder for the common case). */
static inline unsigned svm_plain_length(const struct svm_exit *row, const uint8_t *b, size_t n)
{
	const struct plain_insn *p = &row->plain;
	unsigned len = p->len;
	if (!len || n < len)
		return 0;
	if ((len > 1 && b[0] != p->op[0]) || (len > 2 && b[1] != p->op[1]))
		return 0;
	return b[len - 1] == p->op[len - 1] || b[len - 1] == p->alt ? len : 0;
}

/* The exit in neutral terms (arch/x86/exit_info.h), from the VMCB. */
static inline void svm_exit_info(const struct vmcb *vmcb, struct exit_info *e)
{
	e->code = vmcb->control.exitcode;
	e->info1 = vmcb->control.exitinfo1;
	e->info2 = vmcb->control.exitinfo2;
	e->rip = vmcb->save.rip;
	e->intinfo = vmcb->control.exitintinfo;
}

/* Runs the handler of the exit in v's VMCB (the seed's exit table). */
void svm_handle_exit(struct vcpu *v);

void svm_handle_cpuid(struct vcpu *v);         /* cpuid.c */
void svm_handle_msr(struct vcpu *v);           /* msr.c */
void yakvm_cpu_handle_ioio(struct vcpu *v);    /* ioio.c (the seed's name) */
void svm_handle_npf(struct vcpu *v);           /* npf.c */
void svm_handle_hlt(struct vcpu *v);           /* hlt.c */
void svm_handle_shutdown(struct vcpu *v);      /* shutdown.c */
void svm_handle_invalid(struct vcpu *v);       /* shutdown.c */
void svm_handle_vmmcall(struct vcpu *v);       /* vmmcall.c */
void svm_handle_svm_insn(struct vcpu *v);      /* vmmcall.c: VMRUN ... MWAIT */
void svm_handle_db(struct vcpu *v);            /* debug.c */
void svm_handle_bp(struct vcpu *v);            /* debug.c */
void svm_handle_swint(struct vcpu *v);         /* debug.c */
void svm_handle_xsetbv(struct vcpu *v);        /* xsetbv.c */
void svm_handle_cr4_write(struct vcpu *v);     /* cr.c */
void svm_handle_cr0_sel_write(struct vcpu *v); /* cr.c */
void svm_handle_rdpmc(struct vcpu *v);         /* rdpmc.c */
void svm_handle_rdpru(struct vcpu *v);         /* rdpmc.c */
void svm_handle_ac(struct vcpu *v);            /* reflect.c */
void svm_handle_intr(struct vcpu *v);          /* host.c */
void svm_handle_nmi(struct vcpu *v);           /* host.c */
void svm_handle_mc(struct vcpu *v);            /* host.c */
void svm_handle_invd(struct vcpu *v);          /* cache.c */
void svm_handle_wbinvd(struct vcpu *v);        /* cache.c */
void svm_reflect_exception(struct vcpu *v, uint8_t vector, bool has_err,
			   uint32_t err);       /* reflect.c */

bool svm_trace_ioio(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
bool svm_trace_npf(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
bool svm_trace_msr(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);

#endif
