/*
 * core/diag/trace.h - the exit trace of a VM started with trace=1: one line per
 * #VMEXIT, decoded in the APM's terms, printed after the handler ran from
 * values captured around it, so the guest sees no difference but time
 * (formats in docs/exits.md). What the line says after "trace VM/N " is the
 * exit table's formatter for the exit code (arch/x86/svm/exit.c); this file
 * has the line, the formatters any backend can use, and their helpers.
 */
#ifndef YAKVM_CORE_TRACE_H
#define YAKVM_CORE_TRACE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct vcpu;
struct vm;
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

/* One line being written. */
struct trace_line {
	char buf[320];
	size_t len;
};

struct trace_exit;
/* Writes what the exit was and did into l. Returns true when that already
 * tells of the exception the handler injected (else trace_end() adds
 * " (injects #X)"). */
typedef bool (*trace_fmt_t)(struct trace_line *l, struct vcpu *v,
			    const struct trace_exit *t);

/* The exit (its ring record, info as at the exit, inject as the handler
 * left it), its row of the exit table, and the registers the handler may
 * change, as they were at the exit. */
struct trace_exit {
	const struct exit_record *rec;
	const char *name;
	trace_fmt_t fmt;        /* NULL: trace_fmt_generic */
	uint64_t rax, rcx, rdx;
};

void trace_begin(struct vcpu *v, const struct exit_record *rec, const char *name,
		 trace_fmt_t fmt, struct trace_exit *t);
/* Prints the line; `cycles` is the handler's time (core/diag/stats.h). */
void trace_end(struct vcpu *v, const struct trace_exit *t, uint64_t cycles);
/* Called by core/run/mmio.c for each device access when the VM is traced. */
void trace_mmio_access(struct vcpu *v, struct device *d, uint64_t gpa,
		       unsigned size, uint64_t val, bool write);

/* Formatters for the exit table (trace.c). */
bool trace_fmt_generic(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
				/* "NAME exitcode= exitinfo1= exitinfo2= rip=" */
bool trace_fmt_name(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
				/* "NAME" */
bool trace_fmt_rax(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
				/* "NAME rax=" as the guest left it */
bool trace_fmt_cpuid(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
				/* leaf, subleaf -> the four registers */
bool trace_fmt_triple_fault(struct trace_line *l, struct vcpu *v, const struct trace_exit *t);
				/* "NAME (triple fault)" */

/* Helpers for formatters. */
__attribute__((format(printf, 2, 3)))
void trace_add(struct trace_line *l, const char *fmt, ...);
/* The vector of the exception the handler injected, -1 if none (an event
 * re-injected as it was is not the handler's). */
int trace_injected(const struct trace_exit *t);
/* "#UD", "#GP", "#PF" or "exception N". */
void trace_exception(struct trace_line *l, int vec);
/* The name of the device that owns a port, or "unowned". */
const char *trace_pio_owner(struct vm *vm, uint16_t port);

#endif
