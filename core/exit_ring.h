/*
 * core/exit_ring.h - a vCPU's last exits, kept always (a few stores per exit),
 * so that a guest that dies (a triple fault) can be explained: what yakvm did
 * to it just before, as well as where it was.
 */
#ifndef YAKVM_CORE_EXIT_RING_H
#define YAKVM_CORE_EXIT_RING_H

#include <stdint.h>

#define EXIT_RING_LEN 16

struct exit_record {
	uint64_t tsc, code, info1, info2, rip, intinfo;
	uint64_t inject;        /* EVENTINJ as the handler left it */
};

struct exit_ring {
	struct exit_record r[EXIT_RING_LEN];
	unsigned next;
};

struct vcpu;
/* The guest state, then the ring oldest first, a line each (log_info). */
void exit_ring_dump(struct vcpu *v);

#endif
