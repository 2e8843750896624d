/*
 * arch/x86/svm/ioio_string.c - INS and OUTS, with or without REP: an IOIO
 * exit with STR=1 (APM vol. 2, 15.10.2) handed to the emulator's one string
 * engine (arch/x86/insn/emulate.c), which does REP, DF, the address size,
 * the segment base and the cap per exit. This file only says what the
 * instruction is and gives the engine its memory and ports: guest RAM
 * through the guest's page tables (fetch.h) and the VM's bus (devices/bus.h).
 *
 * QEMU leaves EXITINFO1's address-size and segment fields zero, so the
 * instruction's own prefixes are decoded when they are missing. With count
 * left after one exit's share, RIP stays on the instruction and the guest
 * simply executes it again, as after an interrupt in the middle of a REP
 * string instruction.
 */
#include "arch/x86/svm/ioio.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/emulate.h"
#include "arch/x86/insn/fetch.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/pcpu.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "arch/x86/svm/single_step.h"
#include "devices/bus.h"

struct string_io {
	struct vcpu *v;
	unsigned cpl_access;	/* ACCESS_USER at CPL 3 */
};

static int walk_status(struct string_io *c, enum walk_result r, uint64_t la,
		       uint64_t fault_la, uint32_t err)
{
	if (r == WALK_PAGE_FAULT) {
		vcpu_inject_pf(c->v, fault_la, err);
		return EMU_FAULT;	/* RIP stays; rCX/rSI/rDI say what was done */
	}
	if (r == WALK_NOT_RAM) {
		vm_stop(c->v->vm, c->v, "string I/O on port 0x%x with guest memory at "
			"linear 0x%lx, which is not RAM",
			(unsigned)(uint16_t)c->v->regs.r[GPR_RDX], la);
		return EMU_ERROR;
	}
	return EMU_OK;
}

static int mem_read(void *ctx, uint64_t la, unsigned size, uint64_t *val)
{
	struct string_io *c = ctx;
	uint64_t fault_la;
	uint32_t err;
	*val = 0;
	enum walk_result r = guest_read_linear(c->v, la, val, size, c->cpl_access,
					       &fault_la, &err);
	return walk_status(c, r, la, fault_la, err);
}

static int mem_write(void *ctx, uint64_t la, unsigned size, uint64_t val)
{
	struct string_io *c = ctx;
	uint64_t fault_la;
	uint32_t err;
	enum walk_result r = guest_write_linear(c->v, la, &val, size, &fault_la, &err);
	return walk_status(c, r, la, fault_la, err);
}

/* Every page the write touches translates for a write (APM vol. 2, 5.6). */
static int mem_probe_write(void *ctx, uint64_t la, unsigned size)
{
	struct string_io *c = ctx;
	unsigned access = ACCESS_WRITE | c->cpl_access;
	uint64_t last = la + size - 1, gpa;
	uint32_t err;
	enum walk_result r = guest_translate(c->v, la, access, &gpa, &err);
	if (r != WALK_OK)
		return walk_status(c, r, la, la, err);
	if ((last & ~0xfffull) != (la & ~0xfffull)) {
		r = guest_translate(c->v, last & ~0xfffull, access, &gpa, &err);
		return walk_status(c, r, la, last & ~0xfffull, err);
	}
	return EMU_OK;
}

static int port_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	struct string_io *c = ctx;
	*val = bus_pio_read(c->v->vm, port, size);
	return this_cpu()->io_retry ? EMU_RETRY : EMU_OK;
}

static int port_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	struct string_io *c = ctx;
	bus_pio_write(c->v->vm, port, size, val);
	return this_cpu()->io_retry ? EMU_RETRY : EMU_OK;
}

/* The instruction as the engine wants it: from EXITINFO1, with the address
 * size and segment override decoded from the guest's bytes where EXITINFO1
 * lacks them (ioio_decode.c). False if the VM was stopped or a #PF queued. */
static bool string_insn(struct vcpu *v, const struct ioio *io, unsigned bits,
			struct insn *out)
{
	struct insn in;
	unsigned addr_size, seg;
	if (ioio_string_needs_insn(io)) {
		uint8_t bytes[15];
		size_t n;
		if (!vcpu_get_inst_bytes(v, bytes, &n))
			return false;
		if (insn_decode(&in, bytes, n, bits) != INSN_OK) {
			vm_stop(v->vm, v, "cannot decode a string I/O instruction");
			return false;
		}
	}
	if (!ioio_string_operands(io, &in, &addr_size, &seg)) {
		vm_stop(v->vm, v, "string I/O with reserved segment %u in EXITINFO1", io->seg);
		return false;
	}
	*out = (struct insn){
		.len = (uint8_t)(v->vmcb->control.exitinfo2 - v->vmcb->save.rip),
		.mode_bits = (uint8_t)bits,
		.encoding = INSN_ENC_LEGACY,
		.map = INSN_MAP_PRIMARY,
		.opcode = (uint8_t)((io->in ? 0x6c : 0x6e) + (io->size != 1)),
		.opsize = (uint8_t)io->size,
		.addrsize = (uint8_t)addr_size,
		.seg = io->in ? INSN_SEG_NONE : (uint8_t)seg,
		.rep = io->rep ? INSN_REP_F3 : INSN_REP_NONE,
		.base = INSN_NO_REG,
		.index = INSN_NO_REG,
	};
	return true;
}

void ioio_string(struct vcpu *v, const struct ioio *io)
{
	struct vmcb_save *s = &v->vmcb->save;
	unsigned bits = vcpu_code_bits(v);
	struct insn in;
	if (!string_insn(v, io, bits, &in))
		return;
	static const struct emu_ops ops = {
		.read = mem_read, .write = mem_write,
		.probe_write = mem_probe_write, .port_in = port_in, .port_out = port_out,
	};
	struct string_io ctx = { v, s->cpl == 3 ? ACCESS_USER : 0 };
	struct emu_state st = {
		.regs = &v->regs, .rip = s->rip, .rflags = s->rflags, .ctx = &ctx,
		.seg_base = { s->es.base, s->cs.base, s->ss.base, s->ds.base,
			      s->fs.base, s->gs.base },
		.mode_bits = bits,
		/* Single-stepped by the guest (its TF): one iteration per
		 * trap, as a CPU raises #DB after each (core/run/single_step.c). */
		.rep_max = io->rep && vcpu_guest_tf(v) ? 1 : 0,
	};
	if (insn_emulate(&st, &in, &ops) != EMU_OK)
		return;	/* a #PF is queued, or the VM was stopped */
	if (st.rip != s->rip)
		s->rip = v->vmcb->control.exitinfo2;
	else if (st.rep_done)
		v->step_in_place = true;
}
