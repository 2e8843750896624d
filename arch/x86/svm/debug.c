/*
 * arch/x86/svm/debug.c - the #DB exception intercept (always on, see
 * reflect.c), and the exits of a VM with gdb= (core/gdb/gdbstub.h): #BP
 * (APM vol. 2, 15.12) and the INTn intercept (15.9). What is gdb's stops the VM for gdb; anything else is
 * given to the guest as the CPU would have: its own INT3, INTn, single
 * steps and debug-register breakpoints work as without gdb.
 *
 * An intercepted exception is taken before it is delivered: for INT3, RIP
 * is still the INT3's address (which is gdb's breakpoint address); for #DB,
 * DR6 in the VMCB says why (B0-B3, BS) on real CPUs and QEMU (not Bochs
 * 2.7, which updates it only on delivery), and RIP is past the
 * instruction for a trap (a step, a watchpoint) or at it for an
 * instruction breakpoint (a fault).
 *
 * QEMU 7.2's TCG takes INT3 through the INTn intercept instead of #BP, so
 * INTn is intercepted too and an INT3 found there goes the same way.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/fetch.h"
#include "core/gdb/gdbstub.h"
#include "core/gdb/gdb_break.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/format.h"

#define SIGTRAP 5
#define DR6_BS  (1ull << 14)	/* single step (DR6, APM vol. 2, 13.1.1) */

static uint64_t linear_rip(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (vcpu_code_bits(v) == 64)
		return s->rip;
	return (s->cs.base + s->rip) & 0xffffffffull;
}

/* The instruction at RIP, decoded; false if the VM was stopped or a #PF
 * queued on the way (vcpu_get_inst_bytes). */
static bool decode_at_rip(struct vcpu *v, struct insn *in)
{
	uint8_t buf[15];
	size_t n;
	if (!vcpu_get_inst_bytes(v, buf, &n))
		return false;
	if (insn_decode(in, buf, n, vcpu_code_bits(v)) != INSN_OK) {
		vm_stop(v->vm, v, "cannot decode the instruction of an INTn or #BP "
			"intercept (%02x %02x)", buf[0], buf[1]);
		return false;
	}
	return true;
}

/* What INT3/INTn/INTO would have done: RIP past the instruction, then the
 * vector as a software interrupt (EVENTINJ type 4, 15.20), which pushes
 * that RIP and checks the gate's DPL as the instruction does. */
static void reflect_soft(struct vcpu *v, const struct insn *in, uint8_t vector)
{
	v->vmcb->save.rip = vcpu_rip_after(v, in->len);
	v->vmcb->control.eventinj = EVENT_VALID | EVENT_TYPE_SOFT | vector;
}

static void int3(struct vcpu *v, const struct insn *in)
{
	if (gdbstub_sw_break_at(v->vm, linear_rip(v))) {
		/* gdb's: RIP stays at the breakpoint. If another vCPU's stop
		 * is reported instead, this one runs the INT3 again later (or
		 * the original byte, once gdb has removed the breakpoint). */
		gdbstub_stop(v, SIGTRAP, "swbreak:;");
		return;
	}
	reflect_soft(v, in, 3);
}

void svm_handle_bp(struct vcpu *v)
{
	struct insn in;
	if (decode_at_rip(v, &in))
		int3(v, &in);
}

void svm_handle_swint(struct vcpu *v)
{
	struct insn in;
	if (!decode_at_rip(v, &in))
		return;
	switch (in.map == 0 ? in.opcode : -1) {
	case 0xcc:	/* INT3 */
		int3(v, &in);
		return;
	case 0xcd:	/* INT imm8 */
		reflect_soft(v, &in, (uint8_t)in.imm);
		return;
	case 0xce:	/* INTO: #OF only if RFLAGS.OF */
		if (v->vmcb->save.rflags & RFLAGS_OF)
			reflect_soft(v, &in, 4);
		else
			vcpu_skip_instruction(v);
		return;
	default:
		vm_stop(v->vm, v, "INTn intercept on opcode 0x%02x", in.opcode);
	}
}

void svm_handle_db(struct vcpu *v)
{
	/* Without gdb, every #DB is the guest's: intercepted only so that one
	 * cannot recur in microcode for ever (arch/x86/svm/reflect.c). */
	if (!v->vm->gdb) {
		svm_reflect_exception(v, 1, false, 0);
		return;
	}
	struct vmcb_save *s = &v->vmcb->save;
	uint64_t dr6 = s->dr6;
	/* gdb's slots count only while its DR7 is loaded (core/gdb/gdb_break.c). */
	unsigned slots = v->dbg.dr_owned ? gdbstub_hw_slots(v->vm) : 0;
	unsigned hit = (unsigned)dr6 & slots;
	/* Our step: DR6.BS. Bochs 2.7 leaves DR6 as it was at the intercept,
	 * so a #DB with no B0-B3 either, during our step, is the step too. */
	bool step = v->dbg.step && ((dr6 & DR6_BS) || !(dr6 & 0xf));
	if (!hit && !step) {
		svm_reflect_exception(v, 1, false, 0);	/* the guest's own */
		return;
	}
	/* The guest does not see what was gdb's, unless it single-steps
	 * itself (its own TF): then the trap is its too. */
	bool guest_step = step && v->dbg.guest_tf;
	s->dr6 = dr6 & ~(uint64_t)(hit | (step && !guest_step ? DR6_BS : 0));
	if (guest_step)
		vcpu_inject_exception(v, 1, false, 0);
	char extra[40] = "";
	for (unsigned i = 0; i < 4; i++) {
		const struct gdb_hw_break *h = (hit >> i) & 1 ? gdbstub_hw_slot_of(v->vm, i) : NULL;
		if (!h)
			continue;
		if (h->type == GDB_BP_HW)
			snprintf(extra, sizeof(extra), "hwbreak:;");
		else
			snprintf(extra, sizeof(extra), "%s:%lx;",
				 h->type == GDB_WP_WRITE ? "watch" : "awatch", h->addr);
		break;
	}
	if (step)
		gdbstub_end_step(v);
	gdbstub_stop(v, SIGTRAP, extra);
}
