/*
 * lib/spinlock.h - a test-and-set spinlock that also masks interrupts on the
 * local CPU while held, so an interrupt handler can never spin on a lock its
 * own CPU holds.
 */
#ifndef YAKVM_LIB_SPINLOCK_H
#define YAKVM_LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/cpu.h"

struct spinlock {
	volatile uint32_t locked;
};

static inline uint64_t spin_lock(struct spinlock *l)
{
	uint64_t flags = irq_save();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
	return flags;
}

/* The lock if it is free (interrupts off while held, as spin_lock). */
static inline bool spin_trylock(struct spinlock *l, uint64_t *flags)
{
	*flags = irq_save();
	if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return true;
	irq_restore(*flags);
	return false;
}

static inline void spin_unlock(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

#endif
