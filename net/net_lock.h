/*
 * net/net_lock.h - the spinlock of the switch and of a port's receive
 * backlog: lib/spinlock.h in yakvm (interrupts off while held); in the
 * host's unit tests and fuzzers (YAKVM_HOST_TEST), where cli would fault,
 * the same test-and-set without touching interrupts.
 */
#ifndef YAKVM_NET_NET_LOCK_H
#define YAKVM_NET_NET_LOCK_H

#include <stdint.h>
#include "lib/spinlock.h"

#ifdef YAKVM_HOST_TEST
static inline uint64_t net_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		;
	return 0;
}
static inline void net_unlock(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#else
static inline uint64_t net_lock(struct spinlock *l) { return spin_lock(l); }
static inline void net_unlock(struct spinlock *l, uint64_t f) { spin_unlock(l, f); }
#endif

#endif
