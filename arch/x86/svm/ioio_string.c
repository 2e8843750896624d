/*
 * arch/x86/svm/ioio_string.c - INS and OUTS, with or without REP, done by
 * yakvm: each element moves between the device and guest memory at ES:rDI
 * (INS) or seg:rSI (OUTS, DS unless overridden), stepping by the operand size,
 * backwards when RFLAGS.DF=1 (APM vol. 3, "INS", "OUTS", "REP").
 *
 * QEMU leaves EXITINFO1's address-size and segment fields zero, so the
 * instruction's own prefixes are decoded when they are missing. At most one
 * page's worth of elements moves per exit; with count left, RIP stays on
 * the instruction and the guest simply executes it again, as after an
 * interrupt in the middle of a REP string instruction.
 */
#include "arch/x86/svm/ioio.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/fetch.h"
#include "arch/x86/cpu.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/pcpu.h"
#include "core/vm/vm.h"
#include "core/run/single_step.h"
#include "devices/bus.h"

#define MAX_ELEMENTS_PER_EXIT 4096

static uint64_t seg_base(struct vcpu *v, unsigned seg)
{
	const struct vmcb_save *s = &v->vmcb->save;
	const struct vmcb_seg *segs[SEG_COUNT] = { &s->es, &s->cs, &s->ss,
						   &s->ds, &s->fs, &s->gs };
	if (vcpu_code_bits(v) == 64 && seg != SEG_FS && seg != SEG_GS)
		return 0;
	return segs[seg]->base;
}

void ioio_string(struct vcpu *v, const struct ioio *io)
{
	struct vmcb_save *s = &v->vmcb->save;
	unsigned addr_size, seg;
	struct insn in;
	if (ioio_string_needs_insn(io)) {
		uint8_t bytes[15];
		size_t n;
		if (!vcpu_get_inst_bytes(v, bytes, &n))
			return;
		if (insn_decode(&in, bytes, n, vcpu_code_bits(v)) != INSN_OK) {
			vm_stop(v->vm, v, "cannot decode a string I/O instruction");
			return;
		}
	}
	if (!ioio_string_operands(io, &in, &addr_size, &seg)) {
		vm_stop(v->vm, v, "string I/O with reserved segment %u in EXITINFO1", io->seg);
		return;
	}
	uint64_t amask = addr_size == 8 ? ~0ull : (1ull << (8 * addr_size)) - 1;
	enum gpr idx = io->in ? GPR_RDI : GPR_RSI;
	uint64_t *ptr = &v->regs.r[idx], *rcx = &v->regs.r[GPR_RCX];
	uint64_t count = io->rep ? (*rcx & amask) : 1;
	int64_t step = (s->rflags & RFLAGS_DF) ? -(int64_t)io->size : (int64_t)io->size;
	uint64_t base = seg_base(v, seg);
	bool lin32 = vcpu_code_bits(v) != 64;

	/* Single-stepped by the guest (its TF): one iteration per trap, as a
	 * CPU raises #DB after each (core/run/single_step.c). */
	unsigned max = io->rep && vcpu_guest_tf(v) ? 1 : MAX_ELEMENTS_PER_EXIT;
	unsigned done = 0;
	while (count && done < max) {
		uint64_t la = base + (*ptr & amask);
		if (lin32)
			la &= 0xffffffffull;
		uint64_t fault_la;
		uint32_t err;
		uint32_t val = 0;
		enum walk_result r;
		if (io->in) {
			val = bus_pio_read(v->vm, io->port, io->size);
			r = guest_write_linear(v, la, &val, io->size, &fault_la, &err);
		} else {
			unsigned access = s->cpl == 3 ? ACCESS_USER : 0;
			r = guest_read_linear(v, la, &val, io->size, access, &fault_la, &err);
			if (r == WALK_OK)
				bus_pio_write(v->vm, io->port, io->size, val);
			if (this_cpu()->io_retry)
				return;	/* a busy device: this element again later */
		}
		if (r == WALK_PAGE_FAULT) {
			vcpu_inject_pf(v, fault_la, err);
			return;	/* RIP stays; rCX/rSI/rDI say what was done */
		}
		if (r == WALK_NOT_RAM) {
			vm_stop(v->vm, v, "string I/O on port 0x%x with guest memory at "
				"linear 0x%lx, which is not RAM", io->port, la);
			return;
		}
		*ptr = (*ptr & ~amask) | ((*ptr + step) & amask);
		count--;
		done++;
		if (io->rep)
			*rcx = (*rcx & ~amask) | (count & amask);
		/* Stop early at a page boundary so one exit stays short. */
		if (((*ptr & amask) & 0xfff) == 0)
			break;
	}
	if (count == 0 || !io->rep)
		s->rip = v->vmcb->control.exitinfo2;
	else if (done)
		v->step_in_place = true;
}
