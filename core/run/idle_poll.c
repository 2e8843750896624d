/*
 * core/run/idle_poll.c - see idle_poll.h. The registry is a table under one
 * lock; one idle CPU polls at a time (the others find the lock taken and
 * spin on their own flags), and a poll never waits for a device's lock, so
 * a device that leaves the registry under its own lock cannot deadlock
 * with the poller.
 *
 * A halting CPU and idle_poll_want() meet like Dekker's two flags: the CPU
 * marks itself halted, then looks for `wanted`; the device sets `wanted`,
 * then looks for halted CPUs, and sends one the rescheduling IPI. Both
 * with sequentially consistent atomics, so at least one sees the other.
 */
#include "core/run/idle_poll.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/interrupt.h"
#include "core/vm/vm.h"
#include "lib/spinlock.h"
#include "core/main.h"
#include "core/options.h"

#define IDLE_POLLS MAX_VMS	/* one per virtio-net device */

static struct idle_poll *slots[IDLE_POLLS];
static struct spinlock lock;
static unsigned idle_cpus;	/* CPUs with no vCPU to run */
static bool idle[MAX_CPUS];	/* of them, which (by id) */
static uint64_t halted;		/* of them, those halted: bit = CPU id */

bool idle_poll_add(struct idle_poll *ip)
{
	bool added = false;
	uint64_t f = spin_lock(&lock);
	for (unsigned i = 0; i < IDLE_POLLS && !added; i++)
		if (!slots[i]) {
			slots[i] = ip;
			added = true;
		}
	spin_unlock(&lock, f);
	return added;
}

void idle_poll_remove(struct idle_poll *ip)
{
	uint64_t f = spin_lock(&lock);	/* waits for a poll in progress */
	for (unsigned i = 0; i < IDLE_POLLS; i++)
		if (slots[i] == ip)
			slots[i] = NULL;
	spin_unlock(&lock, f);
}

bool idle_poll_spare(void)
{
	return yakvm_opts.idle_poll && __atomic_load_n(&idle_cpus, __ATOMIC_SEQ_CST) != 0;
}

void idle_poll_want(struct idle_poll *ip)
{
	__atomic_store_n(&ip->wanted, true, __ATOMIC_SEQ_CST);
	uint64_t h = __atomic_load_n(&halted, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < pcpu_count && i < 64; i++)
		if ((h >> i) & 1 && pcpus[i]) {
			lapic_send_ipi(pcpus[i]->apic_id, VEC_RESCHED);
			return;
		}
}

/* Without the lock: a device that leaves meanwhile costs one round. */
static bool any_wanted(void)
{
	for (unsigned i = 0; i < IDLE_POLLS; i++) {
		struct idle_poll *ip = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
		if (ip && __atomic_load_n(&ip->wanted, __ATOMIC_SEQ_CST))
			return true;
	}
	return false;
}

/* One round over the registry, unless another CPU is making one. */
static void poll_round(void)
{
	uint64_t f;
	if (!spin_trylock(&lock, &f))
		return;
	for (unsigned i = 0; i < IDLE_POLLS; i++)
		if (slots[i] && __atomic_load_n(&slots[i]->wanted, __ATOMIC_ACQUIRE))
			slots[i]->poll(slots[i]);
	spin_unlock(&lock, f);
}

void idle_poll_busy(struct pcpu *p)
{
	if (idle[p->id]) {
		idle[p->id] = false;
		__atomic_fetch_sub(&idle_cpus, 1, __ATOMIC_SEQ_CST);
	}
}

void idle_poll_or_halt(struct pcpu *p)
{
	uint64_t bit = 1ull << (p->id & 63);
	if (!idle[p->id]) {
		idle[p->id] = true;
		__atomic_fetch_add(&idle_cpus, 1, __ATOMIC_SEQ_CST);
	}
	/* An interrupt (the host timer, an IPI) ends it, and so does a kick
	 * of one of this CPU's vCPUs by its own poll (vcpu_kick). */
	while (!p->timer_irq) {
		__atomic_fetch_or(&halted, bit, __ATOMIC_SEQ_CST);
		if (!any_wanted()) {
			irq_enable_and_halt();	/* sti; hlt: an interrupt ends it */
			irq_disable();
			break;
		}
		__atomic_fetch_and(&halted, ~bit, __ATOMIC_SEQ_CST);
		irq_enable();		/* the host timer and IPIs end the loop */
		poll_round();
		cpu_relax();
		irq_disable();
	}
	__atomic_fetch_and(&halted, ~bit, __ATOMIC_SEQ_CST);
}
