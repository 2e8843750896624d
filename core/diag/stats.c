/*
 * core/diag/stats.c - exit statistics (core/diag/stats.h): the class names, and
 * the per-VM report printed when a VM ends or stops.
 */
#include "core/diag/stats.h"
#include "core/vm/vm.h"
#include "core/run/vcpu.h"
#include "lib/log.h"
#include "lib/format.h"
#include "devices/vlapic.h"

const char *const stat_class_names[STAT_NCLASSES] = {
	[STAT_OTHER] = "OTHER", [STAT_CPUID] = "CPUID", [STAT_HLT] = "HLT",
	[STAT_IOIO] = "IOIO", [STAT_MSR] = "MSR", [STAT_NPF] = "NPF",
	[STAT_INTR] = "INTR", [STAT_VINTR] = "VINTR", [STAT_IRET] = "IRET",
	[STAT_SHUTDOWN] = "SHUTDOWN", [STAT_VMMCALL] = "VMMCALL",
	[STAT_SVM] = "SVM", [STAT_DEBUG] = "DEBUG",
};

/* Other vCPUs of the VM may still be leaving the guest: their last exit may
 * or may not be in the sums (aligned 64-bit reads, no tearing). */
void stats_sum_vm(struct vm *vm, struct exit_stat sum[STAT_NCLASSES])
{
	for (unsigned c = 0; c < STAT_NCLASSES; c++)
		sum[c] = (struct exit_stat){ 0, 0, 0 };
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu_stats *st = &vm->vcpus[i]->stats;
		for (unsigned c = 0; c < STAT_NCLASSES; c++) {
			sum[c].count += st->c[c].count;
			sum[c].handler_cycles += st->c[c].handler_cycles;
			sum[c].total_cycles += st->c[c].total_cycles;
		}
	}
}

/* The guest's accesses to each device (devices/bus.h: one per PIO or MMIO
 * access, about one per exit), in the VM's device order, on one line. */
static void print_device_accesses(struct vm *vm)
{
	char line[512];
	size_t n = 0;
	for (unsigned i = 0; i < vm->ndevices && n < sizeof(line) - 48; i++) {
		const struct device *d = vm->devices[i];
		uint64_t a = __atomic_load_n(&d->accesses, __ATOMIC_RELAXED);
		if (a)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      d->decl->name, a);
	}
	if (n)
		log_info("vm %s stats: device accesses:%s", vm->name, line);
}

void stats_print_vm(struct vm *vm)
{
	struct exit_stat sum[STAT_NCLASSES];
	uint64_t exits = 0;
	stats_sum_vm(vm, sum);
	for (unsigned c = 0; c < STAT_NCLASSES; c++)
		exits += sum[c].count;
	log_info("vm %s stats: %lu exits on %u vCPU%s (cycles: handler, round trip)",
		 vm->name, exits, vm->nvcpus, vm->nvcpus == 1 ? "" : "s");
	uint64_t ipis = 0, pv_eois = 0, eoi_timer = 0, eoi_other = 0;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vlapic *l = vm->vcpus[i]->lapic;
		ipis += vm->vcpus[i]->kick_ipis;
		if (!l)
			continue;
		pv_eois += vlapic_pv_eois(l);
		eoi_timer += vlapic_eoi_writes(l, true);
		eoi_other += vlapic_eoi_writes(l, false);
	}
	log_info("vm %s stats: %lu IPIs to make its vCPUs look for events", vm->name, ipis);
	if (eoi_timer || eoi_other)	/* devices/vlapic.h */
		log_info("vm %s stats: EOI register writes: %lu for the LAPIC timer, %lu for "
			 "other interrupts", vm->name, eoi_timer, eoi_other);
	if (pv_eois)
		log_info("vm %s stats: %lu EOIs through KVM's PV EOI flag, without an exit",
			 vm->name, pv_eois);
	print_device_accesses(vm);
	if (vm->npt_gen)	/* core/run/npt_shootdown.c */
		log_info("vm %s stats: %u nested page table changes, %u of them waited "
			 "for a vCPU on another CPU to leave the guest", vm->name,
			 vm->npt_gen, vm->npt_shootdowns);
	for (unsigned k = 1; k <= STAT_NCLASSES; k++) {
		unsigned c = k % STAT_NCLASSES;	/* OTHER (0) last */
		const struct exit_stat *s = &sum[c];
		if (!s->count)
			continue;
		log_info("vm %s stats: %s count=%lu handler_cycles=%lu handler_avg=%lu "
			 "total_cycles=%lu total_avg=%lu", vm->name, stat_class_names[c],
			 s->count, s->handler_cycles, s->handler_cycles / s->count,
			 s->total_cycles, s->total_cycles / s->count);
	}
}
