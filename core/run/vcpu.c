/*
 * core/run/vcpu.c - the life of a vCPU: yakvm_create_vcpu() builds it and
 * vcpu_reset() gives it the power-on state, at its creation, at an INIT
 * (core/vm/startup.c) and at a VM reset (core/vm/vm_reset.c). Its run loop,
 * yakvm_vcpu_run(), is the backend's (arch/x86/svm/run.c).
 */
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "devices/vlapic.h"
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "lib/string.h"

struct vcpu *yakvm_create_vcpu(struct vm *vm, unsigned id)
{
	uint64_t vpa = pmm_alloc_pages(VCPU_PAGES);
	if (!vpa)
		return NULL;
	struct vcpu *v = phys_to_virt(vpa);
	if (!vendor_vcpu_alloc(v)) {
		pmm_free_pages(vpa, VCPU_PAGES);
		return NULL;
	}
	v->vm = vm;
	v->id = id;
	v->code_page_hva = NULL;
	v->lapic = fpu_state_alloc(&v->fpu) ? vlapic_create(v) : NULL;
	if (!v->lapic) {
		if (v->fpu.area)
			fpu_state_free(&v->fpu);
		vendor_vcpu_free(v);
		pmm_free_pages(vpa, VCPU_PAGES);
		return NULL;
	}
	vcpu_reset(v, false);
	v->lapic_page = LAPIC_DEFAULT_BASE;	/* not RAM: no hole to make */
	vlapic_set_wait_sipi(v->lapic, id != 0);
	v->state = id == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
	return v;
}

uint64_t vcpu_free(struct vcpu *v)
{
	uint64_t pages = VCPU_PAGES + 1;	/* itself, its LAPIC */
	pages += (fpu_host.size + PAGE_SIZE - 1) / PAGE_SIZE;
	fpu_state_free(&v->fpu);
	pmm_free_pages(virt_to_phys(v->lapic), 1);
	uint64_t bytes = vendor_vcpu_free(v);
	pmm_free_pages(virt_to_phys(v), VCPU_PAGES);
	return pages * PAGE_SIZE + bytes;
}

void vcpu_reset(struct vcpu *v, bool aside)
{
	struct vcpu_boot_state s;
	vcpu_power_on_state(&s);
	vendor_vcpu_reset(v, aside, &s);	/* intercepts, registers, a fresh ASID */

	/* x87/SSE/AVX and XCR0 at their power-on values too. A vCPU that has
	 * run may still have its state in its home CPU, which may be saving it
	 * right now (a reset runs on any CPU): that CPU re-initializes it
	 * before the vCPU runs again (core/run/sched.c). */
	if (v->home)
		__atomic_store_n(&v->fpu_reinit, true, __ATOMIC_RELEASE);
	else
		fpu_state_init(&v->fpu);

	if (v->vm->gdb) {
		memset(&v->dbg, 0, sizeof(v->dbg));
		v->dbg.dr_dirty = true;	/* gdb's hardware breakpoints, if any */
	}

	v->apic_base = 0xfee00000ull | (1ull << 11) | (v->id == 0 ? 1ull << 8 : 0);
	v->mtrr_def_type = 0;
	vcpu_msr_model_reset(v);	/* arch/x86/svm/msr.c */
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.r[GPR_RDX] = cpuid(1, 0).eax;	/* processor signature */
	v->nmi_masked = false;
	v->nmi_iret_seen = false;
}

void yakvm_vcpu_init_debug(struct vcpu *v)
{
	if (!v->vm->gdb)
		return;
	vendor_debug_intercepts(v);
	memset(&v->dbg, 0, sizeof(v->dbg));
	v->dbg.dr_dirty = true;	/* gdb's hardware breakpoints, if any */
}
