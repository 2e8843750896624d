/* core/gdb/gdb_regs.c - a vCPU's registers for gdb (see gdb_regs.h). */
#include "core/gdb/gdb_regs.h"
#include "core/run/vcpu.h"
#include "lib/string.h"

/* Where register n lives: a GPR (RAX and RSP included: between two exits
 * the run loop keeps them in regs), RIP, RFLAGS, a selector. */
enum where { W_GPR, W_RIP, W_RFLAGS, W_SEG };
struct reg_place { enum where w; unsigned i; };

static const struct reg_place i386_regs[] = {
	{ W_GPR, GPR_RAX }, { W_GPR, GPR_RCX }, { W_GPR, GPR_RDX }, { W_GPR, GPR_RBX },
	{ W_GPR, GPR_RSP }, { W_GPR, GPR_RBP }, { W_GPR, GPR_RSI }, { W_GPR, GPR_RDI },
	{ W_RIP, 0 }, { W_RFLAGS, 0 },
	{ W_SEG, SEG_CS }, { W_SEG, SEG_SS }, { W_SEG, SEG_DS }, { W_SEG, SEG_ES },
	{ W_SEG, SEG_FS }, { W_SEG, SEG_GS },
};

static const struct reg_place x86_64_regs[] = {
	{ W_GPR, GPR_RAX }, { W_GPR, GPR_RBX }, { W_GPR, GPR_RCX }, { W_GPR, GPR_RDX },
	{ W_GPR, GPR_RSI }, { W_GPR, GPR_RDI }, { W_GPR, GPR_RBP }, { W_GPR, GPR_RSP },
	{ W_GPR, GPR_R8 }, { W_GPR, GPR_R9 }, { W_GPR, GPR_R10 }, { W_GPR, GPR_R11 },
	{ W_GPR, GPR_R12 }, { W_GPR, GPR_R13 }, { W_GPR, GPR_R14 }, { W_GPR, GPR_R15 },
	{ W_RIP, 0 }, { W_RFLAGS, 0 },
	{ W_SEG, SEG_CS }, { W_SEG, SEG_SS }, { W_SEG, SEG_DS }, { W_SEG, SEG_ES },
	{ W_SEG, SEG_FS }, { W_SEG, SEG_GS },
};

unsigned gdb_regs_count(bool x86_64)
{
	return x86_64 ? sizeof(x86_64_regs) / sizeof(x86_64_regs[0])
		      : sizeof(i386_regs) / sizeof(i386_regs[0]);
}

static const struct reg_place *place(bool x86_64, unsigned n)
{
	return x86_64 ? &x86_64_regs[n] : &i386_regs[n];
}

unsigned gdb_reg_size(bool x86_64, unsigned n)
{
	const struct reg_place *p = place(x86_64, n);
	return x86_64 && (p->w == W_GPR || p->w == W_RIP) ? 8 : 4;
}

static uint16_t selector(struct vcpu *v, unsigned i)
{
	struct x86_seg s;
	vendor_get_seg(v, i, &s);
	return s.selector;
}

static uint64_t get(struct vcpu *v, const struct reg_place *p)
{
	switch (p->w) {
	case W_GPR:    return v->regs.r[p->i];
	case W_RIP:    return vendor_rip(v);
	case W_RFLAGS: return vendor_rflags(v);
	case W_SEG:    return selector(v, p->i);
	}
	return 0;
}

size_t gdb_regs_read(struct vcpu *v, bool x86_64, uint8_t *out)
{
	size_t o = 0;
	for (unsigned n = 0; n < gdb_regs_count(x86_64); n++) {
		uint64_t val = get(v, place(x86_64, n));
		unsigned size = gdb_reg_size(x86_64, n);
		memcpy(out + o, &val, size);	/* x86 is little endian */
		o += size;
	}
	return o;
}

/* RFLAGS bits software may change: CF PF AF ZF SF TF IF DF OF IOPL NT RF
 * AC ID (APM vol. 2, 3.1.6); bit 1 always reads 1. VM and VIF/VIP stay. */
#define RFLAGS_WRITABLE 0x257fd5ull

bool gdb_reg_write(struct vcpu *v, bool x86_64, unsigned n, const uint8_t *val)
{
	if (n >= gdb_regs_count(x86_64))
		return false;
	const struct reg_place *p = place(x86_64, n);
	uint64_t x = 0;
	memcpy(&x, val, gdb_reg_size(x86_64, n));
	switch (p->w) {
	case W_GPR:
		if (!x86_64)	/* a 32-bit write clears the upper half, as on the CPU */
			x &= 0xffffffffull;
		v->regs.r[p->i] = x;
		vendor_regs_written(v);	/* RAX and RSP */
		return true;
	case W_RIP:
		vendor_set_rip(v, x);
		return true;
	case W_RFLAGS:
		vendor_set_rflags(v, (vendor_rflags(v) & ~RFLAGS_WRITABLE) |
				     (x & RFLAGS_WRITABLE) | 2);
		if (v->dbg.step)	/* TF is yakvm's during a step */
			v->dbg.guest_tf = (x & RFLAGS_TF) != 0;
		return true;
	case W_SEG:
		return (x & 0xffff) == selector(v, p->i);
	}
	return false;
}
