/*
 * core/run/sched.c - the scheduler (see sched.h). When no vCPU is runnable the
 * CPU polls the devices that want it (idle_poll.c) or halts until the next
 * interrupt. When every VM has ended, yakvm says so and, with on_idle=exit,
 * ends the emulator run (for tests).
 */
#include "core/run/sched.h"
#include "arch/x86/spec.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "core/main.h"
#include "core/vm/startup.h"
#include "core/run/timer.h"
#include "core/run/idle_poll.h"
#include "devices/vlapic.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/serial.h"
#include "arch/x86/lapic.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/fpu.h"
#include "arch/x86/nmi.h"
#include "arch/x86/mce.h"

static struct pcpu *least_loaded(uint64_t mask)
{
	struct pcpu *best = NULL;
	for (unsigned i = 0; i < pcpu_count && i < 64; i++) {
		struct pcpu *p = pcpus[i];
		if (p && (mask >> i) & 1 && p->nrunq < MAX_RUNQ &&
		    (!best || p->nrunq < best->nrunq))
			best = p;
	}
	return best;
}

/* Places the vCPU on the allowed CPU (cpus= on its module line) that has
 * the fewest vCPUs; it stays there.
 *
 * Under QEMU's TCG (vendor_cpu0_racy()), CPU 0 takes only vCPUs that may run
 * nowhere else. Any other CPU's FXRSTOR (a guest switching tasks does it
 * all the time) rewrites a word of CPU 0's emulated state without a lock,
 * and that word holds CPU 0's nested-paging and GIF bits, which its own
 * VMRUN and #VMEXIT change: when the two meet, CPU 0's change is lost, and
 * either the host walks its page tables through a guest's nested ones
 * (a triple fault on the first instruction after VMRUN) or a guest runs
 * with nested paging off. A CPU 0 that runs no guest never changes them. */
bool sched_add(struct vcpu *v)
{
	uint64_t mask = v->vm->desc.cpu_mask;
	struct pcpu *best = vendor_cpu0_racy() ? least_loaded(mask & ~1ull) : NULL;
	if (!best)
		best = least_loaded(mask);
	if (!best)
		return false;
	v->home = best;
	uint64_t f = spin_lock(&best->runq_lock);
	best->runq[best->nrunq] = v;
	__atomic_store_n(&best->nrunq, best->nrunq + 1, __ATOMIC_RELEASE);
	spin_unlock(&best->runq_lock, f);
	if (best != this_cpu())
		lapic_send_ipi(best->apic_id, VEC_RESCHED);
	return true;
}

/* An IPI from another CPU: something changed for a vCPU here (an interrupt
 * to deliver, a VM stopped) or a device timer was armed. The exit it caused
 * (or the wake-up from HLT) is the point; the loops look at the flags. */
void sched_ipi(struct intr_frame *f)
{
	lapic_eoi();
	this_cpu()->timer_irq = true;
}

/* A destroyed VM's vCPUs leave the run queue of their CPU, here, where
 * their LAPIC timer lives and whose FPU may hold their state; then the
 * destroy may free them (core/vm/vm_destroy.c). */
static void drop_destroyed(struct pcpu *p)
{
	uint64_t f = spin_lock(&p->runq_lock);
	unsigned n = p->nrunq, kept = 0;
	for (unsigned k = 0; k < n; k++) {
		struct vcpu *v = p->runq[k];
		struct vm *vm = v->vm;
		if (!(vm->destroying && vm->state == VM_STOPPED)) {
			p->runq[kept++] = v;
			continue;
		}
		vlapic_reset(v->lapic);	/* its timer off this CPU's list */
		if (p->fpu_owner == v)
			p->fpu_owner = NULL;
		__atomic_store_n(&v->dropped, true, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&p->nrunq, kept, __ATOMIC_RELEASE);
	if (p->rr_next >= kept)
		p->rr_next = 0;
	spin_unlock(&p->runq_lock, f);
}

static struct vcpu *pick_next(struct pcpu *p, bool *reset_work)
{
	drop_destroyed(p);
	/* A step of each reset this CPU does, between two time slices. */
	*reset_work = vm_reset_steps(p);
	unsigned n = __atomic_load_n(&p->nrunq, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (p->rr_next + i) % n;
		struct vcpu *v = p->runq[k];
		if (v->vm->resetting)
			continue;	/* its state is being rebuilt */
		if (v->state != VCPU_RUNNABLE && v->state != VCPU_STOPPED &&
		    v->events_pending) {
			v->events_pending = false;
			vcpu_check_startup(v);
			if (v->state == VCPU_HALTED && vcpu_has_wakeup(v))
				v->state = VCPU_RUNNABLE;
			if (v->state == VCPU_RUNNABLE)
				v->events_pending = true;
		}
		/* A reset asked for while none of the VM's vCPUs was running
		 * (the monitor, a device timer): the first CPU to look claims it. */
		if (v->vm->reset_requested && v->vm->state == VM_RUNNING) {
			vm_reset(v->vm);
			*reset_work = true;
		}
		if (v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING &&
		    !vm_holds(v->vm, v) && !v->vm->resetting) {
			p->rr_next = (k + 1) % n;
			return v;
		}
	}
	return NULL;
}

static void all_ended(void)
{
	unsigned failed = 0;
	for (unsigned i = 0; i < vm_count; i++)
		if (vms[i]->exit_status != 0)
			failed++;
	log_info("all VMs have ended (%u of %u with a non-zero status or stopped)",
		 failed, vm_count);
	yakvm_idle();
}

void sched_loop(void)
{
	struct pcpu *p = this_cpu();
	bool announced = false;
	for (;;) {
		nmi_report();
		mce_report();
		if (p->timer_irq)
			timers_run();
		bool reset_work;
		struct vcpu *v = pick_next(p, &reset_work);
		if (!v && reset_work)
			continue;	/* the next step at once */
		if (!v) {
			if (p->id == 0 && !vm_any_running() && !announced) {
				announced = true;
				all_ended();
			}
			/* Nothing to run: poll the devices that want it
			 * (core/run/idle_poll.h), or sleep until the next
			 * device timer. */
			irq_disable();
			p->slice_end_ns = UINT64_MAX;
			timer_program();
			idle_poll_or_halt(p);
			irq_enable();
			continue;
		}
		idle_poll_busy(p);
		p->need_resched = false;
		p->slice_end_ns = time_ns() + SCHED_SLICE_US * 1000ull;
		timer_program();
		__atomic_store_n(&p->current, v, __ATOMIC_SEQ_CST);	/* core/run/irq.c */
		/* Before the vCPU loop looks at the VM's state: a reset or
		 * destroy that changed it then sees `current` (vm_vcpu_on_cpu). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Only this CPU saves and loads its vCPUs' FPU state, so a reset
		 * (on any CPU) leaves the re-initialization to it. */
		if (__atomic_load_n(&v->fpu_reinit, __ATOMIC_ACQUIRE)) {
			if (p->fpu_owner == v)
				p->fpu_owner = NULL;	/* its old state is not saved */
			fpu_state_init(&v->fpu);
			v->fpu_reinit = false;
		}
		if (p->fpu_owner != v) {	/* arch/x86/fpu.h */
			if (p->fpu_owner)
				fpu_save(&p->fpu_owner->fpu);
			fpu_load(&v->fpu);
			p->fpu_owner = v;
		}
		spec_switch_vm(p, v->vm);	/* IBPB between VMs */
		yakvm_vcpu_run(v);
		__atomic_store_n(&p->current, NULL, __ATOMIC_SEQ_CST);	/* core/run/irq.c */
	}
}
