/*
 * tests/unit/test_exit_table.c - arch/x86/svm/exit.c, the exit table: every
 * row named and classed, the lookup of each code (APM vol. 2, appendix C),
 * exactly the handled exits with the handler, class and trace formatter
 * each had before the table (spelled out again here), plain encodings the
 * decoder agrees with, and the dispatch of handled and unhandled codes.
 * The handlers are stand-ins that record their call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/insn/decode.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/intr.h"
#include "core/vm/vm.h"

/* ---- stand-ins for what the table points to ------------------------------ */

static const char *called;

#define HANDLER(fn) void fn(struct vcpu *v) { called = #fn; }
HANDLER(svm_handle_cpuid) HANDLER(svm_handle_msr) HANDLER(yakvm_cpu_handle_ioio)
HANDLER(svm_handle_npf) HANDLER(svm_handle_hlt) HANDLER(svm_handle_shutdown)
HANDLER(svm_handle_invalid) HANDLER(svm_handle_vmmcall) HANDLER(svm_handle_svm_insn)
HANDLER(svm_handle_db) HANDLER(svm_handle_bp) HANDLER(svm_handle_swint)
HANDLER(svm_handle_xsetbv) HANDLER(svm_handle_cr4_write) HANDLER(svm_handle_cr0_sel_write)
HANDLER(svm_handle_rdpmc) HANDLER(svm_handle_rdpru) HANDLER(svm_handle_ac)
HANDLER(svm_handle_intr) HANDLER(svm_handle_nmi) HANDLER(svm_handle_mc)
HANDLER(svm_handle_invd) HANDLER(svm_handle_wbinvd) HANDLER(svm_handle_vintr)
HANDLER(svm_handle_iret)

#define FORMATTER(fn) \
	bool fn(struct trace_line *l, struct vcpu *v, const struct trace_exit *t) { return false; }
FORMATTER(svm_trace_ioio) FORMATTER(svm_trace_npf) FORMATTER(svm_trace_msr)
FORMATTER(trace_fmt_generic) FORMATTER(trace_fmt_name) FORMATTER(trace_fmt_rax)
FORMATTER(trace_fmt_cpuid) FORMATTER(trace_fmt_triple_fault)

static char stopped[256];
void vm_stop(struct vm *vm, struct vcpu *by, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(stopped, sizeof(stopped), fmt, ap);
	va_end(ap);
}

/* ---- what each handled exit was before the table ------------------------- */

typedef void (*handler_t)(struct vcpu *);
static const struct {
	uint64_t code;
	handler_t handle;
	const char *name;
	unsigned stat;
	trace_fmt_t trace;      /* NULL: the generic line */
	unsigned plain;         /* length of the plain encoding, 0: none */
} handled[] = {
	{ 0x014, svm_handle_cr4_write, "CR_WRITE", STAT_OTHER, NULL, 0 },
	{ 0x041, svm_handle_db, "#DB", STAT_DEBUG, NULL, 0 },
	{ 0x043, svm_handle_bp, "#BP", STAT_DEBUG, NULL, 0 },
	{ 0x051, svm_handle_ac, "#AC", STAT_DEBUG, NULL, 0 },
	{ 0x052, svm_handle_mc, "#MC", STAT_DEBUG, NULL, 0 },
	{ 0x060, svm_handle_intr, "INTR", STAT_INTR, trace_fmt_name, 0 },
	{ 0x061, svm_handle_nmi, "NMI", STAT_OTHER, NULL, 0 },
	{ 0x064, svm_handle_vintr, "VINTR", STAT_VINTR, trace_fmt_name, 0 },
	{ 0x065, svm_handle_cr0_sel_write, "CR0_SEL_WRITE", STAT_OTHER, NULL, 0 },
	{ 0x06f, svm_handle_rdpmc, "RDPMC", STAT_OTHER, NULL, 0 },
	{ 0x072, svm_handle_cpuid, "CPUID", STAT_CPUID, trace_fmt_cpuid, 2 },
	{ 0x074, svm_handle_iret, "IRET", STAT_IRET, trace_fmt_name, 0 },
	{ 0x075, svm_handle_swint, "SWINT", STAT_DEBUG, NULL, 0 },
	{ 0x076, svm_handle_invd, "INVD", STAT_OTHER, NULL, 0 },
	{ 0x078, svm_handle_hlt, "HLT", STAT_HLT, trace_fmt_name, 1 },
	{ 0x07a, svm_handle_svm_insn, "INVLPGA", STAT_SVM, NULL, 0 },
	{ 0x07b, yakvm_cpu_handle_ioio, "IOIO", STAT_IOIO, svm_trace_ioio, 0 },
	{ 0x07c, svm_handle_msr, "MSR", STAT_MSR, svm_trace_msr, 2 },
	{ 0x07f, svm_handle_shutdown, "SHUTDOWN", STAT_SHUTDOWN, trace_fmt_triple_fault, 0 },
	{ 0x080, svm_handle_svm_insn, "VMRUN", STAT_SVM, NULL, 0 },
	{ 0x081, svm_handle_vmmcall, "VMMCALL", STAT_VMMCALL, trace_fmt_rax, 3 },
	{ 0x082, svm_handle_svm_insn, "VMLOAD", STAT_SVM, NULL, 0 },
	{ 0x083, svm_handle_svm_insn, "VMSAVE", STAT_SVM, NULL, 0 },
	{ 0x084, svm_handle_svm_insn, "STGI", STAT_SVM, NULL, 0 },
	{ 0x085, svm_handle_svm_insn, "CLGI", STAT_SVM, NULL, 0 },
	{ 0x086, svm_handle_svm_insn, "SKINIT", STAT_SVM, NULL, 0 },
	{ 0x089, svm_handle_wbinvd, "WBINVD", STAT_OTHER, NULL, 0 },
	{ 0x08a, svm_handle_svm_insn, "MONITOR", STAT_SVM, NULL, 0 },
	{ 0x08b, svm_handle_svm_insn, "MWAIT", STAT_SVM, NULL, 0 },
	{ 0x08c, svm_handle_svm_insn, "MWAIT_CONDITIONAL", STAT_SVM, NULL, 0 },
	{ 0x08d, svm_handle_xsetbv, "XSETBV", STAT_SVM, NULL, 3 },
	{ 0x08e, svm_handle_rdpru, "RDPRU", STAT_OTHER, NULL, 0 },
	{ 0x400, svm_handle_npf, "NPF", STAT_NPF, svm_trace_npf, 0 },
	{ 0xffffffffu, svm_handle_invalid, "INVALID", STAT_OTHER, NULL, 0 },
};
#define NHANDLED (sizeof(handled) / sizeof(handled[0]))

/* ---- tests ---------------------------------------------------------------- */

static void test_every_row_named_and_classed(void **state)
{
	for (unsigned i = 0; i < SVM_EXIT_ROWS; i++) {
		const struct svm_exit *r = &svm_exits[i];
		assert_non_null(r->name);
		assert_true(strlen(r->name) > 0);
		assert_true(r->stat < STAT_NCLASSES);
		assert_true(r->plain.len <= 3);
		if (r->plain.len)	/* only an instruction yakvm handles is skipped */
			assert_non_null(r->handle);
	}
}

static void test_lookup(void **state)
{
	for (uint64_t code = 0; code <= VMEXIT_RDPRU; code++)
		assert_ptr_equal(svm_exit_row(code), &svm_exits[code]);
	assert_ptr_equal(svm_exit_row(VMEXIT_NPF), &svm_exits[SVM_EXIT_ROW_NPF]);
	/* QEMU stores VMEXIT_INVALID as 0xffffffff, Bochs as -1 */
	assert_ptr_equal(svm_exit_row(0xffffffffull), &svm_exits[SVM_EXIT_ROW_INVALID]);
	assert_ptr_equal(svm_exit_row(~0ull), &svm_exits[SVM_EXIT_ROW_INVALID]);
	static const uint64_t other[] = { 0x08f, 0x3ff, 0x401, 0x403, 0x1000, 0xfffffffeull };
	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_ptr_equal(svm_exit_row(other[i]), &svm_exits[SVM_EXIT_ROW_OTHER]);
		assert_string_equal(svm_exit_name(other[i]), "UNKNOWN");
	}
	/* the families of appendix C, table C-1 */
	assert_string_equal(svm_exit_name(0x000), "CR_READ");
	assert_string_equal(svm_exit_name(0x00f), "CR_READ");
	assert_string_equal(svm_exit_name(0x010), "CR_WRITE");
	assert_string_equal(svm_exit_name(0x01f), "CR_WRITE");
	assert_string_equal(svm_exit_name(0x020), "DR_READ");
	assert_string_equal(svm_exit_name(0x03f), "DR_WRITE");
	assert_string_equal(svm_exit_name(0x040), "EXCEPTION");
	assert_string_equal(svm_exit_name(0x04e), "EXCEPTION");
	assert_string_equal(svm_exit_name(0x05f), "EXCEPTION");
	assert_string_equal(svm_exit_name(0x066), "IDTR_READ");
	assert_string_equal(svm_exit_name(0x06d), "TR_WRITE");
	assert_int_equal(svm_exit_row(0x04e)->stat, STAT_DEBUG);
	assert_int_equal(svm_exit_row(0x000)->stat, STAT_OTHER);
}

static void test_exactly_the_handled_exits(void **state)
{
	unsigned with_handler = 0;
	for (unsigned i = 0; i < SVM_EXIT_ROWS; i++)
		with_handler += svm_exits[i].handle != NULL;
	assert_int_equal(with_handler, NHANDLED);
	for (unsigned i = 0; i < NHANDLED; i++) {
		const struct svm_exit *r = svm_exit_row(handled[i].code);
		assert_ptr_equal(r->handle, handled[i].handle);
		assert_string_equal(r->name, handled[i].name);
		assert_int_equal(r->stat, handled[i].stat);
		assert_ptr_equal(r->trace, handled[i].trace);
		assert_int_equal(r->plain.len, handled[i].plain);
	}
}

/* Each plain encoding is one whole instruction in every mode, and only the
 * bytes of it (no prefix, no other last byte, not cut short) are taken. */
static void check_plain(const struct svm_exit *r, uint8_t last)
{
	unsigned len = r->plain.len;
	uint8_t b[16] = { 0 };
	memcpy(b, r->plain.op, len);
	b[len - 1] = last;
	static const unsigned modes[] = { 16, 32, 64 };
	for (unsigned m = 0; m < 3; m++) {
		struct insn in;
		assert_int_equal(insn_decode(&in, b, sizeof(b), modes[m]), INSN_OK);
		assert_int_equal(in.len, len);
	}
	assert_int_equal(svm_plain_length(r, b, sizeof(b)), len);
	assert_int_equal(svm_plain_length(r, b, len), len);
	assert_int_equal(svm_plain_length(r, b, len - 1), 0);
	uint8_t pre[16] = { 0x66 };
	memcpy(pre + 1, b, len);
	assert_int_equal(svm_plain_length(r, pre, sizeof(pre)), 0);
	for (unsigned k = 0; k < len; k++) {
		uint8_t bad[16];
		memcpy(bad, b, sizeof(bad));
		bad[k] ^= 0x04;		/* 0f a2 -> 0f a6, f4 -> f0, ... */
		if (k == len - 1 && (bad[k] == r->plain.op[k] || bad[k] == r->plain.alt))
			continue;
		assert_int_equal(svm_plain_length(r, bad, sizeof(bad)), 0);
	}
}

static void test_plain_encodings(void **state)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SVM_EXIT_ROWS; i++) {
		const struct svm_exit *r = &svm_exits[i];
		if (!r->plain.len) {
			uint8_t b[16] = { 0x0f, 0xa2, 0xf4 };
			assert_int_equal(svm_plain_length(r, b, sizeof(b)), 0);
			continue;
		}
		check_plain(r, r->plain.op[r->plain.len - 1]);
		check_plain(r, r->plain.alt);
		n++;
	}
	assert_int_equal(n, 5);	/* CPUID, HLT, MSR, VMMCALL, XSETBV */
	/* RDMSR and WRMSR */
	const uint8_t rd[] = { 0x0f, 0x32 }, wr[] = { 0x0f, 0x30 };
	assert_int_equal(svm_plain_length(svm_exit_row(VMEXIT_MSR), rd, 2), 2);
	assert_int_equal(svm_plain_length(svm_exit_row(VMEXIT_MSR), wr, 2), 2);
}

static void dispatch(uint64_t code)
{
	static struct vmcb vmcb;
	static struct vm vm;
	static struct vcpu v;
	memset(&vmcb, 0, sizeof(vmcb));
	v = (struct vcpu){ .vmcb = &vmcb, .vm = &vm };
	vmcb.control.exitcode = code;
	vmcb.control.exitinfo1 = 0x11;
	vmcb.control.exitinfo2 = 0x22;
	called = NULL;
	stopped[0] = 0;
	svm_handle_exit(&v);
}

static void test_dispatch(void **state)
{
	for (unsigned i = 0; i < NHANDLED; i++) {
		dispatch(handled[i].code);
		assert_non_null(called);
		assert_string_equal(stopped, "");
	}
	dispatch(VMEXIT_CPUID);
	assert_string_equal(called, "svm_handle_cpuid");
	dispatch(~0ull);
	assert_string_equal(called, "svm_handle_invalid");
	dispatch(VMEXIT_RDTSC);		/* not intercepted: the VM stops */
	assert_null(called);
	assert_string_equal(stopped, "unhandled #VMEXIT 0x6e (RDTSC), exitinfo1=0x11 exitinfo2=0x22");
	dispatch(0x4e);
	assert_string_equal(stopped, "unhandled #VMEXIT 0x4e (EXCEPTION), exitinfo1=0x11 exitinfo2=0x22");
	dispatch(0x403);
	assert_null(called);
	assert_string_equal(stopped, "unhandled #VMEXIT 0x403 (UNKNOWN), exitinfo1=0x11 exitinfo2=0x22");
}

static void test_exit_info(void **state)
{
	static struct vmcb vmcb;
	vmcb.control.exitcode = VMEXIT_IOIO;
	vmcb.control.exitinfo1 = 0x3f80010;
	vmcb.control.exitinfo2 = 0x1002;
	vmcb.control.exitintinfo = 0x80000b0e;
	vmcb.save.rip = 0x1000;
	struct exit_info e;
	svm_exit_info(&vmcb, &e);
	assert_int_equal(e.code, VMEXIT_IOIO);
	assert_int_equal(e.info1, 0x3f80010);
	assert_int_equal(e.info2, 0x1002);
	assert_int_equal(e.intinfo, 0x80000b0e);
	assert_int_equal(e.rip, 0x1000);
	assert_true(e.intinfo & EXIT_EVENT_VALID);
	assert_int_equal(e.intinfo & EXIT_EVENT_TYPE_MASK, EXIT_EVENT_TYPE_EXC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_named_and_classed),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_exactly_the_handled_exits),
		cmocka_unit_test(test_plain_encodings),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_exit_info),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
