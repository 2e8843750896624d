/* core/run/npt_shootdown.c - nested-TLB shootdown for a VM (see npt_shootdown.h). */
#include "core/run/npt_shootdown.h"
#include "arch/x86/vendor.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/tsc.h"
#include "devices/irq.h"

#define SHOOTDOWN_WAIT_US 1000000

void npt_enter_guest(struct vcpu *v, struct pcpu *p)
{
	/* Store in_guest, then load the generation; npt_shootdown() does the
	 * opposite. Sequentially consistent: at least one sees the other. */
	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
	uint32_t gen = __atomic_load_n(&v->vm->npt_gen, __ATOMIC_SEQ_CST);
	if (v->npt_gen != gen) {
		vendor_fresh_asid(v, p);	/* no entry from before */
		__atomic_store_n(&v->npt_gen, gen, __ATOMIC_RELEASE);
	}
}

void npt_leave_guest(struct vcpu *v)
{
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
}

/* True while w may still use translations older than gen. */
static bool stale(struct vcpu *w, uint32_t gen)
{
	return __atomic_load_n(&w->in_guest, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&w->npt_gen, __ATOMIC_ACQUIRE) != gen;
}

void npt_shootdown(struct vm *vm)
{
	uint32_t gen = __atomic_add_fetch(&vm->npt_gen, 1, __ATOMIC_SEQ_CST);
	struct pcpu *here = this_cpu();
	bool waited = false;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *w = vm->vcpus[i];
		if (!w || w->home == here || !stale(w, gen))
			continue;	/* a vCPU here is not in the guest now */
		vcpu_kick(w);	/* the IPI makes it exit (INTR intercept) */
		waited = true;
		uint64_t end = time_us() + SHOOTDOWN_WAIT_US;
		while (stale(w, gen) && time_us() < end)
			cpu_relax();
		if (stale(w, gen))
			log_warn("vm %s: vCPU %u did not leave the guest for a TLB shootdown",
				 vm->name, w->id);
	}
	if (waited)
		__atomic_add_fetch(&vm->npt_shootdowns, 1, __ATOMIC_RELAXED);
}
