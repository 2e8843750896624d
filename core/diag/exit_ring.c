/* core/diag/exit_ring.c - printing a vCPU's last exits (core/diag/exit_ring.h). */
#include "core/diag/exit_ring.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/log.h"

void exit_ring_dump(struct vcpu *v, const char *(*name)(uint64_t code))
{
	const char *n = v->vm->name;
	const struct exit_ring *ring = &v->ring;
	uint64_t last = ring->r[(ring->next + EXIT_RING_LEN - 1) % EXIT_RING_LEN].tsc;
	for (unsigned i = 0; i < EXIT_RING_LEN; i++) {
		const struct exit_record *e = &ring->r[(ring->next + i) % EXIT_RING_LEN];
		if (!e->tsc)
			continue;
		log_info("  vm %s/%u: exit -%lu cycles: %s rip=%lx info1=%lx info2=%lx "
			 "intinfo=%lx inject=%lx", n, v->id, last - e->tsc,
			 name(e->info.code), e->info.rip, e->info.info1, e->info.info2,
			 e->info.intinfo, e->inject);
	}
}
