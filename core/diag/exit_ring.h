/*
 * core/diag/exit_ring.h - a vCPU's last exits, kept always (a few stores per exit),
 * so that a guest that dies (a triple fault) can be explained: what yakvm did
 * to it just before, as well as where it was.
 */
#ifndef YAKVM_CORE_EXIT_RING_H
#define YAKVM_CORE_EXIT_RING_H

#include <stdint.h>

#define EXIT_RING_LEN 16

struct exit_record {
	uint64_t tsc, code, info1, info2, rip;
	uint64_t intinfo;       /* EXITINTINFO: an event the exit interrupted */
	uint64_t inject;        /* EVENTINJ as the handler left it (set after it) */
};

struct exit_ring {
	struct exit_record r[EXIT_RING_LEN];
	unsigned next;
};

struct vcpu;
/* Records the exit now in the VMCB (before its handler runs) in the next
 * slot; the exit trace (core/diag/trace.c) reads it from there too. */
struct exit_record *exit_ring_record(struct vcpu *v, uint64_t tsc);
/* The guest state, then the ring oldest first, a line each (log_info). */
void exit_ring_dump(struct vcpu *v);

#endif
