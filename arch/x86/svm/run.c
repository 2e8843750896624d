/*
 * arch/x86/svm/run.c - yakvm_vcpu_run(), the loop around the world switch
 * (_yakvm_vcpu_run, vmrun.S): events in before VMRUN, the exit handled
 * after it (svm_handle_exit, arch/x86/svm/exit.c), an interrupted event
 * delivered again (APM vol. 2, 15.7.2).
 */
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "core/vm/startup.h"
#include "core/run/npt_shootdown.h"
#include "core/run/timer.h"
#include "core/gdb/gdbstub.h"
#include "core/console/console.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/asid.h"
#include "arch/x86/svm/intr.h"
#include "arch/x86/svm/single_step.h"
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmrun.h"
#include "devices/vlapic.h"

/* Whether the loop goes on. Kicks from here on send an IPI again
 * (core/run/irq.c): what they change is seen here or before VMRUN. */
static bool keeps_running(struct vcpu *v, struct pcpu *p)
{
	__atomic_store_n(&v->kick_ipi_sent, false, __ATOMIC_SEQ_CST);
	return v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING &&
	       !vm_holds(v->vm, v) && !v->vm->resetting && !p->need_resched;
}

void yakvm_vcpu_run(struct vcpu *v)
{
	struct pcpu *p = this_cpu();
	struct vmcb *vmcb = v->vmcb;
	bool trace = v->vm->desc.trace;
	asid_assign(v, p);
	while (keeps_running(v, p)) {
		/* The PIC's and IOAPIC's acknowledges since the last pass, to
		 * the timers that hold ticks back (devices/irq.h). */
		vm_irq_acks_run(v->vm);
		if (p->timer_irq) {
			/* Device timers (and the monitor) may change this VM's
			 * state: look at the loop's condition again. */
			timers_run();
			continue;
		}
		/* No new event while gdb single-steps: its handler would be
		 * what the step executes (docs/debugging.md). */
		if (v->events_pending && !v->dbg.step) {
			if (vcpu_check_startup(v) && v->state != VCPU_RUNNABLE)
				break;	/* INIT: now waiting for a SIPI */
			vcpu_deliver_events(v);
		}
		/* An interrupt taken since the checks above (the end of the
		 * slice, a kick) would be lost: its one-shot timer or IPI is
		 * consumed, and a guest that never exits would then run on
		 * forever. With IF=0 it stays pending from here on, and makes
		 * the guest exit at once (vmrun.S sets IF after CLGI). */
		irq_disable();
		if (p->need_resched || p->timer_irq) {
			irq_enable();
			continue;
		}
		vlapic_pv_eoi_arm(v->lapic);	/* last: nothing is injected after it */
		if (v->poll_window)
			timer_poll_soon(WINDOW_POLL_NS);	/* arch/x86/svm/intr.c */
		if (v->dbg.dr_dirty)
			gdbstub_load_debug_regs(v);	/* on this CPU: DR0-3 */
		vmcb->save.rax = v->regs.r[GPR_RAX];
		vmcb->save.rsp = v->regs.r[GPR_RSP];
		/* gdb's hardware breakpoints under QEMU (svm.dr7_by_mov): the
		 * host's DR7 holds them across VMRUN, which saves and restores
		 * it (15.5.1), for the few instructions of vmrun.S only. */
		bool dr7_mov = v->dbg.dr_owned && svm.dr7_by_mov;
		if (dr7_mov)
			write_dr7(vmcb->save.dr7);
		npt_enter_guest(v, p);
		/* XCR0 is not switched by VMRUN: vmrun.S loads the guest's and
		 * the host's back after #VMEXIT (arch/x86/fpu.h). */
		bool virq_race = svm.virq_racy && (vmcb->control.v_intr & V_IRQ);
		/* TCG (svm.inject_racy): an interrupt injected by this VMRUN
		 * could come a second time until the next exit; with a host
		 * interrupt pending (IF=0 until vmrun.S's STI after CLGI) the
		 * guest exits right after the injection. */
		uint64_t inj = vmcb->control.eventinj;
		if (svm.inject_racy && (inj & EVENT_VALID) && (inj & EVENT_TYPE_MASK) == EVENT_TYPE_INTR)
			lapic_send_self_ipi(VEC_EXIT_NOW);
		uint64_t t0 = rdtsc();	/* stats: round trip from here */
		_yakvm_vcpu_run(&v->regs, v->vmcb_pa, p->host_state_pa,
				fpu_host.xsave ? &v->fpu.xcr0 : NULL);
		uint64_t t1 = rdtsc();	/* stats: handler from here */
		if (virq_race)
			svm_virq_race_recover();	/* arch/x86/svm/intr.c, tcg_virq=1 */
		npt_leave_guest(v);
		if (dr7_mov)
			write_dr7(0x400);
		v->regs.r[GPR_RAX] = vmcb->save.rax;
		v->regs.r[GPR_RSP] = vmcb->save.rsp;
		vmcb->control.tlb_control = TLB_CONTROL_NOTHING;
		v->exits++;
		vlapic_pv_eoi_collect(v->lapic);	/* before any handler's EOI */
		/* An event the exit interrupted is delivered again (15.7.2). */
		vmcb->control.eventinj = 0;
		if (vmcb->control.exitintinfo & EVENT_VALID)
			vmcb->control.eventinj = vmcb->control.exitintinfo;
		if (v->nmi_iret_seen)
			vcpu_nmi_after_exit(v);
		/* Stats and trace (core/diag/stats.h, core/diag/trace.h): the exit is
		 * counted before its handler, which may end the VM and print
		 * the stats; its cycles are added after. */
		const struct svm_exit *row = svm_exit_row(vmcb->control.exitcode);
		struct exit_stat *st = &v->stats.c[row->stat];
		st->count++;
		/* The flight recorder (core/diag/exit_ring.h), before the handler,
		 * which may print it. */
		struct exit_record *rec = exit_ring_next(&v->ring, t1);
		svm_exit_info(vmcb, &rec->info);
		struct trace_exit te;
		if (trace)
			trace_begin(v, rec, row->name, row->trace, &te);
		bool guest_tf = vcpu_guest_tf(v);
		svm_handle_exit(v);
		/* An instruction yakvm completed for the guest (RIP moved on)
		 * ends the interrupt shadow of an STI or MOV SS just before it
		 * (APM vol. 2, 15.21.5): without this a guest's STI;HLT idle
		 * loop could never take the interrupt that woke it. */
		if (vmcb->save.rip != rec->info.rip)
			vmcb->control.interrupt_shadow &= ~1ull;
		vcpu_single_step_trap(v, guest_tf, rec->info.rip);
		if (v->dbg.step)
			gdbstub_step_check(v);	/* an emulated instruction ends a step */
		if (p->io_retry) {
			/* A busy device (the UART while the VM's console queue
			 * is full): RIP stayed on the IN/OUT; drain, and let
			 * the CPU's other vCPUs run before it is tried again. */
			p->io_retry = false;
			p->console_due = true;
			p->need_resched = true;
		}
		if (p->console_due) {	/* a line of the guest's was queued */
			p->console_due = false;
			console_drain();
		}
		vm_exit_polls(v->vm);	/* devices' work instead of exits of their own */
		uint64_t t2 = rdtsc();
		st->handler_cycles += t2 - t1;
		st->total_cycles += t2 - t0;
		rec->inject = vmcb->control.eventinj;
		if (trace)
			trace_end(v, &te, t2 - t1);
		if (v->vm->reset_requested) {
			vm_reset(v->vm);
			break;	/* back through asid_assign() with a fresh ASID */
		}
	}
}
