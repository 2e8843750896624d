/*
 * core/run/timer.c - host time and virtual-device timers (see timer.h).
 *
 * time_ns() converts the TSC with a multiply and a shift (no division on the
 * hot path). Each CPU keeps its own list of armed vtimers, sorted by
 * deadline: a timer lives on the CPU that armed it last, which is the CPU
 * running the vCPU that programmed the device, so its interrupt is raised
 * where it will be delivered. The CPU's LAPIC timer, in one-shot mode, is set
 * for the earliest of its deadlines and the end of the running vCPU's time
 * slice (core/run/sched.c). The interrupt only sets a flag; timers_run() fires
 * the expired vtimers from the vCPU loop or the idle loop, outside interrupt
 * context.
 */
#include <stddef.h>
#include "core/run/timer.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/lapic.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/pcpu.h"
#include "lib/spinlock.h"

static uint64_t tsc_base, mult;       /* ns = (tsc - base) * mult >> 32 */

void timer_init(void)
{
	tsc_base = rdtsc();
	mult = (1000000ull << 32) / tsc_khz();
}

uint64_t time_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * mult) >> 32);
}

/* With the owner's lock held. */
static void unlink(struct pcpu *p, struct vtimer *t)
{
	for (struct vtimer **pp = &p->timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->next = NULL;
	t->armed = false;
	t->cpu = NULL;
}

/* Takes t off whatever list it is on. Returns with no lock held. */
static void detach(struct vtimer *t)
{
	for (;;) {
		struct pcpu *owner = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (!owner)
			return;
		uint64_t f = spin_lock(&owner->timer_lock);
		if (t->cpu == owner) {
			unlink(owner, t);
			spin_unlock(&owner->timer_lock, f);
			return;
		}
		spin_unlock(&owner->timer_lock, f);	/* it moved: try again */
	}
}

void vtimer_cancel(struct vtimer *t)
{
	detach(t);
}

void vtimer_freeze(struct vtimer *t)
{
	__atomic_store_n(&t->frozen, true, __ATOMIC_SEQ_CST);
	detach(t);
}

void vtimer_arm(struct vtimer *t, uint64_t deadline_ns)
{
	struct pcpu *p = this_cpu();
	if (__atomic_load_n(&t->frozen, __ATOMIC_SEQ_CST))
		return;
	detach(t);
	uint64_t f = spin_lock(&p->timer_lock);
	t->deadline_ns = deadline_ns;
	t->armed = true;
	t->cpu = p;
	struct vtimer **pp = &p->timers;
	while (*pp && (*pp)->deadline_ns <= deadline_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	bool earliest = p->timers == t;
	spin_unlock(&p->timer_lock, f);
	if (earliest)
		timer_program();
}

uint64_t timers_next_deadline(void)
{
	struct pcpu *p = this_cpu();
	uint64_t f = spin_lock(&p->timer_lock);
	uint64_t d = p->timers ? p->timers->deadline_ns : UINT64_MAX;
	spin_unlock(&p->timer_lock, f);
	return d;
}

void timers_run(void)
{
	struct pcpu *p = this_cpu();
	p->timer_irq = false;
	uint64_t now = time_ns();
	for (;;) {
		uint64_t f = spin_lock(&p->timer_lock);
		struct vtimer *t = p->timers;
		if (!t || t->deadline_ns > now) {
			spin_unlock(&p->timer_lock, f);
			break;
		}
		unlink(p, t);
		spin_unlock(&p->timer_lock, f);
		if (t->fire_count)
			__atomic_fetch_add(t->fire_count, 1, __ATOMIC_RELAXED);
		t->fire(t);	/* may re-arm t */
	}
	timer_program();
}

/* The earliest of this CPU's vtimers and the end of its time slice. */
static uint64_t cpu_deadline(void)
{
	uint64_t deadline = timers_next_deadline();
	uint64_t slice_end = this_cpu()->slice_end_ns;
	return slice_end < deadline ? slice_end : deadline;
}

void timer_program(void)
{
	uint64_t deadline = cpu_deadline();
	uint64_t now = time_ns();
	lapic_timer_oneshot(VEC_TIMER, deadline > now ? deadline - now : 0);
}

void timer_poll_soon(uint64_t ns)
{
	if (cpu_deadline() > time_ns() + ns)
		lapic_timer_oneshot(VEC_TIMER, ns);
}

/* The host LAPIC timer: note it and let the loops do the work. */
void timer_irq(struct intr_frame *f)
{
	struct pcpu *p = this_cpu();
	lapic_eoi();
	p->timer_irq = true;
	if (time_ns() >= p->slice_end_ns)
		p->need_resched = true;
}
