/*
 * core/diag/stats.h - exit statistics: per vCPU, per "stat class" (a small set of
 * exit reasons), a count and two sums of TSC cycles (docs/exits.md):
 *   handler    from just after VMRUN returns (t1) to the end of
 *              svm_handle_exit() (t2): yakvm's own work for the exit;
 *   round trip from just before _yakvm_vcpu_run() (t0) to t2: guest time
 *              since that VMRUN, the world switch both ways, any host
 *              interrupt taken at STGI, and the handler.
 * The hot path is three RDTSC and a few adds (core/run/vcpu.c).
 */
#ifndef YAKVM_CORE_STATS_H
#define YAKVM_CORE_STATS_H

#include <stdint.h>

/* The class of each exit code is a column of the exit table
 * (arch/x86/svm/exit.c). */
enum stat_class {
	STAT_OTHER,     /* anything else, VMEXIT_INVALID included (0: the
			 * table's default) */
	STAT_CPUID, STAT_HLT, STAT_IOIO, STAT_MSR, STAT_NPF, STAT_INTR,
	STAT_VINTR, STAT_IRET, STAT_SHUTDOWN, STAT_VMMCALL,
	STAT_SVM,       /* VMRUN, VMLOAD, ... MWAIT (#UD for the guest), XSETBV */
	STAT_DEBUG,     /* exceptions (#DB, #AC always; #BP, INTn with gdb=) */
	STAT_NCLASSES
};

struct exit_stat {
	uint64_t count, handler_cycles, total_cycles;
};

struct vcpu_stats {
	struct exit_stat c[STAT_NCLASSES];
};

extern const char *const stat_class_names[STAT_NCLASSES];

struct vm;
/* The sums over the VM's vCPUs (for reports; the monitor console later). */
void stats_sum_vm(struct vm *vm, struct exit_stat sum[STAT_NCLASSES]);
/* One header line, then one line per class with a non-zero count, summed
 * over the VM's vCPUs (printed by vm_end/vm_stop). */
void stats_print_vm(struct vm *vm);

#endif
