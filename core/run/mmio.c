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
	const struct mmio_exit *x;
};

/* The device at gpa: on the page that faulted, the one the exit found;
 * elsewhere NULL if guest RAM took the access, else the vCPU's LAPIC or
 * the bus (the order of bus_mmio_device(), devices/bus_mmio.h, with RAM
 * between them). */
static struct device *device_at(const struct mmio_ctx *c, uint64_t gpa, unsigned size,
				uint8_t *buf, bool write, bool *done)
{
	struct vcpu *v = c->v;
	*done = false;
	if (c->x->dev && (gpa & ~0xfffull) == (c->x->gpa & ~0xfffull))
		return c->x->dev;
	/* The vCPU's own LAPIC page hides RAM and devices (core/run/lapic_window.h). */
	if (lapic_window_claims(v, gpa) && v->vm->lapic_mmio)
		return v->vm->lapic_mmio;
	if (write ? vm_write_gpa(v->vm, gpa, buf, size) : vm_read_gpa(v->vm, gpa, buf, size)) {
		*done = true;
		return NULL;
	}
	return bus_find(v->vm, BUS_MMIO, gpa);
}

static uint64_t low_bytes(uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/* One access of at most 8 bytes that does not cross a page. *val holds the
 * bytes little-endian, as x86 does: RAM is copied to and from it directly
 * (a read starts from *val = 0). */
static int access_page(const struct mmio_ctx *c, uint64_t la, unsigned size, uint64_t *val,
		       bool write)
{
	struct vcpu *v = c->v;
	uint8_t *buf = (uint8_t *)val;
	uint64_t gpa;
	uint32_t err;
	unsigned access = (write ? ACCESS_WRITE : 0) | (c->x->cpl == 3 ? ACCESS_USER : 0);
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
	bool done;
	struct device *d = device_at(c, gpa, size, buf, write, &done);
	if (done)
		return EMU_OK;
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
	uint64_t dv;
	if (write)
		bus_mmio_write(d, gpa, size, dv = low_bytes(*val, size));
	else
		*val = low_bytes(dv = bus_mmio_read(d, gpa, size), size);
	if (v->vm->desc.trace)	/* core/diag/trace.h */
		trace_mmio_access(v, d, gpa, size, dv, write);
	return EMU_OK;
}

static int mem_access(void *ctx, uint64_t la, unsigned size, uint64_t *val, bool write)
{
	const struct mmio_ctx *c = ctx;
	if ((la & 0xfff) + size <= 0x1000) {	/* the common case: one page */
		if (!write)
			*val = 0;
		return access_page(c, la, size, val, write);
	}
	unsigned first = 0x1000 - (unsigned)(la & 0xfff);	/* split at the page */
	uint64_t lo = write ? low_bytes(*val, first) : 0;
	uint64_t hi = write ? low_bytes(*val >> (8 * first), size - first) : 0;
	int r = access_page(c, la, first, &lo, write);
	if (r == EMU_OK)
		r = access_page(c, la + first, size - first, &hi, write);
	if (r == EMU_OK && !write)
		*val = lo | hi << (8 * first);
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

void yakvm_vcpu_handle_mmio(struct vcpu *v, struct mmio_exit *x)
{
	uint8_t bytes[15];
	size_t n;
	if (!vcpu_get_inst_bytes(v, bytes, &n))
		return;
	struct insn in;
	int r = insn_decode(&in, bytes, n, x->st.mode_bits);
	if (r != INSN_OK) {
		vcpu_inject_ud(v);
		return;
	}
	static const struct emu_ops ops = { .read = mem_read, .write = mem_write };
	struct mmio_ctx ctx = { v, x };
	x->st.ctx = &ctx;
	/* EMU_OK: done, x->st has the new RIP and RFLAGS; otherwise unchanged. */
	switch (insn_emulate(&x->st, &in, &ops)) {
	case EMU_OK:
		break;
	case EMU_UNSUPPORTED:
		{
			char hex[3 * 15 + 1];
			for (unsigned i = 0; i < in.len; i++)
				snprintf(hex + 3 * i, 4, " %02x", bytes[i]);
			vm_stop(v->vm, v, "cannot emulate the instruction at MMIO 0x%lx (%s):%s",
				x->gpa, x->dev ? x->dev->decl->name :
				lapic_window_is_ram(v->vm, x->gpa) ?
				"RAM under a LAPIC" : "where nothing is", hex);
		}
		break;
	default:
		break;	/* a #PF is queued, or the VM was stopped */
	}
}
