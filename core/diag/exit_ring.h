/*
 * core/diag/exit_ring.h - a vCPU's last exits, kept always (a few stores per exit),
 * so that a guest that dies (a triple fault) can be explained: what yakvm did
 * to it just before, as well as where it was.
 */
#ifndef YAKVM_CORE_EXIT_RING_H
#define YAKVM_CORE_EXIT_RING_H

#include <stdint.h>
#include "arch/x86/exit_info.h"

#define EXIT_RING_LEN 16

struct exit_record {
	uint64_t tsc;
	struct exit_info info;  /* filled in by the backend (svm_exit_info()) */
	uint64_t inject;        /* the event injected on the next VMRUN, as the
				 * handler left it (set after it) */
};

struct exit_ring {
	struct exit_record r[EXIT_RING_LEN];
	unsigned next;
};

/* The next slot, for the exit now being handled: stamped with its TSC,
 * nothing injected yet; the caller fills in ->info before the handler runs
 * (the exit trace, core/diag/trace.c, reads it from there too). */
static inline struct exit_record *exit_ring_next(struct exit_ring *ring, uint64_t tsc)
{
	struct exit_record *rec = &ring->r[ring->next++ % EXIT_RING_LEN];
	rec->tsc = tsc;
	rec->inject = 0;
	return rec;
}

struct vcpu;
/* The ring, oldest first, a line each (log_info); `name` names exit codes
 * (the backend's: svm_exit_name()). */
void exit_ring_dump(struct vcpu *v, const char *(*name)(uint64_t code));

#endif
