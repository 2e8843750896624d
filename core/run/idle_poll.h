/*
 * core/run/idle_poll.h - what a CPU with no vCPU to run does before it
 * halts: it polls the devices that asked for it, so that their guests need
 * not exit to notify them (virtio-net's transmit queue: vhost's worker,
 * on a CPU that would otherwise sleep).
 *
 * A device turns its guest's notifications off only while some CPU is idle
 * (idle_poll_spare), then calls idle_poll_want(), which wakes a halted idle
 * CPU. It turns them back on, and clears `wanted`, when its poll finds the
 * queue quiet or no CPU is idle any more: a CPU that picks a vCPU to run
 * stops polling, so a device must also look at its queue by other means
 * (its VM's exits, a timer) while `wanted` is set.
 */
#ifndef YAKVM_CORE_RUN_IDLE_POLL_H
#define YAKVM_CORE_RUN_IDLE_POLL_H

#include <stdbool.h>

struct pcpu;

struct idle_poll {
	/* Called by an idle CPU while `wanted`, with the registry's lock
	 * held: it must not wait for a lock whose holder may call
	 * idle_poll_remove() (a device's lock: take it with a trylock). */
	void (*poll)(struct idle_poll *ip);
	/* Written by the device alone (under its lock): true while it wants
	 * polling. */
	bool wanted;
};

/* Into the registry (when the device is made); false when it is full. */
bool idle_poll_add(struct idle_poll *ip);
/* Out of it: once this returns no CPU polls it any more. Idempotent. */
void idle_poll_remove(struct idle_poll *ip);
/* Some CPU is idle now (halted or polling). */
bool idle_poll_spare(void);
/* `wanted` set, and a halted idle CPU woken to poll. */
void idle_poll_want(struct idle_poll *ip);
/* The scheduler's idle, interrupts off on entry and on return: polls while
 * a device wants it, else halts; returns after any interrupt. The CPU
 * counts as idle from here until idle_poll_busy(): it found a vCPU to run
 * (the timers it runs in between do not end its idleness). */
void idle_poll_or_halt(struct pcpu *p);
void idle_poll_busy(struct pcpu *p);

#endif
