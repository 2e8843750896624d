/*
 * core/run/vcpu.c - the life of a vCPU: yakvm_create_vcpu() builds it,
 * yakvm_vcpu_init_vmcb() gives it the power-on state and the intercepts,
 * and yakvm_vcpu_run() is the loop around the world switch.
 */
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "core/run/asid.h"
#include "core/run/intr.h"
#include "core/run/npt_shootdown.h"
#include "core/vm/startup.h"
#include "core/run/timer.h"
#include "core/gdb/gdbstub.h"
#include "core/run/single_step.h"
#include "devices/vlapic.h"
#include "lib/log.h"
#include "core/console/console.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmrun.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/fetch.h"
#include "mm/pmm.h"
#include "lib/string.h"

/* The PAT's power-on value (APM vol. 2, 7.8.2): WB WT UC- UC, twice. */
#define PAT_POWER_ON 0x0007040600070406ull

struct vcpu *yakvm_create_vcpu(struct vm *vm, unsigned id)
{
	uint64_t pa = pmm_alloc_page();
	uint64_t aside_pa = pmm_alloc_page();
	uint64_t vpa = pmm_alloc_pages(VCPU_PAGES);
	if (!pa || !aside_pa || !vpa) {
		if (pa)
			pmm_free_pages(pa, 1);
		if (aside_pa)
			pmm_free_pages(aside_pa, 1);
		if (vpa)
			pmm_free_pages(vpa, VCPU_PAGES);
		return NULL;
	}
	struct vcpu *v = phys_to_virt(vpa);
	v->vmcb = phys_to_virt(pa);
	v->vmcb_pa = pa;
	v->vmcb_aside = phys_to_virt(aside_pa);
	v->vmcb_aside_pa = aside_pa;
	v->vm = vm;
	v->id = id;
	v->code_page_hva = NULL;
	v->lapic = fpu_state_alloc(&v->fpu) ? vlapic_create(v) : NULL;
	if (!v->lapic) {
		if (v->fpu.area)
			fpu_state_free(&v->fpu);
		pmm_free_pages(pa, 1);
		pmm_free_pages(aside_pa, 1);
		pmm_free_pages(vpa, VCPU_PAGES);
		return NULL;
	}
	yakvm_vcpu_init_vmcb(v);
	v->lapic_page = LAPIC_DEFAULT_BASE;	/* not RAM: no hole to make */
	vlapic_set_wait_sipi(v->lapic, id != 0);
	v->state = id == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
	return v;
}

uint64_t vcpu_free(struct vcpu *v)
{
	uint64_t pages = 2 + VCPU_PAGES + 1;	/* two VMCBs, itself, its LAPIC */
	pages += (fpu_host.size + PAGE_SIZE - 1) / PAGE_SIZE;
	fpu_state_free(&v->fpu);
	pmm_free_pages(virt_to_phys(v->lapic), 1);
	pmm_free_pages(v->vmcb_pa, 1);
	pmm_free_pages(v->vmcb_aside_pa, 1);
	pmm_free_pages(virt_to_phys(v), VCPU_PAGES);
	return pages * PAGE_SIZE;
}

/* With gdb=: #BP (15.12; #DB is always intercepted), and INTn: QEMU's TCG
 * reports an INT3 as an INTn intercept, not as #BP (arch/x86/svm/debug.c). */
static void debug_intercepts(struct vmcb *vmcb)
{
	vmcb->control.intercept_exceptions |= 1u << 3;
	vmcb->control.intercept_misc1 |= INTERCEPT_SWINT;
}

static void set_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib,
		    uint32_t limit, uint64_t base)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

void vcpu_build_vmcb(struct vcpu *v, struct vmcb *vmcb)
{
	struct vmcb_control *c = &vmcb->control;
	struct vmcb_save *s = &vmcb->save;
	memset(vmcb, 0, sizeof(*vmcb));

	/* What the guest may not do on its own (15.9-15.14). VMRUN must be
	 * intercepted, or VMRUN fails its consistency checks (15.5.1). */
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			     INTERCEPT_INVD | INTERCEPT_INVLPGA |
			     INTERCEPT_IOIO_PROT | INTERCEPT_MSR_PROT |
			     INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
			     INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			     INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
			     INTERCEPT_MONITOR | INTERCEPT_MWAIT |
			     INTERCEPT_MWAIT_ARMED | INTERCEPT_XSETBV |
			     INTERCEPT_WBINVD;
	/* The CPU model (arch/x86/cpu_model.c): CR4 and CR0 writes are checked
	 * against it (arch/x86/svm/cr.c); RDPMC reads its counters, RDPRU is
	 * not in it (arch/x86/svm/rdpmc.c). RDPRU's intercept bit is set only
	 * where the CPU has RDPRU; elsewhere the instruction is #UD anyway. */
	c->intercept_cr = INTERCEPT_CR_WRITE(4);
	c->intercept_misc1 |= INTERCEPT_CR0_SEL | INTERCEPT_RDPMC;
	if (cpuid(0x80000000, 0).eax >= 0x80000008 && (cpuid(0x80000008, 0).ebx & (1u << 4)))
		c->intercept_misc2 |= INTERCEPT_RDPRU;
	/* A machine check belongs to the host even when it strikes the guest.
	 * #AC and #DB are reflected (arch/x86/svm/reflect.c): intercepted so
	 * that one recurring during its own delivery cannot hold the CPU for
	 * ever (CVE-2015-5307, CVE-2015-8104). WBINVD/WBNOINVD are skipped. */
	c->intercept_exceptions = (1u << 18) | (1u << 17) | (1u << 1);	/* #MC #AC #DB */
	c->iopm_base_pa = v->vm->iopm_pa;
	c->msrpm_base_pa = v->vm->msrpm_pa;
	/* The guest's IF masks only virtual interrupts; physical ones always
	 * exit to yakvm through the INTR intercept (15.21.1), and physical NMIs
	 * through the NMI intercept, or they would go to the guest's IDT. */
	c->v_intr = V_INTR_MASKING;
	c->np_enable = NP_ENABLE;
	c->n_cr3 = v->vm->npt_root_pa;
	c->guest_asid = 1;	/* replaced by core/run/asid.c before each run */

	/* The x86 power-on state (APM vol. 2, 14.1.3), in real mode at
	 * F000:FFF0. Loaders replace what their boot protocol defines. */
	set_seg(&s->cs, 0xf000, SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P,
		0xffff, 0xffff0000);
	uint16_t data = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P;
	set_seg(&s->ds, 0, data, 0xffff, 0);
	set_seg(&s->es, 0, data, 0xffff, 0);
	set_seg(&s->ss, 0, data, 0xffff, 0);
	set_seg(&s->fs, 0, data, 0xffff, 0);
	set_seg(&s->gs, 0, data, 0xffff, 0);
	set_seg(&s->gdtr, 0, 0, 0xffff, 0);
	set_seg(&s->idtr, 0, 0, 0xffff, 0);
	set_seg(&s->ldtr, 0, SEG_ATTR_TYPE(0x2) | SEG_ATTR_P, 0xffff, 0);
	set_seg(&s->tr, 0, SEG_ATTR_TYPE(0x3) | SEG_ATTR_P, 0xffff, 0);
	s->rip = 0xfff0;
	s->rflags = 0x2;
	s->cr0 = CR0_CD | CR0_NW | CR0_ET;
	/* EFER.SVME must be set in the guest's EFER or VMRUN fails (15.5.1);
	 * the guest reads it as 0 (arch/x86/svm/msr.c). */
	s->efer = EFER_SVME;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = PAT_POWER_ON;
	if (v->vm->gdb)
		debug_intercepts(vmcb);
}

void vcpu_switch_vmcb(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	uint64_t pa = v->vmcb_pa;
	v->vmcb_pa = v->vmcb_aside_pa;
	__atomic_store_n(&v->vmcb, v->vmcb_aside, __ATOMIC_RELEASE);
	v->vmcb_aside = vmcb;
	v->vmcb_aside_pa = pa;
}

void vcpu_power_on(struct vcpu *v)
{
	/* x87/SSE/AVX and XCR0 at their power-on values too. A vCPU that has
	 * run may still have its state in its home CPU, which may be saving it
	 * right now (a reset runs on any CPU): that CPU re-initializes it
	 * before the vCPU runs again (core/run/sched.c). */
	if (v->home)
		__atomic_store_n(&v->fpu_reinit, true, __ATOMIC_RELEASE);
	else
		fpu_state_init(&v->fpu);

	if (v->vm->gdb) {
		memset(&v->dbg, 0, sizeof(v->dbg));
		v->dbg.dr_dirty = true;	/* gdb's hardware breakpoints, if any */
	}

	v->apic_base = 0xfee00000ull | (1ull << 11) | (v->id == 0 ? 1ull << 8 : 0);
	v->mtrr_def_type = 0;
	vcpu_msr_model_reset(v);	/* arch/x86/svm/msr.c */
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.r[GPR_RDX] = cpuid(1, 0).eax;	/* processor signature */
}

void yakvm_vcpu_init_vmcb(struct vcpu *v)
{
	vcpu_build_vmcb(v, v->vmcb);
	vcpu_power_on(v);
}

void yakvm_vcpu_init_debug(struct vcpu *v)
{
	if (!v->vm->gdb)
		return;
	debug_intercepts(v->vmcb);
	memset(&v->dbg, 0, sizeof(v->dbg));
	v->dbg.dr_dirty = true;	/* gdb's hardware breakpoints, if any */
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err)
{
	v->vmcb->control.eventinj = EVENT_VALID | EVENT_TYPE_EXC | vector |
				    (has_err ? EVENT_ERR_VALID | ((uint64_t)err << 32) : 0);
}

void vcpu_inject_pf(struct vcpu *v, uint64_t cr2, uint32_t err)
{
	v->vmcb->save.cr2 = cr2;
	vcpu_inject_exception(v, 14, true, err);
}

bool vcpu_skip_instruction(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	if (svm.nrips && vmcb->control.next_rip) {
		vmcb->save.rip = vmcb->control.next_rip;
		return true;
	}
	uint8_t buf[15];
	size_t n;
	const uint8_t *peek = vcpu_peek_inst_bytes(v, &n);
	/* The exit table's plain encoding (arch/x86/svm/exit.c): the common
	 * case (no prefixes) needs no decoder. */
	unsigned len = peek ? svm_plain_length(svm_exit_row(vmcb->control.exitcode), peek, n) : 0;
	if (!len) {
		if (!vcpu_get_inst_bytes(v, buf, &n))
			return false;
		struct insn in;
		if (insn_decode(&in, buf, n, vcpu_code_bits(v)) != INSN_OK) {
			vm_stop(v->vm, v, "cannot decode the intercepted instruction "
				"(%02x %02x %02x %02x)", buf[0], buf[1], buf[2], buf[3]);
			return false;
		}
		len = in.len;
	}
	vmcb->save.rip = vcpu_rip_after(v, len);
	return true;
}

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
		if (v->poll_window)
			timer_poll_soon(WINDOW_POLL_NS);	/* core/run/intr.c */
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
		uint64_t t0 = rdtsc();	/* stats: round trip from here */
		_yakvm_vcpu_run(&v->regs, v->vmcb_pa, p->host_vmcb_pa,
				fpu_host.xsave ? &v->fpu.xcr0 : NULL);
		uint64_t t1 = rdtsc();	/* stats: handler from here */
		if (virq_race)
			svm_virq_race_recover();	/* core/run/intr.c, tcg_virq=1 */
		npt_leave_guest(v);
		if (dr7_mov)
			write_dr7(0x400);
		v->regs.r[GPR_RAX] = vmcb->save.rax;
		v->regs.r[GPR_RSP] = vmcb->save.rsp;
		vmcb->control.tlb_control = TLB_CONTROL_NOTHING;
		v->exits++;
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
