/*
 * core/sched.c - the scheduler (see sched.h). When no vCPU is runnable the CPU
 * halts until the next interrupt. When every VM has ended, yakvm says so and,
 * with on_idle=exit, ends the emulator run (for tests).
 */
#include "core/sched.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/log.h"
#include "core/main.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/serial.h"

void sched_add(struct vcpu *v)
{
	struct pcpu *p = pcpus[0];	/* one CPU for now; SMP comes later */
	if (p->nrunq == MAX_RUNQ)
		panic("run queue full");
	p->runq[p->nrunq++] = v;
}

void sched_tick(void)
{
	struct pcpu *p = this_cpu();
	p->ticks++;
	p->need_resched = true;
}

static struct vcpu *pick_next(struct pcpu *p)
{
	for (unsigned i = 0; i < p->nrunq; i++) {
		unsigned k = (p->rr_next + i) % p->nrunq;
		struct vcpu *v = p->runq[k];
		if (v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING) {
			p->rr_next = (k + 1) % p->nrunq;
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
		struct vcpu *v = pick_next(p);
		if (!v) {
			if (!vm_any_running() && !announced) {
				announced = true;
				all_ended();
			}
			irq_enable_and_halt();
			continue;
		}
		p->need_resched = false;
		p->current = v;
		yakvm_vcpu_run(v);
		p->current = NULL;
	}
}
