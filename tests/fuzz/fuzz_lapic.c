/*
 * tests/fuzz/fuzz_lapic.c - the local APICs (devices/vlapic.c) of a 2-vCPU
 * VM under any sequence of MMIO accesses to 0xfee00000 by either vCPU (any
 * size 1-8 and alignment), interrupts arriving, acknowledges, TPR and
 * TSC-deadline writes, latched messages taken, and time steps
 * (tests/fuzz/device_fuzz.h).
 * Invariants: no lock is left held or taken twice; IRR and ISR never hold
 * the illegal vectors 0-15; a software-disabled LAPIC takes no fixed
 * interrupt; the pending vector is in IRR and above PPR's class; SVR, ESR
 * and the LVT entries hold only their defined bits; TPR reads back as the
 * VMCB's V_TPR says; the timer's current count never exceeds its counts
 * and a running one-shot or periodic timer has its vtimer armed.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/vlapic.c"
#include "arch/x86/svm/vmcb.h"

#define NV 2

static const struct device_decl decl = {
	"lapic", &lapic_mmio_model, .mmio_base = LAPIC_DEFAULT_BASE, .mmio_len = 0x1000,
};

static struct vcpu vcpus[NV];
static _Alignas(4096) uint8_t vmcb_pages[NV][4096];
static _Alignas(4096) uint8_t lapic_pages[NV][4096];
static unsigned pages_used;

uint64_t pmm_alloc_pages(size_t n)
{
	CHECK(n == 1 && pages_used < NV);
	memset(lapic_pages[pages_used], 0, 4096);
	return (uint64_t)(uintptr_t)lapic_pages[pages_used++];
}

/* The LAPIC locks: never nested on the same LAPIC, all released after. */
static struct vlapic *held[NV];
static unsigned nheld;

uint64_t vlapic_test_lock(struct vlapic *l)
{
	for (unsigned i = 0; i < nheld; i++)
		CHECK(held[i] != l);
	CHECK(nheld < NV);
	held[nheld++] = l;
	return 0;
}

void vlapic_test_unlock(struct vlapic *l, uint64_t flags)
{
	CHECK(nheld > 0 && held[nheld - 1] == l);
	nheld--;
}

uint64_t vlapic_guest_tsc(struct vcpu *v) { return fake_now_ns; }	/* 1 GHz */

void ioapic_eoi(struct device *io, uint8_t vector) { CHECK(nheld == 0); }

static void set_up_vcpus(void)
{
	pages_used = 0;
	nheld = 0;
	fuzz_vm.nvcpus = NV;
	fuzz_vm.ioapic = (struct device *)&fuzz_vm;	/* any non-NULL pointer */
	for (unsigned i = 0; i < NV; i++) {
		memset(vmcb_pages[i], 0, 4096);
		struct vmcb *vmcb = (struct vmcb *)vmcb_pages[i];
		vcpus[i] = (struct vcpu){ .vmcb = vmcb, .cr8_word = (uint64_t *)((uint8_t *)vmcb + 0x60),
					  .vm = &fuzz_vm, .id = i, .apic_base = LAPIC_DEFAULT_BASE | (1ull << 11) };
		fuzz_vm.vcpus[i] = &vcpus[i];
		vcpus[i].lapic = vlapic_create(&vcpus[i]);
		CHECK(vcpus[i].lapic);
	}
	fake_current_vcpu = &vcpus[0];
}

static void check_one(struct vlapic *l)
{
	CHECK((l->irr[0] & 0xffff) == 0 && (l->isr[0] & 0xffff) == 0);
	CHECK((l->svr & ~SVR_WRITABLE) == 0);
	CHECK((l->esr & ~0xefu) == 0);
	for (int i = 0; i < LVT_COUNT; i++)
		CHECK((l->lvt[i] & ~(lvt_writable[i] | (1u << 12) | (1u << 14))) == 0);
	int vec = pending_vector(l);
	CHECK(vec == -1 || (vec >= 16 && bit_test(l->irr, (uint8_t)vec) &&
			    (vec >> 4) > (get_ppr(l) >> 4)));
	CHECK(get_tpr(l) == vlapic_tpr(l));
	uint32_t cur = timer_current(l);
	CHECK(cur <= l->timer_start_count || cur <= l->timer_initial);
	if (l->timer_running && timer_mode(l) != TIMER_TSC_DEADLINE)
		CHECK(l->timer.armed);
}

static void check(struct device *d)
{
	CHECK(nheld == 0);
	for (unsigned i = 0; i < NV; i++)
		check_one(vcpus[i].lapic);
}

/* A guest run with KVM's PV EOI flag (devices/vlapic.h): set only when
 * one vector is in service and none requested, and taken back after. */
static uint8_t pv_flag[2];
static void pv_eoi_run(struct vlapic *l, uint8_t *flag, uint32_t val)
{
	if (val & 0x80000000u) {
		*flag = 0;	/* the guest zeroes it first (msr.rst) */
		vlapic_set_pv_eoi(l, 1, flag);
	}
	vlapic_pv_eoi_arm(l);
	if (l->pv_eoi_armed)
		CHECK((*flag & 1) && highest_bit(l->irr) < 0 && highest_bit(l->isr) >= 0);
	if (val & 0x40000000u)
		*flag &= (uint8_t)~1;	/* the guest's EOI */
	vlapic_pv_eoi_collect(l);
	CHECK(!l->pv_eoi_armed && (!l->pv_eoi_flag || !(*flag & 1)));
}

/* Platform-side actions on vCPU (where >> 12) & 1, chosen by where & 7. */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	struct vlapic *l = vcpus[(where >> 12) & 1].lapic;
	uint8_t vector = (uint8_t)val;
	switch (where & 7) {
	case 0: {		/* an interrupt message */
		bool was_disabled = !sw_enabled(l), had = bit_test(l->irr, vector);
		unsigned mode = (val >> 8) & 7;
		vlapic_accept(l, mode, vector, val & 0x10000);
		if (was_disabled && (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST))
			CHECK(bit_test(l->irr, vector) == had);
		break;
	}
	case 1:			/* from the IOAPIC */
		vlapic_deliver(&fuzz_vm, val >> 24, val & 0x800, (val >> 8) & 7, vector,
			       val & 0x8000);
		break;
	case 2: {		/* the vCPU takes the pending interrupt */
		int vec = vlapic_pending_vector(l);
		if (vec >= 0) {
			vlapic_ack(l, (uint8_t)vec);
			CHECK(bit_test(l->isr, (uint8_t)vec));
		}
		break;
	}
	case 3:
		vlapic_set_tpr(l, vector);
		CHECK(vlapic_tpr(l) == vector);
		break;
	case 4:			/* MOV CR8 behind the LAPIC's back */
		l->vcpu->vmcb->control.v_intr = (l->vcpu->vmcb->control.v_intr & ~0xfull) | (val & 0xf);
		break;
	case 5:
		vlapic_set_tsc_deadline(l, fake_now_ns + (val >> 4));
		break;
	case 6:
		vlapic_take_nmi(l);
		vlapic_take_init(l);
		vlapic_take_extint(l);
		vlapic_take_sipi(l);
		vlapic_tpr_blocked_vector(l);
		vlapic_accepts_pic(l);
		pv_eoi_run(l, &pv_flag[(where >> 12) & 1], val);
		break;
	case 7:
		vlapic_reset(l);
		break;
	}
}

/* Each access comes from vCPU (where >> 12) & 1. */
static void before(uint16_t where)
{
	fake_current_vcpu = &vcpus[(where >> 12) & 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra,
					   .setup = set_up_vcpus, .before = before };
	fuzz_dev_run(&h, data, size);
	for (unsigned i = 0; i < NV; i++)
		vtimer_cancel(&vcpus[i].lapic->timer);
	return 0;
}
