/*
 * arch/x86/svm/exit.c - the exit table. After VMRUN returns, EXITCODE
 * (VMCB 0x070) says why (APM vol. 2, appendix C, table C-1). Everything
 * yakvm knows about an exit code is in its row:
 *   handle  does the work; the vCPU loop then runs the guest again. It is
 *           named svm_handle_<exit>, after the exit it handles in lower
 *           case (svm_handle_cpuid, svm_handle_cr4_write; one,
 *           svm_handle_svm_insn, for the SVM instructions), except
 *           yakvm_cpu_handle_ioio(), the seed's name (README). No handler: the exit is not intercepted, and
 *           should it come anyway, it stops that VM, never yakvm;
 *   stat    the class its count and cycles go to (core/diag/stats.h);
 *   plain   the intercepted instruction's plain encoding, which
 *           vcpu_skip_instruction() skips without the decoder;
 *   name    the word for it in the trace, the exit ring and the monitor;
 *   trace   the formatter of its trace line (trace=1, docs/exits.md):
 *           svm_trace_<exit> where SVM's EXITINFO needs decoding
 *           (exit_trace.c), else core/diag/trace.h's trace_fmt_*; NULL is
 *           the generic line.
 * A range row (CR_READ, EXCEPTION, ...) names a family of codes; the rows
 * after it override single codes of the family.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmcb.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/intr.h"
#include "core/vm/vm.h"

#define PLAIN1(a)       { 1, { a }, a }
#define PLAIN2(a, b)    { 2, { a, b }, b }
#define PLAIN3(a, b, c) { 3, { a, b, c }, c }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"	/* the range rows, see above */
const struct svm_exit svm_exits[SVM_EXIT_ROWS] = {
	/* 0x000-0x03f: MOV from/to CRn and DRn, n = code & 15 */
	[VMEXIT_CR0_READ ... VMEXIT_CR0_READ + 0x0f] = { .name = "CR_READ" },
	[VMEXIT_CR0_READ + 0x10 ... VMEXIT_CR0_READ + 0x1f] = { .name = "CR_WRITE" },
	[VMEXIT_CR4_WRITE] = { .handle = svm_handle_cr4_write, .name = "CR_WRITE" },
	[VMEXIT_DR0_READ ... VMEXIT_DR0_READ + 0x0f] = { .name = "DR_READ" },
	[VMEXIT_DR0_READ + 0x10 ... VMEXIT_DR0_READ + 0x1f] = { .name = "DR_WRITE" },

	/* 0x040-0x05f: exception vector (code - 0x40) */
	[VMEXIT_EXCP_BASE ... VMEXIT_EXCP_BASE + 31] = {
		.name = "EXCEPTION", .stat = STAT_DEBUG },
	[VMEXIT_EXCP_BASE + 1] = {
		.handle = svm_handle_db, .name = "#DB", .stat = STAT_DEBUG },
	[VMEXIT_EXCP_BASE + 3] = {
		.handle = svm_handle_bp, .name = "#BP", .stat = STAT_DEBUG },
	[VMEXIT_EXCP_BASE + 17] = {
		.handle = svm_handle_ac, .name = "#AC", .stat = STAT_DEBUG },
	[VMEXIT_EXCP_BASE + 18] = {
		.handle = svm_handle_mc, .name = "#MC", .stat = STAT_DEBUG },

	/* 0x060-0x064: physical and virtual interrupts */
	[VMEXIT_INTR] = {
		.handle = svm_handle_intr, .name = "INTR", .stat = STAT_INTR,
		.trace = trace_fmt_name },
	[VMEXIT_NMI] = { .handle = svm_handle_nmi, .name = "NMI" },
	[VMEXIT_SMI] = { .name = "SMI" },
	[VMEXIT_INIT] = { .name = "INIT" },
	[VMEXIT_VINTR] = {
		.handle = svm_handle_vintr, .name = "VINTR", .stat = STAT_VINTR,
		.trace = trace_fmt_name },

	/* 0x065-0x06d: CR0 writes other than TS/MP, descriptor-table access */
	[VMEXIT_CR0_SEL_WRITE] = {
		.handle = svm_handle_cr0_sel_write, .name = "CR0_SEL_WRITE" },
	[0x066] = { .name = "IDTR_READ" },
	[0x067] = { .name = "GDTR_READ" },
	[0x068] = { .name = "LDTR_READ" },
	[0x069] = { .name = "TR_READ" },
	[0x06a] = { .name = "IDTR_WRITE" },
	[0x06b] = { .name = "GDTR_WRITE" },
	[0x06c] = { .name = "LDTR_WRITE" },
	[0x06d] = { .name = "TR_WRITE" },

	/* 0x06e-0x08e: instructions */
	[VMEXIT_RDTSC] = { .name = "RDTSC" },
	[VMEXIT_RDPMC] = { .handle = svm_handle_rdpmc, .name = "RDPMC" },
	[VMEXIT_PUSHF] = { .name = "PUSHF" },
	[VMEXIT_POPF] = { .name = "POPF" },
	[VMEXIT_CPUID] = {
		.handle = svm_handle_cpuid, .name = "CPUID", .stat = STAT_CPUID,
		.plain = PLAIN2(0x0f, 0xa2), .trace = trace_fmt_cpuid },
	[VMEXIT_RSM] = { .name = "RSM" },
	[VMEXIT_IRET] = {
		.handle = svm_handle_iret, .name = "IRET", .stat = STAT_IRET,
		.trace = trace_fmt_name },
	[VMEXIT_SWINT] = {	/* INTn, with gdb= */
		.handle = svm_handle_swint, .name = "SWINT", .stat = STAT_DEBUG },
	[VMEXIT_INVD] = { .handle = svm_handle_invd, .name = "INVD" },
	[VMEXIT_PAUSE] = { .name = "PAUSE" },
	[VMEXIT_HLT] = {
		.handle = svm_handle_hlt, .name = "HLT", .stat = STAT_HLT,
		.plain = PLAIN1(0xf4), .trace = trace_fmt_name },
	[VMEXIT_INVLPG] = { .name = "INVLPG" },
	[VMEXIT_INVLPGA] = {
		.handle = svm_handle_svm_insn, .name = "INVLPGA", .stat = STAT_SVM },
	[VMEXIT_IOIO] = {
		.handle = yakvm_cpu_handle_ioio, .name = "IOIO", .stat = STAT_IOIO,
		.trace = svm_trace_ioio },
	[VMEXIT_MSR] = {	/* 0f 32 RDMSR, 0f 30 WRMSR */
		.handle = svm_handle_msr, .name = "MSR", .stat = STAT_MSR,
		.plain = { 2, { 0x0f, 0x32 }, 0x30 }, .trace = svm_trace_msr },
	[VMEXIT_TASK_SWITCH] = { .name = "TASK_SWITCH" },
	[VMEXIT_FERR_FREEZE] = { .name = "FERR_FREEZE" },
	[VMEXIT_SHUTDOWN] = {
		.handle = svm_handle_shutdown, .name = "SHUTDOWN", .stat = STAT_SHUTDOWN,
		.trace = trace_fmt_triple_fault },
	[VMEXIT_VMRUN] = {
		.handle = svm_handle_svm_insn, .name = "VMRUN", .stat = STAT_SVM },
	[VMEXIT_VMMCALL] = {
		.handle = svm_handle_vmmcall, .name = "VMMCALL", .stat = STAT_VMMCALL,
		.plain = PLAIN3(0x0f, 0x01, 0xd9), .trace = trace_fmt_rax },
	[VMEXIT_VMLOAD] = {
		.handle = svm_handle_svm_insn, .name = "VMLOAD", .stat = STAT_SVM },
	[VMEXIT_VMSAVE] = {
		.handle = svm_handle_svm_insn, .name = "VMSAVE", .stat = STAT_SVM },
	[VMEXIT_STGI] = {
		.handle = svm_handle_svm_insn, .name = "STGI", .stat = STAT_SVM },
	[VMEXIT_CLGI] = {
		.handle = svm_handle_svm_insn, .name = "CLGI", .stat = STAT_SVM },
	[VMEXIT_SKINIT] = {
		.handle = svm_handle_svm_insn, .name = "SKINIT", .stat = STAT_SVM },
	[VMEXIT_RDTSCP] = { .name = "RDTSCP" },
	[VMEXIT_ICEBP] = { .name = "ICEBP" },
	[VMEXIT_WBINVD] = { .handle = svm_handle_wbinvd, .name = "WBINVD" },
	[VMEXIT_MONITOR] = {
		.handle = svm_handle_svm_insn, .name = "MONITOR", .stat = STAT_SVM },
	[VMEXIT_MWAIT] = {
		.handle = svm_handle_svm_insn, .name = "MWAIT", .stat = STAT_SVM },
	[VMEXIT_MWAIT_CONDITIONAL] = {
		.handle = svm_handle_svm_insn, .name = "MWAIT_CONDITIONAL", .stat = STAT_SVM },
	[VMEXIT_XSETBV] = {
		.handle = svm_handle_xsetbv, .name = "XSETBV", .stat = STAT_SVM,
		.plain = PLAIN3(0x0f, 0x01, 0xd1) },
	[VMEXIT_RDPRU] = { .handle = svm_handle_rdpru, .name = "RDPRU" },

	/* 0x400: nested page fault (15.25.6) */
	[SVM_EXIT_ROW_NPF] = {
		.handle = svm_handle_npf, .name = "NPF", .stat = STAT_NPF,
		.trace = svm_trace_npf },

	/* -1: VMRUN refused the guest state (15.5.1) */
	[SVM_EXIT_ROW_INVALID] = { .handle = svm_handle_invalid, .name = "INVALID" },
	/* any other code */
	[SVM_EXIT_ROW_OTHER] = { .name = "UNKNOWN" },
};
#pragma GCC diagnostic pop

const char *svm_exit_name(uint64_t code)
{
	return svm_exit_row(code)->name;
}

void svm_handle_exit(struct vcpu *v)
{
	uint64_t code = v->vmcb->control.exitcode;
	const struct svm_exit *row = svm_exit_row(code);
	if (row->handle) {
		row->handle(v);
		return;
	}
	vm_stop(v->vm, v, "unhandled #VMEXIT 0x%lx (%s), exitinfo1=0x%lx exitinfo2=0x%lx",
		code, row->name, v->vmcb->control.exitinfo1, v->vmcb->control.exitinfo2);
}
