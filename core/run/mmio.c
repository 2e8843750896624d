/*
 * core/run/mmio.c - yakvm_vcpu_handle_mmio(): a guest instruction touched a page
 * that belongs to a device, which the nested page tables leave not-present.
 * Fetch its bytes (vcpu_get_inst_bytes), decode them, and emulate the whole
 * instruction: every memory access it makes is translated through the guest's
 * page tables and goes to guest RAM, to the device that owns the address, or,
 * where nothing is, reads all ones and drops writes (core/run/unmapped.h; with
 * unmapped=stop the VM stops instead). Then RIP moves past it.
 */
#include "core/run/mmio.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "core/diag/trace.h"
#include "core/run/lapic_window.h"
#include "core/run/unmapped.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/emulate.h"
#include "arch/x86/insn/fetch.h"
#include "devices/bus.h"
#include "devices/device.h"
#include "lib/format.h"

struct mmio_ctx {
	struct vcpu *v;
};

/* One access of at most 8 bytes that does not cross a page. */
static int access_page(struct vcpu *v, uint64_t la, unsigned size, uint8_t *buf,
		       bool write)
{
	uint64_t gpa;
	uint32_t err;
	unsigned access = (write ? ACCESS_WRITE : 0) |
			  (v->vmcb->save.cpl == 3 ? ACCESS_USER : 0);
	enum walk_result r = guest_translate(v, la, access, &gpa, &err);
	if (r == WALK_PAGE_FAULT) {
		vcpu_inject_pf(v, la, err);
		return EMU_FAULT;
	}
	if (r == WALK_NOT_RAM) {
		vm_stop(v->vm, v, "emulating an MMIO instruction: the guest's page "
			"tables for linear 0x%lx are not in its RAM", la);
		return EMU_ERROR;
	}
	/* The vCPU's own LAPIC page hides RAM and devices (core/run/lapic_window.h). */
	struct device *d = lapic_window_claims(v, gpa) ? v->vm->lapic_mmio : NULL;
	if (!d && (write ? vm_write_gpa(v->vm, gpa, buf, size) :
		   vm_read_gpa(v->vm, gpa, buf, size)))
		return EMU_OK;
	if (!d)
		d = bus_find_mmio(v->vm, gpa);
	if (!d && v->vm->desc.unmapped_stop) {
		vm_stop(v->vm, v, "emulating an MMIO instruction: %s of guest-physical "
			"0x%lx, which is outside the VM's memory (unmapped=stop)",
			write ? "write" : "read", gpa);
		return EMU_ERROR;
	}
	if (!d) {	/* nothing there: all ones, or dropped */
		unmapped_access(v->vm, gpa, size, buf, write);
		return EMU_OK;
	}
	const struct device_model *m = d->decl->model;
	uint64_t val = 0;
	for (unsigned i = 0; i < size; i++)
		val |= (uint64_t)buf[i] << (8 * i);
	uint64_t f = device_lock(d);
	if (write && m->mmio_write)
		m->mmio_write(d, gpa, size, val);
	else if (!write)
		val = m->mmio_read ? m->mmio_read(d, gpa, size) : ~0ull;
	device_unlock(d, f);
	if (v->vm->desc.trace)	/* core/diag/trace.h */
		trace_mmio_access(v, d, gpa, size, val, write);
	if (!write)
		for (unsigned i = 0; i < size; i++)
			buf[i] = (uint8_t)(val >> (8 * i));
	return EMU_OK;
}

static int mem_access(void *ctx, uint64_t la, unsigned size, uint64_t *val, bool write)
{
	struct vcpu *v = ((struct mmio_ctx *)ctx)->v;
	uint8_t buf[8];
	for (unsigned i = 0; i < size; i++)
		buf[i] = write ? (uint8_t)(*val >> (8 * i)) : 0;
	unsigned first = size;
	if ((la & 0xfff) + size > 0x1000)
		first = 0x1000 - (unsigned)(la & 0xfff);	/* split at the page */
	int r = access_page(v, la, first, buf, write);
	if (r == EMU_OK && first < size)
		r = access_page(v, la + first, size - first, buf + first, write);
	if (r == EMU_OK && !write) {
		*val = 0;
		for (unsigned i = 0; i < size; i++)
			*val |= (uint64_t)buf[i] << (8 * i);
	}
	return r;
}

static int mem_read(void *ctx, uint64_t la, unsigned size, uint64_t *val)
{
	return mem_access(ctx, la, size, val, false);
}

static int mem_write(void *ctx, uint64_t la, unsigned size, uint64_t val)
{
	return mem_access(ctx, la, size, &val, true);
}

void yakvm_vcpu_handle_mmio(struct vcpu *v, struct device *d, uint64_t gpa)
{
	struct vmcb_save *s = &v->vmcb->save;
	uint8_t bytes[15];
	size_t n;
	if (!vcpu_get_inst_bytes(v, bytes, &n))
		return;
	unsigned bits = vcpu_code_bits(v);
	struct insn in;
	int r = insn_decode(&in, bytes, n, bits);
	if (r != INSN_OK) {
		vcpu_inject_ud(v);
		return;
	}
	struct emu_state st = {
		.regs = &v->regs, .rip = s->rip, .rflags = s->rflags,
		.seg_base = { s->es.base, s->cs.base, s->ss.base, s->ds.base,
			      s->fs.base, s->gs.base },
		.mode_bits = bits,
	};
	struct mmio_ctx ctx = { v };
	struct emu_ops ops = { &ctx, mem_read, mem_write };
	switch (insn_emulate(&st, &in, &ops)) {
	case EMU_OK:
		s->rip = st.rip;
		s->rflags = st.rflags;
		break;
	case EMU_UNSUPPORTED:
		{
			char hex[3 * 15 + 1];
			for (unsigned i = 0; i < in.len; i++)
				snprintf(hex + 3 * i, 4, " %02x", bytes[i]);
			vm_stop(v->vm, v, "cannot emulate the instruction at MMIO 0x%lx (%s):%s",
				gpa, d ? d->decl->name : lapic_window_is_ram(v->vm, gpa) ?
				"RAM under a LAPIC" : "where nothing is", hex);
		}
		break;
	default:
		break;	/* a #PF is queued, or the VM was stopped */
	}
}
