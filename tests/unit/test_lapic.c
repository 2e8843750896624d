/*
 * tests/unit/test_lapic.c - the virtual local APIC (devices/vlapic.c) in a
 * fake 4-vCPU VM: registers, priorities, EOI, the timer in its three modes
 * on fake time, IPIs and their destinations, latched messages, errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/fake_platform.h"
#include "devices/vlapic.h"
#include "devices/device.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"

#define NV 4

static struct vm vm;
static struct vcpu vcpus[NV];
static struct vmcb *vmcbs[NV];
static struct vlapic *L[NV];

/* ---- fakes of what lapic.c calls besides fake_platform ---- */

static void *pages[64];
static unsigned npages;

uint64_t pmm_alloc_pages(size_t n)
{
	void *p = aligned_alloc(4096, n * 4096);
	memset(p, 0, n * 4096);
	pages[npages++] = p;
	return (uint64_t)(uintptr_t)p;
}

/* The lock: never taken twice (a deadlock on the hypervisor). */
static struct vlapic *held[NV + 1];
static unsigned nheld;

uint64_t vlapic_test_lock(struct vlapic *l)
{
	for (unsigned i = 0; i < nheld; i++)
		assert_ptr_not_equal(held[i], l);
	assert_true(nheld < NV + 1);
	held[nheld++] = l;
	return 0;
}

void vlapic_test_unlock(struct vlapic *l, uint64_t flags)
{
	assert_true(nheld > 0);
	assert_ptr_equal(held[nheld - 1], l);
	nheld--;
}

static uint64_t tsc_offset;
uint64_t vlapic_guest_tsc(struct vcpu *v)
{
	return fake_now_ns * fake_tsc_khz / 1000000 + tsc_offset;
}

static int eoi_vectors[16];
static unsigned neoi;
static unsigned locks_held_at_eoi;
void ioapic_eoi(struct device *io, uint8_t vector)
{
	locks_held_at_eoi += nheld;
	if (neoi < 16)
		eoi_vectors[neoi++] = vector;
}

/* ---- set-up ---- */

static int setup(void **state)
{
	fake_platform_reset();
	memset(&vm, 0, sizeof(vm));
	vm.nvcpus = NV;
	vm.ioapic = (struct device *)&vm;	/* any non-NULL pointer */
	for (unsigned i = 0; i < NV; i++) {
		vmcbs[i] = aligned_alloc(4096, 4096);
		memset(vmcbs[i], 0, 4096);
		vcpus[i] = (struct vcpu){ .vmcb = vmcbs[i], .cr8_word = (uint64_t *)((uint8_t *)vmcbs[i] + 0x60),
					  .vm = &vm, .id = i,
					  .apic_base = 0xfee00000ull | (1ull << 11),
					  .lapic_page = 0xfee00000ull };
		vm.vcpus[i] = &vcpus[i];
		L[i] = vlapic_create(&vcpus[i]);
		assert_non_null(L[i]);
		vcpus[i].lapic = L[i];
	}
	tsc_offset = 0;
	neoi = locks_held_at_eoi = 0;
	nheld = 0;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(nheld, 0);
	for (unsigned i = 0; i < NV; i++)
		free(vmcbs[i]);
	for (unsigned i = 0; i < npages; i++)
		free(pages[i]);
	npages = 0;
	return 0;
}

static void enable(struct vlapic *l) { vlapic_write(l, 0xf0, 0x1ff); }

static bool irr(struct vlapic *l, uint8_t v)
{
	return vlapic_read(l, 0x200 + (v / 32) * 0x10) & (1u << (v % 32));
}

static bool isr(struct vlapic *l, uint8_t v)
{
	return vlapic_read(l, 0x100 + (v / 32) * 0x10) & (1u << (v % 32));
}

/* ---- registers ---- */

static void test_id_version(void **state)
{
	assert_int_equal(vlapic_read(L[0], 0x20), 0);
	assert_int_equal(vlapic_read(L[2], 0x20), 0x02000000);
	assert_int_equal(vlapic_read(L[3], 0x30), 0x00050014);
	vlapic_write(L[2], 0x20, 0x07000000);
	vlapic_write(L[2], 0x30, 0);
	assert_int_equal(vlapic_read(L[2], 0x20), 0x02000000);
	assert_int_equal(vlapic_read(L[2], 0x30), 0x00050014);
	/* Not a register, or not at the start of its 16-byte slot: 0. */
	assert_int_equal(vlapic_read(L[0], 0x40), 0);
	assert_int_equal(vlapic_read(L[0], 0x3f0), 0);
	assert_int_equal(vlapic_read(L[0], 0x34), 0);
}

static void test_reset_state(void **state)
{
	struct vlapic *l = L[1];
	assert_int_equal(vlapic_read(l, 0xf0), 0xff);
	assert_int_equal(vlapic_read(l, 0xe0), 0xffffffff);
	assert_int_equal(vlapic_read(l, 0xd0), 0);
	assert_int_equal(vlapic_read(l, 0x80), 0);
	assert_int_equal(vlapic_read(l, 0x2f0), 0x10000);
	for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
		assert_int_equal(vlapic_read(l, off), 0x10000);
	/* And back to it after changes. */
	enable(l);
	vlapic_write(l, 0xd0, 0x03000000);
	vlapic_write(l, 0x350, 0x700);
	vlapic_write(l, 0x80, 0x20);
	vlapic_accept(l, APIC_DM_FIXED, 0x40, true);
	vlapic_accept(l, APIC_DM_NMI, 0, false);
	vlapic_reset(l);
	assert_int_equal(vlapic_read(l, 0xf0), 0xff);
	assert_int_equal(vlapic_read(l, 0xd0), 0);
	assert_int_equal(vlapic_read(l, 0x350), 0x10000);
	assert_int_equal(vlapic_read(l, 0x80), 0);
	assert_int_equal(vmcbs[1]->control.v_intr & 0xff, 0);
	assert_false(irr(l, 0x40));
	assert_false(vlapic_take_nmi(l));
	assert_int_equal(vlapic_read(l, 0x20), 0x01000000);
}

static void test_register_masks(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_write(l, 0xd0, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0xd0), 0xff000000);
	vlapic_write(l, 0xe0, 0x00000000);
	assert_int_equal(vlapic_read(l, 0xe0), 0x0fffffff);
	vlapic_write(l, 0xf0, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0xf0), 0x3ff);
	vlapic_write(l, 0x310, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0x310), 0xff000000);
	vlapic_write(l, 0x3e0, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0x3e0), 0xb);
	/* LVTs: delivery status (12) and remote IRR (14) are read-only. */
	vlapic_write(l, 0x320, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0x320), 0x600ff | 0x10000);
	vlapic_write(l, 0x350, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0x350), 0x1a7ff);
	vlapic_write(l, 0x370, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0x370), 0x100ff);
	vlapic_write(l, 0x330, 0xffffffff);
	assert_int_equal(vlapic_read(l, 0x330), 0x107ff);
	/* IRR, ISR, TMR and PPR are read-only. */
	vlapic_accept(l, APIC_DM_FIXED, 0x41, false);
	vlapic_write(l, 0x200 + 0x20, 0);
	vlapic_write(l, 0x100 + 0x20, 0xffffffff);
	vlapic_write(l, 0x180 + 0x20, 0xffffffff);
	vlapic_write(l, 0xa0, 0xff);
	assert_int_equal(vlapic_read(l, 0x220), 2);
	assert_int_equal(vlapic_read(l, 0x120), 0);
	assert_int_equal(vlapic_read(l, 0x1a0), 0);
	assert_int_equal(vlapic_read(l, 0xa0), 0);
	/* ESR: a write latches what happened since the last write. */
	vlapic_accept(l, APIC_DM_FIXED, 3, false);
	assert_int_equal(vlapic_read(l, 0x280), 0);
	vlapic_write(l, 0x280, 0);
	assert_int_equal(vlapic_read(l, 0x280), 0x40);
	vlapic_write(l, 0x280, 0);
	assert_int_equal(vlapic_read(l, 0x280), 0);
}

static void test_mmio_access(void **state)
{
	const struct device_model *m = &lapic_mmio_model;
	assert_true(m->flags & DEVICE_SELF_LOCKING);
	struct device d = { 0 };
	uint64_t b = LAPIC_DEFAULT_BASE;
	fake_current_vcpu = NULL;
	assert_int_equal(m->mmio_read(&d, b + 0x30, 4), 0);
	fake_current_vcpu = &vcpus[3];
	assert_int_equal(m->mmio_read(&d, b + 0x20, 4), 0x03000000);
	assert_int_equal(m->mmio_read(&d, b + 0x30, 4), 0x00050014);
	assert_int_equal(m->mmio_read(&d, b + 0x30, 1), 0x14);
	assert_int_equal(m->mmio_read(&d, b + 0x32, 1), 0x05);
	assert_int_equal(m->mmio_read(&d, b + 0x32, 2), 0x0005);
	assert_int_equal(m->mmio_read(&d, b + 0x23, 1), 0x03);
	assert_int_equal(m->mmio_read(&d, b + 0x34, 4), 0);
	assert_int_equal(m->mmio_read(&d, b + 0x30, 8), 0x00050014);
	/* Writes: only aligned dwords. */
	m->mmio_write(&d, b + 0xd0, 1, 0xff000000);
	m->mmio_write(&d, b + 0xd3, 1, 0xff);
	m->mmio_write(&d, b + 0xd0, 2, 0xffff);
	m->mmio_write(&d, b + 0xd4, 4, 0xff000000);
	m->mmio_write(&d, b + 0xd0, 8, 0xff000000);
	assert_int_equal(vlapic_read(L[3], 0xd0), 0);
	m->mmio_write(&d, b + 0xd0, 4, 0x08000000);
	assert_int_equal(vlapic_read(L[3], 0xd0), 0x08000000);
	assert_int_equal(vlapic_read(L[2], 0xd0), 0);	/* only the current vCPU's */
}

/* APIC_BASE moved the current vCPU's page: the old one answers nothing
 * (all ones, writes ignored), the new one is its LAPIC. */
static void test_mmio_moved_page(void **state)
{
	const struct device_model *m = &lapic_mmio_model;
	struct device d = { 0 };
	uint64_t old = LAPIC_DEFAULT_BASE, moved = 0x123000;
	fake_current_vcpu = &vcpus[1];
	vcpus[1].lapic_page = moved;
	assert_int_equal(m->mmio_read(&d, old + 0x30, 4), 0xffffffffu);
	assert_int_equal(m->mmio_read(&d, old + 0x30, 1), 0xff);
	assert_true(m->mmio_read(&d, old + 0x30, 8) == ~0ull);
	m->mmio_write(&d, old + 0xd0, 4, 0x08000000);
	assert_int_equal(vlapic_read(L[1], 0xd0), 0);
	assert_int_equal(m->mmio_read(&d, moved + 0x20, 4), 0x01000000);
	m->mmio_write(&d, moved + 0xd0, 4, 0x08000000);
	assert_int_equal(vlapic_read(L[1], 0xd0), 0x08000000);
	fake_current_vcpu = &vcpus[0];	/* the others still answer at the old page */
	assert_int_equal(m->mmio_read(&d, old + 0x20, 4), 0);
	assert_int_equal(m->mmio_read(&d, old + 0x30, 4), 0x00050014);
}

/* A globally disabled LAPIC takes no message, not even an NMI or INIT. */
static void test_globally_disabled_drops(void **state)
{
	vlapic_write(L[2], 0xf0, 0x1ff);
	vcpus[2].apic_base &= ~(1ull << 11);
	vlapic_accept(L[2], APIC_DM_FIXED, 0x40, false);
	vlapic_accept(L[2], APIC_DM_NMI, 0, false);
	vlapic_accept(L[2], APIC_DM_INIT, 0, false);
	assert_int_equal(vlapic_pending_vector(L[2]), -1);
	assert_false(vlapic_take_nmi(L[2]));
	assert_false(vlapic_take_init(L[2]));
	vcpus[2].apic_base |= 1ull << 11;
	vlapic_accept(L[2], APIC_DM_NMI, 0, false);
	assert_true(vlapic_take_nmi(L[2]));
}

/* ---- priorities ---- */

static void test_tpr_ppr(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_accept(l, APIC_DM_FIXED, 0x45, false);
	assert_int_equal(vlapic_pending_vector(l), 0x45);
	vlapic_write(l, 0x80, 0x50);
	assert_int_equal(vmcbs[0]->control.v_intr & 0xff, 5);
	assert_int_equal(vlapic_read(l, 0x80), 0x50);
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_write(l, 0x80, 0x4f);	/* same class: still blocked */
	assert_int_equal(vlapic_read(l, 0x80), 0x4f);
	assert_int_equal(vlapic_read(l, 0xa0), 0x4f);
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_write(l, 0x80, 0x3f);
	assert_int_equal(vlapic_pending_vector(l), 0x45);
	/* The guest's MOV CR8 changes V_TPR without an exit: TPR[3:0] = 0. */
	vmcbs[0]->control.v_intr = (vmcbs[0]->control.v_intr & ~0xffull) | 6;
	assert_int_equal(vlapic_tpr(l), 0x60);
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_set_tpr(l, 0x21);
	assert_int_equal(vlapic_tpr(l), 0x21);
	assert_int_equal(vmcbs[0]->control.v_intr & 0xff, 2);
	assert_int_equal(vlapic_pending_vector(l), 0x45);
	/* PPR = max(TPR, ISR class). */
	vlapic_ack(l, 0x45);
	assert_int_equal(vlapic_read(l, 0xa0), 0x40);
	vlapic_set_tpr(l, 0x52);
	assert_int_equal(vlapic_read(l, 0xa0), 0x52);
}

static void test_nested_eoi(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_accept(l, APIC_DM_FIXED, 0x31, false);
	assert_int_equal(vlapic_pending_vector(l), 0x31);
	vlapic_ack(l, 0x31);
	assert_true(isr(l, 0x31));
	assert_false(irr(l, 0x31));
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_accept(l, APIC_DM_FIXED, 0x35, false);	/* same class: waits */
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_accept(l, APIC_DM_FIXED, 0x61, false);	/* higher: nests */
	assert_int_equal(vlapic_pending_vector(l), 0x61);
	vlapic_ack(l, 0x61);
	vlapic_accept(l, APIC_DM_FIXED, 0x62, false);
	assert_int_equal(vlapic_pending_vector(l), -1);
	assert_int_equal(vlapic_read(l, 0xa0), 0x60);
	/* APR: the highest of TPR, ISR and IRR classes. */
	assert_int_equal(vlapic_read(l, 0x90), 0x60);
	vlapic_write(l, 0xb0, 0);	/* EOI: 0x61 */
	assert_false(isr(l, 0x61));
	assert_true(isr(l, 0x31));
	assert_int_equal(vlapic_pending_vector(l), 0x62);
	vlapic_ack(l, 0x62);
	vlapic_write(l, 0xb0, 0);	/* 0x62 */
	assert_int_equal(vlapic_pending_vector(l), -1);	/* 0x35 still below 0x31's class */
	vlapic_write(l, 0xb0, 0);	/* 0x31 */
	assert_int_equal(vlapic_pending_vector(l), 0x35);
	assert_int_equal(vlapic_read(l, 0xa0), 0);
	vlapic_write(l, 0xb0, 0);	/* nothing in service: no effect */
	assert_int_equal(neoi, 0);	/* all edge */
	/* ack of a vector not in IRR changes nothing */
	vlapic_ack(l, 0x77);
	assert_false(isr(l, 0x77));
}

static void test_level_eoi_reaches_ioapic(void **state)
{
	struct vlapic *l = L[1];
	enable(l);
	vlapic_accept(l, APIC_DM_FIXED, 0x50, true);
	vlapic_accept(l, APIC_DM_FIXED, 0x40, false);
	assert_true(vlapic_read(l, 0x180 + 0x20) & (1u << 16));	/* TMR 0x50 */
	vlapic_ack(l, 0x50);
	vlapic_write(l, 0xb0, 0);
	assert_int_equal(neoi, 1);
	assert_int_equal(eoi_vectors[0], 0x50);
	assert_int_equal(locks_held_at_eoi, 0);
	vlapic_ack(l, 0x40);
	vlapic_write(l, 0xb0, 0);
	assert_int_equal(neoi, 1);	/* edge: not sent to the IOAPIC */
	/* Unless an unmasked IOAPIC edge entry has it (acknowledge
	 * notifiers, devices/irq.h). */
	vm.ioapic_edge_vectors[0x40 / 64] |= 1ull << (0x40 % 64);
	vlapic_accept(l, APIC_DM_FIXED, 0x40, false);
	vlapic_ack(l, 0x40);
	vlapic_write(l, 0xb0, 0);
	assert_int_equal(neoi, 2);
	assert_int_equal(eoi_vectors[1], 0x40);
	assert_int_equal(locks_held_at_eoi, 0);
	vm.ioapic_edge_vectors[0x40 / 64] = 0;
	neoi = 1;
	/* An edge message for the vector clears its TMR bit. */
	vlapic_accept(l, APIC_DM_FIXED, 0x50, false);
	assert_false(vlapic_read(l, 0x180 + 0x20) & (1u << 16));
	/* No IOAPIC in the VM: nothing to call. */
	vm.ioapic = NULL;
	vlapic_accept(l, APIC_DM_FIXED, 0x70, true);
	vlapic_ack(l, 0x70);
	vlapic_write(l, 0xb0, 0);
	assert_int_equal(neoi, 1);
}

static void in_service(struct vlapic *l, uint8_t v, bool level)
{
	vlapic_accept(l, APIC_DM_FIXED, v, level);
	vlapic_ack(l, v);
}

/* v in service: the flag stays clear, and the register's EOI reaches the
 * IOAPIC (eois of them so far). */
static void register_eoi_only(struct vlapic *l, const uint8_t *flag, uint8_t v, bool level,
			      unsigned eois)
{
	in_service(l, v, level);
	vlapic_pv_eoi_arm(l);
	assert_int_equal(*flag & 1, 0);
	vlapic_write(l, 0xb0, 0);
	assert_int_equal(neoi, eois);
}

/* KVM's PV EOI (devices/vlapic.h): the flag is set only when the vector
 * in service may be cleared alone; a cleared flag at the next exit is the
 * EOI; a flag still set is taken back, and the register EOI still works. */
static void test_pv_eoi(void **state)
{
	struct vlapic *l = L[0];
	uint8_t flag = 0x80;	/* bits 1-7 are the guest's */
	enable(l);
	vlapic_pv_eoi_arm(l);	/* off: nothing happens */
	vlapic_set_pv_eoi(l, 0x1001, &flag);
	assert_int_equal(vlapic_pv_eoi_msr(l), 0x1001);
	vlapic_pv_eoi_arm(l);	/* nothing in service: not set */
	assert_int_equal(flag, 0x80);

	in_service(l, 0x31, false);
	vlapic_pv_eoi_arm(l);
	assert_int_equal(flag, 0x81);
	flag &= (uint8_t)~1;	/* the guest's EOI */
	vlapic_pv_eoi_collect(l);
	assert_false(isr(l, 0x31));
	assert_int_equal(vlapic_pv_eois(l), 1);
	vlapic_pv_eoi_collect(l);	/* not armed: nothing more */
	assert_int_equal(vlapic_pv_eois(l), 1);

	/* An exit before the guest's EOI: the flag is taken back, the guest
	 * writes the register, and the next entry sets it again only once
	 * the vector is in service alone. */
	in_service(l, 0x31, false);
	vlapic_pv_eoi_arm(l);
	vlapic_pv_eoi_collect(l);
	assert_int_equal(flag, 0x80);
	assert_true(isr(l, 0x31));
	vlapic_accept(l, APIC_DM_FIXED, 0x61, false);	/* requested: not set */
	vlapic_pv_eoi_arm(l);
	assert_int_equal(flag, 0x80);
	vlapic_ack(l, 0x61);	/* two in service: not set */
	vlapic_pv_eoi_arm(l);
	assert_int_equal(flag, 0x80);
	vlapic_write(l, 0xb0, 0);	/* 0x61 by the register */
	vlapic_pv_eoi_arm(l);	/* 0x31 alone again */
	assert_int_equal(flag, 0x81);
	flag &= (uint8_t)~1;
	vlapic_pv_eoi_collect(l);
	assert_false(isr(l, 0x31));
	assert_int_equal(vlapic_pv_eois(l), 2);

	/* Level-triggered, or wanted by the IOAPIC: the register only. */
	register_eoi_only(l, &flag, 0x50, true, 1);
	vm.ioapic_edge_vectors[0x40 / 64] |= 1ull << (0x40 % 64);
	register_eoi_only(l, &flag, 0x40, false, 2);
	vm.ioapic_edge_vectors[0x40 / 64] = 0;

	/* A reset turns it off. */
	in_service(l, 0x31, false);
	vlapic_reset(l);
	assert_int_equal(vlapic_pv_eoi_msr(l), 0);
	enable(l);
	in_service(l, 0x31, false);
	vlapic_pv_eoi_arm(l);
	assert_int_equal(flag, 0x80);
	assert_int_equal(nheld, 0);
}

/* EOI register writes are told apart by the vector they end: the LVT
 * Timer's or another; an EOI with nothing in service or through the PV
 * flag is no register EOI of a vector. */
static void test_eoi_write_counts(void **state)
{
	struct vlapic *l = L[0];
	uint8_t flag = 0;
	enable(l);
	vlapic_write(l, 0x320, 0x10040);	/* LVT Timer: vector 0x40 (masked) */
	in_service(l, 0x40, false);
	vlapic_write(l, 0xb0, 0);
	in_service(l, 0x31, false);
	vlapic_write(l, 0xb0, 0);
	vlapic_write(l, 0xb0, 0);	/* nothing in service */
	assert_int_equal(vlapic_eoi_writes(l, true), 1);
	assert_int_equal(vlapic_eoi_writes(l, false), 1);
	vlapic_set_pv_eoi(l, 1, &flag);
	in_service(l, 0x31, false);
	vlapic_pv_eoi_arm(l);
	flag = 0;
	vlapic_pv_eoi_collect(l);
	assert_int_equal(vlapic_eoi_writes(l, false), 1);
	assert_int_equal(vlapic_pv_eois(l), 1);
}

static void test_svr_disable(void **state)
{
	struct vlapic *l = L[0];
	/* Disabled at reset: LVTs can't be unmasked, fixed messages dropped. */
	vlapic_write(l, 0x320, 0x40);
	assert_int_equal(vlapic_read(l, 0x320), 0x10040);
	vlapic_accept(l, APIC_DM_FIXED, 0x40, false);
	assert_false(irr(l, 0x40));
	vlapic_accept(l, APIC_DM_NMI, 0, false);
	assert_true(vlapic_take_nmi(l));
	enable(l);
	vlapic_write(l, 0x320, 0x40);
	vlapic_write(l, 0x350, 0x700);
	assert_int_equal(vlapic_read(l, 0x320), 0x40);
	vlapic_write(l, 0xf0, 0xff);
	for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
		assert_true(vlapic_read(l, off) & 0x10000);
	assert_int_equal(vlapic_read(l, 0x350), 0x10700);
	vlapic_write(l, 0x350, 0x700);
	assert_int_equal(vlapic_read(l, 0x350), 0x10700);
}

/* ---- the timer ---- */

/* Divide configuration encodings and their divisors (SDM figure 10-10). */
static const struct { uint32_t dcr, div; } divs[] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

static void test_timer_oneshot(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	for (unsigned i = 0; i < sizeof(divs) / sizeof(divs[0]); i++) {
		uint64_t t0 = fake_now_ns;
		vlapic_write(l, 0x3e0, divs[i].dcr);
		vlapic_write(l, 0x320, 0x40);		/* one-shot, vector 0x40 */
		vlapic_write(l, 0x380, 100000);
		uint64_t period = 100000ull * divs[i].div;
		assert_int_equal(vlapic_read(l, 0x390), 100000);
		fake_advance_to(t0 + period / 4);
		assert_int_equal(vlapic_read(l, 0x390), 75000);
		fake_advance_to(t0 + period / 2);
		assert_int_equal(vlapic_read(l, 0x390), 50000);
		fake_advance_to(t0 + period - 1);
		assert_false(irr(l, 0x40));
		fake_advance_to(t0 + period);
		assert_true(irr(l, 0x40));
		assert_int_equal(vlapic_read(l, 0x390), 0);
		assert_int_equal(vlapic_read(l, 0x380), 100000);
		vlapic_ack(l, 0x40);
		vlapic_write(l, 0xb0, 0);
		fake_advance(10 * period);		/* once only */
		assert_false(irr(l, 0x40));
		assert_int_equal(fake_armed_timers(), 0);
	}
	/* Initial count 0 stops it. */
	vlapic_write(l, 0x380, 1000);
	vlapic_write(l, 0x380, 0);
	fake_advance(1000000);
	assert_false(irr(l, 0x40));
}

/* A stopped VM's LAPIC timer at 10 kHz (issue 17): cancelled for good. */
static void test_timer_stop(void **state)
{
	struct vlapic *l = L[1];
	enable(l);
	vlapic_write(l, 0x3e0, 0xb);			/* divide by 1 */
	vlapic_write(l, 0x320, 0x20000 | 0x52);		/* periodic */
	vlapic_write(l, 0x380, 100000);			/* 100 us at 1 GHz */
	assert_int_equal(fake_armed_timers(), 1);
	fake_advance(250000);
	assert_true(irr(l, 0x52));
	vlapic_ack(l, 0x52);
	vlapic_write(l, 0xb0, 0);
	vlapic_stop(l);
	assert_int_equal(fake_armed_timers(), 0);
	fake_advance(1000000);
	assert_false(irr(l, 0x52));
	vlapic_write(l, 0x380, 100000);			/* no vCPU would; still none */
	assert_int_equal(fake_armed_timers(), 0);
}

static unsigned count_timer_irqs(struct vlapic *l, uint8_t vec, uint64_t until, uint64_t step)
{
	unsigned n = 0;
	while (fake_now_ns < until) {
		fake_advance(step);
		if (irr(l, vec)) {
			n++;
			vlapic_ack(l, vec);
			vlapic_write(l, 0xb0, 0);
		}
	}
	return n;
}

static void test_timer_periodic(void **state)
{
	struct vlapic *l = L[2];
	enable(l);
	for (unsigned i = 0; i < sizeof(divs) / sizeof(divs[0]); i++) {
		uint64_t t0 = fake_now_ns;
		uint64_t period = 1000ull * divs[i].div * 100;	/* >= 100 us */
		vlapic_write(l, 0x3e0, divs[i].dcr);
		vlapic_write(l, 0x320, 0x20000 | 0x51);
		vlapic_write(l, 0x380, 100000);
		fake_advance_to(t0 + period - 1);
		assert_false(irr(l, 0x51));
		fake_advance_to(t0 + period);
		assert_true(irr(l, 0x51));
		vlapic_ack(l, 0x51);
		vlapic_write(l, 0xb0, 0);
		/* Counting restarts from the initial count. */
		fake_advance_to(t0 + period + period / 2);
		assert_int_equal(vlapic_read(l, 0x390), 50000);
		fake_advance_to(t0 + 2 * period - 1);
		assert_false(irr(l, 0x51));
		fake_advance_to(t0 + 2 * period);
		assert_true(irr(l, 0x51));
		vlapic_ack(l, 0x51);
		vlapic_write(l, 0xb0, 0);
		assert_int_equal(count_timer_irqs(l, 0x51, t0 + 12 * period, period / 4), 10);
		vlapic_write(l, 0x380, 0);
		assert_int_equal(fake_armed_timers(), 0);
	}
}

/* The host runs the timer late: the guest sees the count go on from the
 * reload, and the next period keeps to the original grid. */
static void test_timer_periodic_late(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_write(l, 0x3e0, 0xb);
	vlapic_write(l, 0x320, 0x20000 | 0x40);
	vlapic_write(l, 0x380, 100000);			/* 100 us */
	fake_now_ns = 130000;				/* 30 us late, not fired yet */
	assert_int_equal(vlapic_read(l, 0x390), 70000);
	fake_advance(0);
	assert_true(irr(l, 0x40));
	vlapic_ack(l, 0x40);
	vlapic_write(l, 0xb0, 0);
	assert_int_equal(vlapic_read(l, 0x390), 70000);
	fake_advance_to(199999);
	assert_false(irr(l, 0x40));
	fake_advance_to(200000);
	assert_true(irr(l, 0x40));
}

static void test_timer_rate_clamp(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_write(l, 0x3e0, 0xb);			/* divide by 1 */
	vlapic_write(l, 0x320, 0x20000 | 0x40);		/* periodic */
	vlapic_write(l, 0x380, 1);			/* 1 ns */
	/* At most one interrupt per 100 us: 10 in 1 ms. */
	assert_int_equal(count_timer_irqs(l, 0x40, 1000000, 1000), 10);
	/* A host that falls 10 ms behind gets one interrupt, not a burst of
	 * 100, and the next period starts from now. */
	unsigned kicks = fake_kicks;
	fake_now_ns += 10000000;
	fake_advance(0);
	assert_int_equal(fake_kicks, kicks + 1);
	assert_true(irr(l, 0x40));
	vlapic_ack(l, 0x40);
	vlapic_write(l, 0xb0, 0);
	fake_advance(99999);
	assert_false(irr(l, 0x40));
	fake_advance(1);
	assert_true(irr(l, 0x40));
}

static void test_timer_masked(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_write(l, 0x3e0, 0xb);
	vlapic_write(l, 0x320, 0x10000 | 0x20000 | 0x40);	/* masked, periodic */
	vlapic_write(l, 0x380, 100000);
	fake_advance(1000000);
	assert_int_equal(vlapic_read(l, 0x200 + 0x20), 0);
	assert_int_equal(fake_armed_timers(), 1);		/* still counting */
	vlapic_write(l, 0x320, 0x20000 | 0x40);
	fake_advance(100000);
	assert_true(irr(l, 0x40));
}

static void test_timer_divide_change(void **state)
{
	struct vlapic *l = L[0];
	enable(l);
	vlapic_write(l, 0x3e0, 0xb);			/* /1 */
	vlapic_write(l, 0x320, 0x40);
	vlapic_write(l, 0x380, 10000);
	fake_advance(4000);
	assert_int_equal(vlapic_read(l, 0x390), 6000);
	vlapic_write(l, 0x3e0, 0x0);			/* /2: 6000 ticks = 12 us more */
	assert_int_equal(vlapic_read(l, 0x390), 6000);
	fake_advance(2000);
	assert_int_equal(vlapic_read(l, 0x390), 5000);
	fake_advance(9999);
	assert_false(irr(l, 0x40));
	fake_advance(1);
	assert_true(irr(l, 0x40));
	vlapic_ack(l, 0x40);
	vlapic_write(l, 0xb0, 0);
	/* Periodic: the period after the change counts the whole initial
	 * count at the new rate. */
	vlapic_write(l, 0x3e0, 0xb);
	vlapic_write(l, 0x320, 0x20000 | 0x40);
	uint64_t t0 = fake_now_ns;
	vlapic_write(l, 0x380, 100000);
	fake_advance(40000);
	vlapic_write(l, 0x3e0, 0x0);			/* /2: 60000 ticks = 120 us */
	fake_advance_to(t0 + 160000 - 1);
	assert_false(irr(l, 0x40));
	fake_advance_to(t0 + 160000);
	assert_true(irr(l, 0x40));
	fake_advance_to(t0 + 160000 + 50000);
	assert_int_equal(vlapic_read(l, 0x390), 75000);
	fake_advance_to(t0 + 160000 + 200000);
	assert_int_equal(vlapic_read(l, 0x390), 100000);
}

static void test_timer_tsc_deadline(void **state)
{
	struct vlapic *l = L[1];
	enable(l);
	fake_tsc_khz = 2000000;				/* 2 TSC ticks per ns */
	tsc_offset = 123456789;
	fake_advance_to(1000);
	/* Not in TSC-deadline mode: the MSR ignores writes and reads 0. */
	vlapic_set_tsc_deadline(l, 5);
	assert_int_equal(vlapic_tsc_deadline(l), 0);
	vlapic_write(l, 0x320, 0x40000 | 0x60);
	assert_int_equal(vlapic_read(l, 0x320), 0x40060);
	/* Initial count writes are ignored in this mode. */
	vlapic_write(l, 0x380, 5);
	assert_int_equal(vlapic_read(l, 0x380), 0);
	assert_int_equal(fake_armed_timers(), 0);
	uint64_t now_tsc = vlapic_guest_tsc(&vcpus[1]);
	vlapic_set_tsc_deadline(l, now_tsc + 20000);	/* 10 us ahead */
	assert_int_equal(vlapic_tsc_deadline(l), now_tsc + 20000);
	assert_int_equal(vlapic_read(l, 0x390), 0);
	fake_advance(9999);
	assert_false(irr(l, 0x60));
	fake_advance(1);
	assert_true(irr(l, 0x60));
	assert_int_equal(vlapic_tsc_deadline(l), 0);	/* fired: disarmed */
	vlapic_ack(l, 0x60);
	vlapic_write(l, 0xb0, 0);
	fake_advance(100000);
	assert_false(irr(l, 0x60));
	/* A deadline in the past fires at once. */
	vlapic_set_tsc_deadline(l, 1);
	fake_advance(0);
	assert_true(irr(l, 0x60));
	vlapic_ack(l, 0x60);
	vlapic_write(l, 0xb0, 0);
	/* Writing 0 disarms. */
	now_tsc = vlapic_guest_tsc(&vcpus[1]);
	vlapic_set_tsc_deadline(l, now_tsc + 1000);
	vlapic_set_tsc_deadline(l, 0);
	fake_advance(100000);
	assert_false(irr(l, 0x60));
	/* Leaving TSC-deadline mode disarms too. */
	now_tsc = vlapic_guest_tsc(&vcpus[1]);
	vlapic_set_tsc_deadline(l, now_tsc + 1000);
	vlapic_write(l, 0x320, 0x60);
	fake_advance(100000);
	assert_false(irr(l, 0x60));
	assert_int_equal(vlapic_tsc_deadline(l), 0);
	/* A guest TSC moved backwards (offset change): fires on the guest
	 * TSC, not early. */
	vlapic_write(l, 0x320, 0x40000 | 0x60);
	now_tsc = vlapic_guest_tsc(&vcpus[1]);
	vlapic_set_tsc_deadline(l, now_tsc + 2000);	/* 1 us */
	tsc_offset -= 2000;				/* now 2 us away */
	fake_advance(1000);
	assert_false(irr(l, 0x60));
	fake_advance(1000);
	assert_true(irr(l, 0x60));
	/* A huge deadline does not overflow into the past. */
	vlapic_ack(l, 0x60);
	vlapic_write(l, 0xb0, 0);
	vlapic_set_tsc_deadline(l, UINT64_MAX);
	fake_advance(1000000000);
	assert_false(irr(l, 0x60));
	/* Nor on a slow TSC, where ticks * 10^6 would wrap to 0. */
	fake_tsc_khz = 1;
	now_tsc = vlapic_guest_tsc(&vcpus[1]);
	vlapic_set_tsc_deadline(l, now_tsc + (1ull << 58));
	fake_advance(1000000000);
	assert_false(irr(l, 0x60));
}

/* ---- IPIs ---- */

static unsigned who_has(uint8_t v)
{
	unsigned mask = 0;
	for (unsigned i = 0; i < NV; i++)
		if (irr(L[i], v))
			mask |= 1u << i;
	return mask;
}

static void clear_irr(uint8_t v)
{
	for (unsigned i = 0; i < NV; i++)
		if (irr(L[i], v)) {
			vlapic_ack(L[i], v);
			vlapic_write(L[i], 0xb0, 0);
		}
}

static void ipi(unsigned from, uint32_t hi, uint32_t lo)
{
	vlapic_write(L[from], 0x310, hi);
	vlapic_write(L[from], 0x300, lo);
	assert_int_equal(vlapic_read(L[from], 0x300) & (1u << 12), 0);
}

static void test_ipi_shorthands_physical(void **state)
{
	for (unsigned i = 0; i < NV; i++)
		enable(L[i]);
	ipi(1, 0, (1u << 18) | 0x80);			/* self */
	assert_int_equal(who_has(0x80), 0x2);
	clear_irr(0x80);
	ipi(2, 0, (2u << 18) | 0x81);			/* all including self */
	assert_int_equal(who_has(0x81), 0xf);
	clear_irr(0x81);
	ipi(2, 0, (3u << 18) | 0x82);			/* all excluding self */
	assert_int_equal(who_has(0x82), 0xb);
	clear_irr(0x82);
	ipi(0, 3u << 24, 0x83);				/* physical 3 */
	assert_int_equal(who_has(0x83), 0x8);
	clear_irr(0x83);
	ipi(0, 0xffu << 24, 0x84);			/* physical broadcast */
	assert_int_equal(who_has(0x84), 0xf);
	clear_irr(0x84);
	ipi(0, 9u << 24, 0x85);				/* nobody */
	assert_int_equal(who_has(0x85), 0);
	assert_int_equal(vlapic_read(L[0], 0x300), 0x85);
	assert_int_equal(vlapic_read(L[0], 0x310), 0x09000000);
	/* vlapic_deliver (the IOAPIC's way in) */
	vlapic_deliver(&vm, 2, false, APIC_DM_FIXED, 0x86, false);
	assert_int_equal(who_has(0x86), 0x4);
	assert_int_equal(nheld, 0);
}

static void test_ipi_logical_flat(void **state)
{
	for (unsigned i = 0; i < NV; i++) {
		enable(L[i]);
		vlapic_write(L[i], 0xd0, (1u << i) << 24);
	}
	ipi(0, 0x05u << 24, (1u << 11) | 0x90);
	assert_int_equal(who_has(0x90), 0x5);
	clear_irr(0x90);
	ipi(3, 0xffu << 24, (1u << 11) | 0x91);
	assert_int_equal(who_has(0x91), 0xf);
	clear_irr(0x91);
	vlapic_deliver(&vm, 0x0a, true, APIC_DM_FIXED, 0x92, true);
	assert_int_equal(who_has(0x92), 0xa);
	assert_true(vlapic_read(L[1], 0x180 + 0x40) & (1u << 18));	/* TMR */
	/* Lowest priority: the lowest-numbered vCPU that matches. */
	vlapic_deliver(&vm, 0x0c, true, APIC_DM_LOWEST, 0x93, false);
	assert_int_equal(who_has(0x93), 0x4);
	ipi(0, 0x0fu << 24, (1u << 11) | (1u << 8) | 0x94);
	assert_int_equal(who_has(0x94), 0x1);
}

static void test_ipi_logical_cluster(void **state)
{
	static const uint32_t ldr[NV] = { 0x11, 0x12, 0x21, 0x22 };
	for (unsigned i = 0; i < NV; i++) {
		enable(L[i]);
		vlapic_write(L[i], 0xe0, 0x0fffffff);
		vlapic_write(L[i], 0xd0, ldr[i] << 24);
	}
	ipi(0, 0x13u << 24, (1u << 11) | 0xa0);		/* cluster 1, both */
	assert_int_equal(who_has(0xa0), 0x3);
	ipi(0, 0x22u << 24, (1u << 11) | 0xa1);		/* cluster 2, member 2 */
	assert_int_equal(who_has(0xa1), 0x8);
	ipi(0, 0x32u << 24, (1u << 11) | 0xa2);		/* no such cluster */
	assert_int_equal(who_has(0xa2), 0);
	/* The same address in the flat model means other LAPICs. */
	vlapic_write(L[0], 0xe0, 0xffffffff);
	ipi(1, 0x11u << 24, (1u << 11) | 0xa3);
	assert_int_equal(who_has(0xa3), 0x1);
}

static void test_nmi_init_sipi(void **state)
{
	for (unsigned i = 0; i < NV; i++)
		enable(L[i]);
	assert_false(vlapic_has_nmi(L[1]));
	ipi(0, 1u << 24, 4u << 8);				/* NMI to 1 */
	assert_true(vlapic_has_nmi(L[1]));
	assert_true(vlapic_take_nmi(L[1]));
	assert_false(vlapic_take_nmi(L[1]));
	assert_false(vlapic_take_nmi(L[2]));
	/* INIT assert to all but self, then the de-assert, which is ignored. */
	ipi(0, 0, (3u << 18) | (1u << 15) | (1u << 14) | (5u << 8));
	assert_false(vlapic_take_init(L[0]));
	for (unsigned i = 1; i < NV; i++)
		assert_true(vlapic_take_init(L[i]));
	ipi(0, 0, (3u << 18) | (1u << 15) | (5u << 8));
	for (unsigned i = 1; i < NV; i++)
		assert_false(vlapic_take_init(L[i]));
	/* SIPI with its vector (a page number; vectors < 16 are fine here). */
	assert_int_equal(vlapic_take_sipi(L[2]), -1);
	ipi(0, 2u << 24, (6u << 8) | 0x09);
	assert_int_equal(vlapic_take_sipi(L[2]), 0x09);
	assert_int_equal(vlapic_take_sipi(L[2]), -1);
	assert_int_equal(vlapic_take_sipi(L[1]), -1);
	/* ExtINT is latched too (from an IOAPIC pin). */
	vlapic_deliver(&vm, 0, false, APIC_DM_EXTINT, 0, false);
	assert_true(vlapic_take_extint(L[0]));
	assert_false(vlapic_take_extint(L[0]));
	/* Each accepted message kicks its vCPU. */
	unsigned k = fake_kicks;
	vlapic_accept(L[3], APIC_DM_FIXED, 0x40, false);
	assert_int_equal(fake_kicks, k + 1);
}

/* Wait-for-SIPI: a stray SIPI to a running CPU is ignored and cannot start
 * it after a later INIT; INIT drops a latched NMI; NMIs to a waiting CPU are
 * dropped; one SIPI starts it, a second one is ignored. */
static void test_wait_for_sipi(void **state)
{
	vlapic_set_wait_sipi(L[1], false);			/* running */
	vlapic_accept(L[1], APIC_DM_STARTUP, 0x08, false);
	vlapic_accept(L[1], APIC_DM_NMI, 0, false);
	vlapic_accept(L[1], APIC_DM_INIT, 0, false);
	assert_true(vlapic_take_init(L[1]));
	assert_false(vlapic_take_nmi(L[1]));			/* the INIT dropped it */
	assert_int_equal(vlapic_take_sipi(L[1]), -1);		/* the stray one is gone */
	vlapic_accept(L[1], APIC_DM_NMI, 0, false);
	assert_false(vlapic_has_nmi(L[1]));
	vlapic_accept(L[1], APIC_DM_STARTUP, 0x09, false);
	vlapic_accept(L[1], APIC_DM_STARTUP, 0x0a, false);	/* before it was taken */
	assert_int_equal(vlapic_take_sipi(L[1]), 0x0a);
	vlapic_accept(L[1], APIC_DM_STARTUP, 0x0b, false);	/* after: ignored */
	assert_int_equal(vlapic_take_sipi(L[1]), -1);
	/* INIT then SIPI before the vCPU looked: the SIPI counts; a SIPI
	 * latched before an INIT does not. */
	vlapic_accept(L[1], APIC_DM_INIT, 0, false);
	vlapic_accept(L[1], APIC_DM_STARTUP, 0x0c, false);
	assert_true(vlapic_take_init(L[1]));
	assert_int_equal(vlapic_take_sipi(L[1]), 0x0c);
	vlapic_set_wait_sipi(L[1], true);
	vlapic_accept(L[1], APIC_DM_STARTUP, 0x0d, false);
	vlapic_accept(L[1], APIC_DM_INIT, 0, false);
	assert_true(vlapic_take_init(L[1]));
	assert_int_equal(vlapic_take_sipi(L[1]), -1);
}

static void test_illegal_vectors(void **state)
{
	for (unsigned i = 0; i < NV; i++)
		enable(L[i]);
	vlapic_write(L[1], 0x370, 0xfe);			/* LVT error: 0xfe */
	vlapic_accept(L[1], APIC_DM_FIXED, 15, false);
	assert_false(irr(L[1], 15));
	assert_true(irr(L[1], 0xfe));				/* error interrupt */
	assert_int_equal(vlapic_pending_vector(L[1]), 0xfe);
	vlapic_write(L[1], 0x280, 0);
	assert_int_equal(vlapic_read(L[1], 0x280), 0x40);
	/* Sending one: ESR bit 5 on the sender, nothing sent. */
	ipi(0, 1u << 24, 0x07);
	assert_int_equal(vlapic_read(L[1], 0x200), 0);
	vlapic_write(L[0], 0x280, 0);
	assert_int_equal(vlapic_read(L[0], 0x280), 0x20);
	/* Vector 16 is legal. */
	vlapic_accept(L[2], APIC_DM_FIXED, 16, false);
	assert_int_equal(vlapic_pending_vector(L[2]), 16);
}

static void test_accepts_pic(void **state)
{
	struct vlapic *l = L[0];
	assert_true(vlapic_accepts_pic(l));			/* power-on: disabled */
	enable(l);
	assert_false(vlapic_accepts_pic(l));
	vlapic_write(l, 0x350, 0x700);				/* LINT0 ExtINT */
	assert_true(vlapic_accepts_pic(l));
	vlapic_write(l, 0x350, 0x10700);			/* masked */
	assert_false(vlapic_accepts_pic(l));
	vlapic_write(l, 0x350, 0x400);				/* NMI mode */
	assert_false(vlapic_accepts_pic(l));
	vcpus[0].apic_base &= ~(1ull << 11);			/* globally disabled */
	assert_true(vlapic_accepts_pic(l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_id_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_moved_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_globally_disabled_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpr_ppr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_eoi_reaches_ioapic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pv_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eoi_write_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svr_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_oneshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_rate_clamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_divide_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_tsc_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipi_shorthands_physical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipi_logical_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipi_logical_cluster, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nmi_init_sipi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_for_sipi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_illegal_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accepts_pic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_stop, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
