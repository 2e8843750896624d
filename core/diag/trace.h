/*
 * core/diag/trace.h - the exit trace of a VM started with trace=1: one line per
 * #VMEXIT, decoded in the APM's terms, printed after the handler ran from
 * values captured around it, so the guest sees no difference but time
 * (formats in docs/exits.md).
 */
#ifndef YAKVM_CORE_TRACE_H
#define YAKVM_CORE_TRACE_H

#include <stdint.h>
#include <stdbool.h>

struct vcpu;
struct device;
struct exit_record;

/* The first device access of an emulated MMIO instruction (core/run/mmio.c),
 * and how many there were; per vCPU, reset by trace_begin(). */
struct trace_mmio {
	const char *dev;
	uint64_t gpa, val;
	unsigned size, n;
	bool write;
};

/* The exit (its ring record) and the registers the handler may change,
 * as they were at the exit. */
struct trace_exit {
	const struct exit_record *exit;
	uint64_t rax, rcx, rdx;
};

void trace_begin(struct vcpu *v, const struct exit_record *exit, struct trace_exit *t);
/* Prints the line; `cycles` is the handler's time (core/diag/stats.h). */
void trace_end(struct vcpu *v, const struct trace_exit *t, uint64_t cycles);
/* Called by core/run/mmio.c for each device access when the VM is traced. */
void trace_mmio_access(struct vcpu *v, struct device *d, uint64_t gpa,
		       unsigned size, uint64_t val, bool write);

#endif
