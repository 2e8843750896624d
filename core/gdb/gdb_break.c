/* core/gdb/gdb_break.c - gdb's breakpoints in a guest (see gdb_break.h). */
#include "core/gdb/gdb_break.h"
#include "core/gdb/gdb_mem.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "arch/x86/cpu.h"

#define INT3 0xcc

static struct gdb_sw_break *sw_find(struct gdb_breaks *b, uint64_t va)
{
	for (unsigned i = 0; i < GDB_SW_BREAKS; i++)
		if (b->sw[i].used && b->sw[i].va == va)
			return &b->sw[i];
	return NULL;
}

bool gdb_sw_insert(struct gdb_breaks *b, struct vcpu *v, uint64_t va)
{
	if (sw_find(b, va))
		return true;	/* gdb may insert one twice */
	struct gdb_sw_break *s = NULL;
	for (unsigned i = 0; i < GDB_SW_BREAKS && !s; i++)
		if (!b->sw[i].used)
			s = &b->sw[i];
	uint64_t gpa;
	uint8_t int3 = INT3;
	if (!s || !gdb_mem_translate(v, va, &gpa) ||
	    !vm_read_gpa(v->vm, gpa, &s->orig, 1) || !vm_write_gpa(v->vm, gpa, &int3, 1))
		return false;
	s->va = va;
	s->gpa = gpa;
	s->used = true;
	return true;
}

static void sw_restore(struct gdb_sw_break *s, struct vm *vm)
{
	uint8_t now;
	/* Put the byte back only if the INT3 is still there: the guest may
	 * have written over it (or reused the page) since. */
	if (vm_read_gpa(vm, s->gpa, &now, 1) && now == INT3)
		vm_write_gpa(vm, s->gpa, &s->orig, 1);
	s->used = false;
}

bool gdb_sw_remove(struct gdb_breaks *b, struct vm *vm, uint64_t va)
{
	struct gdb_sw_break *s = sw_find(b, va);
	if (!s)
		return false;
	sw_restore(s, vm);
	return true;
}

void gdb_sw_remove_all(struct gdb_breaks *b, struct vm *vm)
{
	for (unsigned i = 0; i < GDB_SW_BREAKS; i++)
		if (b->sw[i].used)
			sw_restore(&b->sw[i], vm);
}

bool gdb_sw_at(const struct gdb_breaks *b, uint64_t va)
{
	return sw_find((struct gdb_breaks *)b, va) != NULL;
}

void gdb_sw_hide(const struct gdb_breaks *b, uint64_t va, uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < GDB_SW_BREAKS; i++) {
		const struct gdb_sw_break *s = &b->sw[i];
		if (s->used && s->va - va < len && buf[s->va - va] == INT3)
			buf[s->va - va] = s->orig;
	}
}

void gdb_sw_write_through(struct gdb_breaks *b, uint64_t va, uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < GDB_SW_BREAKS; i++) {
		struct gdb_sw_break *s = &b->sw[i];
		if (s->used && s->va - va < len) {
			s->orig = buf[s->va - va];
			buf[s->va - va] = INT3;
		}
	}
}

/* DR7, the debug-control register (APM vol. 2, 13.1.1): the L0/G0 ...
 * enables in bits 0-7, then per slot R/W (00 execute, 01 write, 11 read
 * or write) and LEN (00 one byte, 01 two, 11 four, 10 eight) in bits
 * 16+4i..19+4i. Bit 10 reads as 1. */
static uint64_t dr7_of(const struct gdb_breaks *b)
{
	uint64_t dr7 = 0x400;
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		const struct gdb_hw_break *h = &b->hw[i];
		if (!h->used)
			continue;
		unsigned rw = h->type == GDB_BP_HW ? 0 : h->type == GDB_WP_WRITE ? 1 : 3;
		unsigned len = h->len == 1 ? 0 : h->len == 2 ? 1 : h->len == 8 ? 2 : 3;
		dr7 |= (2ull << (2 * i)) | ((uint64_t)(rw | len << 2) << (16 + 4 * i));
	}
	return dr7;
}

bool gdb_hw_insert(struct gdb_breaks *b, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	if (type == GDB_BP_HW)
		len = 1;	/* execution breakpoints have LEN 00 */
	else if (type == GDB_WP_READ ||	/* x86 has no read-only watchpoints */
		 (len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)))
		return false;
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		struct gdb_hw_break *h = &b->hw[i];
		if (!h->used) {
			*h = (struct gdb_hw_break){ true, (uint8_t)type, (uint8_t)len, addr };
			return true;
		}
	}
	return false;
}

bool gdb_hw_remove(struct gdb_breaks *b, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		struct gdb_hw_break *h = &b->hw[i];
		if (h->used && h->type == type && h->addr == addr &&
		    (type == GDB_BP_HW || h->len == len)) {
			h->used = false;
			return true;
		}
	}
	return false;
}

void gdb_hw_remove_all(struct gdb_breaks *b)
{
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		b->hw[i].used = false;
}

const struct gdb_hw_break *gdb_hw_slot(const struct gdb_breaks *b, unsigned i)
{
	return i < GDB_HW_SLOTS && b->hw[i].used ? &b->hw[i] : NULL;
}

void gdb_hw_load(const struct gdb_breaks *b, struct vcpu *v)
{
	struct vcpu_debug *d = &v->dbg;
	uint64_t dr7 = dr7_of(b);
	uint64_t a[GDB_HW_SLOTS];
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		a[i] = b->hw[i].used ? b->hw[i].addr : 0;
	d->dr_dirty = false;
	if (dr7 & 0xff) {
		if (!d->dr_owned) {
			d->guest_dr[0] = read_dr0();
			d->guest_dr[1] = read_dr1();
			d->guest_dr[2] = read_dr2();
			d->guest_dr[3] = read_dr3();
			d->guest_dr7 = vendor_dr7(v);
			d->dr_owned = true;
		}
	} else {
		if (!d->dr_owned)
			return;
		for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
			a[i] = d->guest_dr[i];
		dr7 = d->guest_dr7;
		d->dr_owned = false;
	}
	write_dr0(a[0]);
	write_dr1(a[1]);
	write_dr2(a[2]);
	write_dr3(a[3]);
	vendor_set_dr7(v, dr7);
}
