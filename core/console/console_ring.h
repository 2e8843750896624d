/*
 * core/console/console_ring.h - one VM's queue of whole console lines, waiting for
 * the serial port (core/console/console.c). Bounded: a line that finds it full is
 * dropped and counted, so a VM printing in a loop never waits for the port
 * or holds anyone else up. Every line gets a number from one sequence
 * shared by all queues and yakvm's own messages, and the port prints them in
 * that order. The caller locks; this is pure logic (host unit test).
 */
#ifndef YAKVM_CORE_CONSOLE_RING_H
#define YAKVM_CORE_CONSOLE_RING_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define CONSOLE_LINE_MAX 256
#define CONSOLE_RING_LINES 64

struct console_ring {
	struct {
		uint64_t seq;
		uint16_t len;
		char text[CONSOLE_LINE_MAX];
	} slot[CONSOLE_RING_LINES];
	uint32_t head, tail;        /* head - tail lines are queued */
	uint64_t written, dropped;  /* lines offered; of them, dropped when full */
};

/* Queues a line (at most CONSOLE_LINE_MAX bytes, no newline) numbered seq;
 * false, and counted as dropped, when the queue is full. */
bool console_ring_push(struct console_ring *r, uint64_t seq, const char *s, size_t len);
/* The number of the oldest queued line; false when none is queued. */
bool console_ring_peek(const struct console_ring *r, uint64_t *seq);
/* Takes the oldest line out into buf (CONSOLE_LINE_MAX bytes); its length. */
size_t console_ring_pop(struct console_ring *r, char *buf);

#endif
