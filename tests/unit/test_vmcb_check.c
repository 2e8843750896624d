/*
 * tests/unit/test_vmcb_check.c - unit tests for arch/x86/svm/vmcb_check.c,
 * the software copy of VMRUN's consistency checks (AMD APM vol. 2, 15.5.1).
 *
 * Two known-good states - 64-bit long mode and 32-bit protected mode - are
 * each broken in exactly one way per check, and the check must fail with a
 * message naming what is wrong. Built with -DYAKVM_HOST_TEST (which leaves
 * out vmcb_check_guest_state) against libc's snprintf.
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

#include "arch/x86/cpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/vmcb_check.h"

#define PHYS_BITS 48
#define GOOD_PAT 0x0007040600070406ull

static struct vmcb *vm;      /* aligned(4096): allocated, not on the stack */
static char why[256];

static void base_common(struct vmcb *v)
{
	memset(v, 0, sizeof(*v));
	v->control.intercept_misc2 = INTERCEPT_VMRUN;
	v->control.guest_asid = 1;
	v->control.np_enable = NP_ENABLE;
	v->control.n_cr3 = 0x100000;
	v->control.iopm_base_pa = 0x200000;
	v->control.msrpm_base_pa = 0x204000;
	v->save.g_pat = GOOD_PAT;
	v->save.dr6 = 0xffff0ff0;
	v->save.dr7 = 0x400;
}

/* A 64-bit long-mode guest: EFER.LME|LMA, CR0.PG|PE, CR4.PAE, CS.L=1 D=0. */
static void long_mode(struct vmcb *v)
{
	base_common(v);
	v->save.efer = EFER_SVME | EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
	v->save.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	v->save.cr3 = 0x0000000123456000ull;     /* above 4 GiB: fine here */
	v->save.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	v->save.cs.attrib = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_L |
			    SEG_ATTR_G;
}

/* A 32-bit protected-mode guest without paging: CS.D=1, L=0. */
static void prot_mode(struct vmcb *v)
{
	base_common(v);
	v->save.efer = EFER_SVME;
	v->save.cr0 = CR0_PE | CR0_ET;
	v->save.cr3 = 0;
	v->save.cr4 = 0;
	v->save.cs.attrib = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB |
			    SEG_ATTR_G;
}

static bool check(void)
{
	memset(why, 'x', sizeof(why));
	why[sizeof(why) - 1] = 0;
	bool ok = vmcb_check_state(vm, PHYS_BITS, why, sizeof(why));
	if (!ok)
		assert_true(strlen(why) > 0 && strlen(why) < sizeof(why) - 1);
	return ok;
}

static void pass(void)
{
	if (!check())
		fail_msg("expected to pass, failed with \"%s\"", why);
}

/* Fails, and the message contains every one of the given words. */
#define FAILS(...) fails_with((const char *[]){ __VA_ARGS__, NULL })
static void fails_with(const char **words)
{
	assert_false(check());
	for (; *words; words++)
		if (!strstr(why, *words))
			fail_msg("message \"%s\" does not mention \"%s\"", why, *words);
}

typedef void (*state_fn)(struct vmcb *);
static const state_fn bases[] = { long_mode, prot_mode };
#define FOR_EACH_BASE(b) \
	for (unsigned b##_i = 0; b##_i < 2 && (bases[b##_i](vm), 1); b##_i++)

static int setup(void **state)
{
	vm = aligned_alloc(4096, sizeof(*vm));
	return vm ? 0 : -1;
}

static int teardown(void **state)
{
	free(vm);
	return 0;
}

/* ---- the good states ------------------------------------------------------ */

static void test_good_states(void **state)
{
	long_mode(vm);
	pass();
	prot_mode(vm);
	pass();
	/* Real mode (CR0.PE=0), as at reset. */
	prot_mode(vm);
	vm->save.cr0 = CR0_ET | CR0_CD | CR0_NW;
	vm->save.cs.attrib = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P;
	pass();
	/* 32-bit paging without PAE, no long mode. */
	prot_mode(vm);
	vm->save.cr0 |= CR0_PG;
	vm->save.cr4 = CR4_PSE;
	vm->save.cr3 = 0xfffff000;
	pass();
	/* Legacy PAE paging, no long mode. */
	prot_mode(vm);
	vm->save.cr0 |= CR0_PG;
	vm->save.cr4 = CR4_PAE;
	pass();
}

static void test_edge_cases_pass(void **state)
{
	FOR_EACH_BASE(b) {
		/* CD=1 NW=1 is allowed (only CD=0 NW=1 is not). */
		vm->save.cr0 |= CR0_CD | CR0_NW;
		pass();
		vm->save.cr0 &= ~CR0_NW;
		pass();
	}
	FOR_EACH_BASE(b) {
		/* G_PAT does not matter without nested paging. */
		vm->control.np_enable = 0;
		vm->save.g_pat = 0x0202020202020202ull;
		pass();
		vm->save.g_pat = 0xffffffffffffffffull;
		pass();
	}
	FOR_EACH_BASE(b) {
		/* Every defined memory type in every PAT entry. */
		const uint8_t good[] = { 0, 1, 4, 5, 6, 7 };
		for (unsigned i = 0; i < 8; i++)
			for (unsigned t = 0; t < sizeof(good); t++) {
				vm->save.g_pat = (GOOD_PAT & ~(0xffull << (8 * i))) |
						 ((uint64_t)good[t] << (8 * i));
				pass();
			}
	}
	FOR_EACH_BASE(b) {
		/* DR6/DR7 low halves may hold anything. */
		vm->save.dr6 = 0xffffffff;
		vm->save.dr7 = 0xffffffff;
		pass();
		/* Every defined EFER bit other than LME/SVME (mode-neutral). */
		vm->save.efer |= EFER_SCE | EFER_NXE | EFER_LMSLE | EFER_FFXSR | EFER_TCE |
				 (1ull << 17) | (1ull << 18) | (1ull << 20) | (1ull << 21);
		pass();
		/* CR4 bits 0-12, 16-18, 20-23. */
		vm->save.cr4 |= 0xf71fffull & ~CR4_PAE;
		pass();
	}
	/* Long mode: CR3 just below the physical width; CS.D alone is fine in
	 * protected mode, CS.L alone fine in long mode. */
	long_mode(vm);
	vm->save.cr3 = (1ull << PHYS_BITS) - 0x1000;
	pass();
	assert_true(vmcb_check_state(vm, 52, why, sizeof(why)));
	prot_mode(vm);
	vm->save.cs.attrib |= SEG_ATTR_L;   /* L with D outside long mode: ok */
	pass();
	/* EFER.LME without CR0.PG (about to enter long mode): no PAE needed. */
	prot_mode(vm);
	vm->save.efer |= EFER_LME;
	pass();
	/* Long mode, 32-bit compatibility-mode code: L=0, D=1. */
	long_mode(vm);
	vm->save.cs.attrib = (vm->save.cs.attrib & ~SEG_ATTR_L) | SEG_ATTR_DB;
	pass();
	/* Event injection that is legal. */
	FOR_EACH_BASE(b) {
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | 14 | EVENT_ERR_VALID;
		pass();
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | 0;
		pass();
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | 31;
		pass();
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_NMI | 2;
		pass();
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_INTR | 0x20;
		pass();
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_INTR | 0xff;
		pass();
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_SOFT | 0x80;
		pass();
		/* Not valid: the rest is ignored. */
		vm->control.eventinj = (7ull << 8) | 2;
		pass();
	}
	/* Any nonzero ASID. */
	long_mode(vm);
	vm->control.guest_asid = 0xffffffff;
	pass();
}

/* ---- each check, one at a time --------------------------------------------- */

static void test_svme(void **state)
{
	FOR_EACH_BASE(b) {
		vm->save.efer &= ~EFER_SVME;
		FAILS("SVME");
	}
}

static void test_cd_nw(void **state)
{
	FOR_EACH_BASE(b) {
		vm->save.cr0 &= ~CR0_CD;
		vm->save.cr0 |= CR0_NW;
		FAILS("CD", "NW");
	}
}

static void test_cr0_high(void **state)
{
	FOR_EACH_BASE(b) {
		vm->save.cr0 |= 1ull << 32;
		FAILS("CR0[63:32]");
	}
	FOR_EACH_BASE(b) {
		vm->save.cr0 |= 1ull << 63;
		FAILS("CR0");
	}
}

static void test_cr3(void **state)
{
	/* Long mode: beyond the physical address width. */
	long_mode(vm);
	vm->save.cr3 = 1ull << PHYS_BITS;
	FAILS("CR3", "physical address width");
	long_mode(vm);
	vm->save.cr3 = 1ull << 63;
	FAILS("CR3");
	/* CR3[63:52] are reserved in long mode whatever the width (APM vol. 2,
	 * 5.3.2), also on a CPU reporting 52 or more bits. */
	long_mode(vm);
	vm->save.cr3 = (1ull << 63) | 0x1000;
	assert_false(vmcb_check_state(vm, 52, why, sizeof(why)));
	assert_non_null(strstr(why, "CR3"));
	vm->save.cr3 = 1ull << 52;
	assert_false(vmcb_check_state(vm, 52, why, sizeof(why)));
	vm->save.cr3 = (1ull << 52) - 0x1000;
	assert_true(vmcb_check_state(vm, 52, why, sizeof(why)));
	vm->save.cr3 = 1ull << 63;
	assert_false(vmcb_check_state(vm, 64, why, sizeof(why)));
	vm->save.cr3 = (1ull << 52) - 0x1000;
	assert_true(vmcb_check_state(vm, 64, why, sizeof(why)));
	long_mode(vm);
	vm->save.cr3 = 1ull << 40;
	assert_false(vmcb_check_state(vm, 36, why, sizeof(why)));
	assert_true(vmcb_check_state(vm, 41, why, sizeof(why)));
	/* Outside long mode: any of bits 63:32. */
	prot_mode(vm);
	vm->save.cr3 = 1ull << 32;
	FAILS("CR3[63:32]");
	prot_mode(vm);
	vm->save.cr0 |= CR0_PG;
	vm->save.cr4 = CR4_PAE;
	vm->save.cr3 = 0x100000000ull;
	FAILS("CR3");
	/* LME without PG is not long mode yet. */
	prot_mode(vm);
	vm->save.efer |= EFER_LME;
	vm->save.cr3 = 0x100000000ull;
	FAILS("CR3[63:32]");
}

static void test_cr4_reserved(void **state)
{
	const unsigned reserved[] = { 13, 14, 15, 19, 24, 25, 31, 32, 63 };
	FOR_EACH_BASE(b) {
		for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
			uint64_t cr4 = vm->save.cr4;
			vm->save.cr4 |= 1ull << reserved[i];
			FAILS("CR4", "reserved");
			vm->save.cr4 = cr4;
			pass();
		}
	}
}

static void test_dr6_dr7(void **state)
{
	FOR_EACH_BASE(b) {
		vm->save.dr6 |= 1ull << 32;
		FAILS("DR6");
		vm->save.dr6 = 0xffff0ff0;
		vm->save.dr7 |= 1ull << 63;
		FAILS("DR7");
	}
}

static void test_efer_reserved(void **state)
{
	const unsigned reserved[] = { 1, 2, 7, 9, 16, 19, 22, 23, 32, 63 };
	FOR_EACH_BASE(b) {
		for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
			uint64_t efer = vm->save.efer;
			vm->save.efer |= 1ull << reserved[i];
			FAILS("EFER", "reserved");
			vm->save.efer = efer;
		}
	}
}

static void test_long_mode_needs_pae(void **state)
{
	long_mode(vm);
	vm->save.cr4 &= ~CR4_PAE;
	FAILS("LME", "PG", "PAE");
	/* From protected mode: turning on LME with PG but no PAE. */
	prot_mode(vm);
	vm->save.efer |= EFER_LME;
	vm->save.cr0 |= CR0_PG;
	FAILS("PAE");
}

static void test_long_mode_needs_pe(void **state)
{
	long_mode(vm);
	vm->save.cr0 &= ~CR0_PE;
	FAILS("LME", "PG", "PE");
	assert_null(strstr(why, "PAE"));
}

static void test_long_mode_cs_l_d(void **state)
{
	long_mode(vm);
	vm->save.cs.attrib |= SEG_ATTR_DB;
	FAILS("CS.L", "CS.D");
	/* Same CS with LME clear (not long mode): fine. */
	prot_mode(vm);
	vm->save.cs.attrib |= SEG_ATTR_L;
	pass();
}

static void test_vmrun_intercept(void **state)
{
	FOR_EACH_BASE(b) {
		vm->control.intercept_misc2 = ~INTERCEPT_VMRUN;
		FAILS("VMRUN", "intercept");
	}
}

static void test_permission_maps_width(void **state)
{
	FOR_EACH_BASE(b) {
		vm->control.iopm_base_pa = (1ull << PHYS_BITS) - 0x2000;  /* 3 pages */
		FAILS("IOPM");
		vm->control.iopm_base_pa = (1ull << PHYS_BITS) - 0x3000;
		pass();
		vm->control.msrpm_base_pa = (1ull << PHYS_BITS) - 0x1000; /* 2 pages */
		FAILS("MSRPM");
		vm->control.msrpm_base_pa = (1ull << PHYS_BITS) - 0x2000;
		pass();
	}
}

static void test_asid_zero(void **state)
{
	FOR_EACH_BASE(b) {
		vm->control.guest_asid = 0;
		FAILS("ASID");
	}
}

static void test_gpat_reserved(void **state)
{
	const uint8_t bad[] = { 2, 3, 8, 0x10, 0x80, 0xff };
	FOR_EACH_BASE(b) {
		for (unsigned i = 0; i < 8; i++)
			for (unsigned t = 0; t < sizeof(bad); t++) {
				vm->save.g_pat = (GOOD_PAT & ~(0xffull << (8 * i))) |
						 ((uint64_t)bad[t] << (8 * i));
				FAILS("G_PAT");
				vm->control.np_enable = 0;
				pass();
				vm->control.np_enable = NP_ENABLE;
			}
	}
}

static void test_eventinj(void **state)
{
	FOR_EACH_BASE(b) {
		const uint64_t bad_types[] = { 1, 5, 6, 7 };
		for (unsigned i = 0; i < 4; i++) {
			vm->control.eventinj = EVENT_VALID | (bad_types[i] << 8) | 0x20;
			FAILS("EVENTINJ", "type");
		}
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | 2;
		FAILS("EVENTINJ", "vector");
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | 32;
		FAILS("EVENTINJ", "vector");
		vm->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | 0xff;
		FAILS("EVENTINJ", "vector");
	}
}

/* The first failing check is the one named, in the APM's order. */
static void test_order_and_truncation(void **state)
{
	long_mode(vm);
	vm->save.efer &= ~EFER_SVME;
	vm->control.guest_asid = 0;
	FAILS("SVME");
	/* A short buffer is truncated, NUL-terminated, never overrun. */
	char small[8];
	memset(small, 'x', sizeof(small));
	assert_false(vmcb_check_state(vm, PHYS_BITS, small, 5));
	assert_int_equal(strlen(small), 4);
	assert_int_equal(small[5], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_states),
		cmocka_unit_test(test_edge_cases_pass),
		cmocka_unit_test(test_svme),
		cmocka_unit_test(test_cd_nw),
		cmocka_unit_test(test_cr0_high),
		cmocka_unit_test(test_cr3),
		cmocka_unit_test(test_cr4_reserved),
		cmocka_unit_test(test_dr6_dr7),
		cmocka_unit_test(test_efer_reserved),
		cmocka_unit_test(test_long_mode_needs_pae),
		cmocka_unit_test(test_long_mode_needs_pe),
		cmocka_unit_test(test_long_mode_cs_l_d),
		cmocka_unit_test(test_vmrun_intercept),
		cmocka_unit_test(test_permission_maps_width),
		cmocka_unit_test(test_asid_zero),
		cmocka_unit_test(test_gpat_reserved),
		cmocka_unit_test(test_eventinj),
		cmocka_unit_test(test_order_and_truncation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
