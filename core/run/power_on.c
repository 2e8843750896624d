/*
 * core/run/power_on.c - the x86 power-on register state (APM vol. 2,
 * 14.1.3), in neutral form: vcpu_reset() gives it to the backend, and the
 * loaders (core/vm/vm.c) start from it.
 */
#include "arch/x86/vendor.h"
#include "arch/x86/cpu.h"
#include "core/run/vcpu.h"
#include "lib/string.h"

/* The PAT's power-on value (APM vol. 2, 7.8.2): WB WT UC- UC, twice. */
#define PAT_POWER_ON 0x0007040600070406ull

static void set_seg(struct x86_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit,
		    uint64_t base)
{
	*s = (struct x86_seg){ sel, attrib, limit, base };
}

void vcpu_power_on_state(struct vcpu_boot_state *s)
{
	memset(s, 0, sizeof(*s));
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
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->pat = PAT_POWER_ON;
}
