/*
 * core/run/lapic_window.c - each vCPU's LAPIC page and the holes it makes in the
 * VM's nested page tables (see lapic_window.h).
 *
 * APIC_BASE (APM vol. 2, 16.3.1 "Local APIC Enable"; Intel SDM vol. 3, 10.4.4):
 * bits 7:0 reserved, 8 BSC (boot core, read-only), 9 reserved, 10 x2APIC
 * enable, 11 AE (global enable), MAXPHYADDR-1:12 the base. yakvm's rules:
 * - any reserved bit, a base bit at or above MAXPHYADDR (CPUID 0x80000008,
 *   passed through to the guest), or bit 10 (x2APIC is hidden in CPUID, so
 *   the bit is reserved) gives #GP and changes nothing;
 * - BSC ignores writes (guests write back what they read, on every vCPU);
 * - clearing AE disables the LAPIC: it goes back to its power-on state
 *   (SDM 10.4.3 allows it), takes no more messages, and its page is no
 *   longer claimed; setting AE again claims the page at the base;
 * - INIT leaves APIC_BASE as it is (core/vm/startup.c); a VM reset restores
 *   the power-on value 0xfee00000 | AE (| BSC on vCPU 0).
 */
#include "core/run/lapic_window.h"
#include "core/run/npt_shootdown.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "arch/x86/cpu.h"
#include "devices/vlapic.h"
#include "mm/npt/npt.h"
#include "mm/pmm.h"

#define APIC_BASE_BSC   (1ull << 8)
#define APIC_BASE_EXTD  (1ull << 10)
#define APIC_BASE_AE    (1ull << 11)
#define PAGE_MASK_4K    (~0xfffull)

static uint64_t maxphyaddr_mask(void)
{
	static unsigned bits;
	if (!bits) {
		unsigned b = 36;	/* without the leaf (APM vol. 3, CPUID 8000_0008) */
		if (cpuid(0x80000000, 0).eax >= 0x80000008)
			b = cpuid(0x80000008, 0).eax & 0xff;
		bits = b < 32 ? 32 : b > 52 ? 52 : b;
	}
	return (1ull << bits) - 1;
}

static uint64_t page_of(uint64_t apic_base)
{
	return (apic_base & APIC_BASE_AE) ? apic_base & PAGE_MASK_4K & maxphyaddr_mask()
					  : LAPIC_NO_PAGE;
}

bool lapic_window_is_ram(struct vm *vm, uint64_t gpa)
{
	return vm_gpa_to_hva(vm, gpa & PAGE_MASK_4K, PAGE_SIZE) != NULL;
}

static bool claimed_by_any(struct vm *vm, uint64_t page)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->lapic_page == page)
			return true;
	return false;
}

/* Moves v's page to `page`: a RAM page under it leaves the nested page
 * tables, the RAM page it leaves comes back unless another LAPIC is there. */
static bool move_page(struct vcpu *v, uint64_t page)
{
	struct vm *vm = v->vm;
	bool changed = false, ok = true;
	uint64_t f = spin_lock(&vm->npt_lock);
	uint64_t old = v->lapic_page;
	__atomic_store_n(&v->lapic_page, page, __ATOMIC_RELEASE);
	if (old != page && old != LAPIC_NO_PAGE && lapic_window_is_ram(vm, old) &&
	    !claimed_by_any(vm, old)) {
		void *hva = vm_gpa_to_hva(vm, old, PAGE_SIZE);
		ok = npt_map(&vm->npt, old, virt_to_phys(hva), NPT_PAGE_4K, NPT_W | NPT_X);
		changed = true;
	}
	if (ok && old != page && page != LAPIC_NO_PAGE && lapic_window_is_ram(vm, page)) {
		ok = npt_unmap(&vm->npt, page);	/* splits a 2 MiB page: may allocate */
		changed = true;
	}
	spin_unlock(&vm->npt_lock, f);
	if (changed)
		npt_shootdown(vm);
	if (!ok)
		vm_stop(vm, v, "moving the LAPIC to 0x%lx: no memory left for the nested "
			"page tables", page);
	return ok;
}

bool lapic_window_sync(struct vcpu *v)
{
	return move_page(v, page_of(v->apic_base));
}

bool vcpu_set_apic_base(struct vcpu *v, uint64_t val)
{
	uint64_t writable = (maxphyaddr_mask() & PAGE_MASK_4K) | APIC_BASE_AE | APIC_BASE_BSC;
	if (val & ~writable)
		return false;
	bool was_on = v->apic_base & APIC_BASE_AE;
	v->apic_base = (val & ~APIC_BASE_BSC) | (v->apic_base & APIC_BASE_BSC);
	if (was_on && !(val & APIC_BASE_AE))
		vlapic_reset(v->lapic);
	lapic_window_sync(v);	/* a failure stops the VM */
	return true;
}
