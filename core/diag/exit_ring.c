/* core/diag/exit_ring.c - printing a vCPU's last exits (core/diag/exit_ring.h). */
#include "core/diag/exit_ring.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "arch/x86/svm/exitcodes.h"

struct exit_record *exit_ring_record(struct vcpu *v, uint64_t tsc)
{
	const struct vmcb_control *c = &v->vmcb->control;
	struct exit_record *rec = &v->ring.r[v->ring.next++ % EXIT_RING_LEN];
	*rec = (struct exit_record){ tsc, c->exitcode, c->exitinfo1, c->exitinfo2,
				     v->vmcb->save.rip, c->exitintinfo, 0 };
	return rec;
}

void exit_ring_dump(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	const char *n = v->vm->name;
	log_info("  vm %s/%u: rip=%lx rsp=%lx rflags=%lx cpl=%u cs=%x ss=%x",
		 n, v->id, s->rip, s->rsp, s->rflags, s->cpl, s->cs.selector, s->ss.selector);
	log_info("  vm %s/%u: cr0=%lx cr2=%lx cr3=%lx cr4=%lx efer=%lx",
		 n, v->id, s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
	log_info("  vm %s/%u: idtr=%lx/%x gdtr=%lx/%x tr=%x base %lx gs=%lx",
		 n, v->id, s->idtr.base, s->idtr.limit, s->gdtr.base, s->gdtr.limit,
		 s->tr.selector, s->tr.base, s->gs.base);
	const struct exit_ring *ring = &v->ring;
	uint64_t last = ring->r[(ring->next + EXIT_RING_LEN - 1) % EXIT_RING_LEN].tsc;
	for (unsigned i = 0; i < EXIT_RING_LEN; i++) {
		const struct exit_record *e = &ring->r[(ring->next + i) % EXIT_RING_LEN];
		if (!e->tsc)
			continue;
		log_info("  vm %s/%u: exit -%lu cycles: %s rip=%lx info1=%lx info2=%lx "
			 "intinfo=%lx inject=%lx", n, v->id, last - e->tsc,
			 svm_exit_name(e->code), e->rip, e->info1, e->info2, e->intinfo, e->inject);
	}
}
