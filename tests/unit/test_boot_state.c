/*
 * tests/unit/test_boot_state.c - the seam's boot state (arch/x86/vendor.h):
 * the x86 power-on state (core/run/power_on.c) and a 64-bit entry state, put
 * into a VMCB by the SVM backend (arch/x86/svm/vmcb_init.c), must pass
 * VMRUN's consistency checks (arch/x86/svm/vmcb_check.c, APM vol. 2,
 * 15.5.1) and read back through the accessors as the guest sees them; a
 * VMCB built aside and switched in carries the TPR pointer with it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/vendor.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/vmcb_check.h"
#include "core/vm/vm.h"

/* What vmcb_init.c needs from the platform: pages, and the checker with
 * this CPU's address width (48 bits here). */
uint64_t pmm_alloc_pages(size_t n)
{
	void *p = aligned_alloc(4096, n * 4096);
	memset(p, 0, n * 4096);
	return (uint64_t)(uintptr_t)p;
}
void pmm_free_pages(uint64_t pa, size_t n) { free((void *)(uintptr_t)pa); }
bool vmcb_check_guest_state(const struct vmcb *vmcb, char *why, size_t len)
{
	return vmcb_check_state(vmcb, 48, why, len);
}

static struct vm vm;
static struct vcpu v;
static char why[256];

static int setup(void **state)
{
	memset(&vm, 0, sizeof(vm));
	vm.iopm_pa = 0x200000;
	vm.msrpm_pa = 0x204000;
	vm.npt_root_pa = 0x100000;
	memset(&v, 0, sizeof(v));
	v.vm = &vm;
	return vendor_vcpu_alloc(&v) ? 0 : -1;
}

static int teardown(void **state)
{
	vendor_vcpu_free(&v);
	return 0;
}

static void power_on_passes_vmrun_checks(void **state)
{
	struct vcpu_boot_state s;
	vcpu_power_on_state(&s);
	vendor_vcpu_reset(&v, false, &s);
	assert_true(vendor_check_state(&v, why, sizeof(why)));
	struct x86_seg cs;
	vendor_get_seg(&v, SEG_CS, &cs);
	assert_int_equal(cs.selector, 0xf000);
	assert_int_equal(cs.base, 0xffff0000);
	assert_int_equal(vendor_rip(&v), 0xfff0);
	assert_int_equal(vendor_rflags(&v), 0x2);
	assert_int_equal(vendor_cr0(&v), CR0_CD | CR0_NW | CR0_ET);
	/* EFER.SVME is in the VMCB (VMRUN needs it) but not in the guest's view. */
	assert_int_equal(v.vmcb->save.efer, EFER_SVME);
	assert_int_equal(vendor_efer(&v), 0);
	assert_true(v.vmcb->control.intercept_misc2 & INTERCEPT_VMRUN);
	assert_int_equal(v.vmcb->control.n_cr3, 0x100000);
	assert_null(v.last_pcpu);	/* a fresh ASID */
}

static void long_mode_entry_passes_vmrun_checks(void **state)
{
	struct vcpu_boot_state s;
	vcpu_power_on_state(&s);
	vendor_vcpu_reset(&v, false, &s);
	uint16_t code = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_G | SEG_ATTR_L;
	uint16_t data = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G;
	s.cs = (struct x86_seg){ 0x10, code, 0xffffffff, 0 };
	s.ds = s.es = s.fs = s.gs = s.ss = (struct x86_seg){ 0x18, data, 0xffffffff, 0 };
	s.cr0 = CR0_PE | CR0_ET | CR0_PG;
	s.cr3 = 0x9000;
	s.cr4 = CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	s.rip = 0x1000200;
	vendor_set_boot_state(&v, false, &s);
	assert_true(vendor_check_state(&v, why, sizeof(why)));
	assert_int_equal(vendor_efer(&v), EFER_LME | EFER_LMA);
	assert_int_equal(v.vmcb->save.efer, EFER_LME | EFER_LMA | EFER_SVME);
	assert_int_equal(vendor_cr3(&v), 0x9000);
	assert_int_equal(vendor_cr4(&v), CR4_PAE);
	assert_int_equal(vendor_rip(&v), 0x1000200);
	/* Both flags of CS: VMRUN refuses it (15.5.1). */
	s.cs.attrib |= SEG_ATTR_DB;
	vendor_set_boot_state(&v, false, &s);
	assert_false(vendor_check_state(&v, why, sizeof(why)));
}

static void segments_round_trip(void **state)
{
	for (unsigned i = 0; i < SEG_COUNT; i++) {
		struct x86_seg in = { (uint16_t)(0x08 * (i + 1)), 0x93, 0xfffff, 0x1000ull * i }, out;
		vendor_set_seg(&v, i, &in);
		vendor_get_seg(&v, i, &out);
		assert_memory_equal(&in, &out, sizeof(in));
	}
	assert_int_equal(v.vmcb->save.es.selector, 0x08);
	assert_int_equal(v.vmcb->save.gs.base, 0x5000);
}

/* A VM reset builds aside and switches: the TPR the LAPIC model reads
 * (vcpu.cr8_word) must then be the running VMCB's V_TPR. */
static void switch_moves_the_tpr_word(void **state)
{
	struct vcpu_boot_state s;
	vcpu_power_on_state(&s);
	vendor_vcpu_reset(&v, false, &s);
	struct vmcb *before = v.vmcb, *aside = v.vmcb_aside;
	assert_ptr_equal(v.cr8_word, (uint64_t *)((uint8_t *)before + 0x60));
	*v.cr8_word |= 5;
	vendor_vcpu_reset(&v, true, &s);
	assert_ptr_equal(v.vmcb, before);	/* untouched until the switch */
	assert_int_equal(before->control.v_intr & 0xff, 5);
	vendor_vcpu_switch(&v);
	assert_ptr_equal(v.vmcb, aside);
	assert_ptr_equal(v.vmcb_aside, before);
	assert_ptr_equal(v.cr8_word, (uint64_t *)((uint8_t *)aside + 0x60));
	assert_int_equal(*v.cr8_word & 0xff, 0);	/* power-on TPR */
	assert_true(vendor_check_state(&v, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(power_on_passes_vmrun_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(long_mode_entry_passes_vmrun_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(segments_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(switch_moves_the_tpr_word, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
