/*
 * core/gdb/gdb_break.h - gdb's breakpoints in a guest.
 *
 * Software (Z0): an INT3 byte (0xCC) written into guest RAM through the page
 * tables of the vCPU gdb looks at, the original byte kept and put back on
 * removal; reads through the stub see the original byte. The #BP (or INTn,
 * under QEMU) intercept catches it (arch/x86/svm/debug.c).
 *
 * Hardware (Z1 execution, Z2 write, Z4 access watchpoints): the four address
 * slots DR0-DR3 and their enables in DR7 (APM vol. 2, 13.1.1), the same in
 * every vCPU of the VM. VMRUN switches DR7 (it is in the VMCB) but not
 * DR0-DR3 (15.5.1): they are written on the vCPU's own CPU just before
 * VMRUN (gdb_hw_load). While gdb has any, its DR0-DR3/DR7 replace the
 * guest's, which are saved and put back once gdb removes its last one.
 */
#ifndef YAKVM_CORE_GDB_BREAK_H
#define YAKVM_CORE_GDB_BREAK_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct vcpu;
struct vm;

#define GDB_SW_BREAKS 64
#define GDB_HW_SLOTS  4

/* gdb's Z packet types. */
enum gdb_bp_type { GDB_BP_SW = 0, GDB_BP_HW = 1, GDB_WP_WRITE = 2,
		   GDB_WP_READ = 3, GDB_WP_ACCESS = 4 };

struct gdb_sw_break {
	bool used;
	uint64_t va, gpa;
	uint8_t orig;
};

struct gdb_hw_break {
	bool used;
	uint8_t type, len;
	uint64_t addr;
};

struct gdb_breaks {
	struct gdb_sw_break sw[GDB_SW_BREAKS];
	struct gdb_hw_break hw[GDB_HW_SLOTS];
};

bool gdb_sw_insert(struct gdb_breaks *b, struct vcpu *v, uint64_t va);
bool gdb_sw_remove(struct gdb_breaks *b, struct vm *vm, uint64_t va);
void gdb_sw_remove_all(struct gdb_breaks *b, struct vm *vm);
bool gdb_sw_at(const struct gdb_breaks *b, uint64_t va);
/* After reading [va, va+len): the kept bytes where INT3s are. */
void gdb_sw_hide(const struct gdb_breaks *b, uint64_t va, uint8_t *buf, size_t len);
/* Before writing [va, va+len): new bytes under an INT3 become its kept
 * byte, and buf keeps the INT3 there. */
void gdb_sw_write_through(struct gdb_breaks *b, uint64_t va, uint8_t *buf, size_t len);

/* False if no slot is free, or the length or alignment cannot be done. */
bool gdb_hw_insert(struct gdb_breaks *b, enum gdb_bp_type type, uint64_t addr, uint64_t len);
bool gdb_hw_remove(struct gdb_breaks *b, enum gdb_bp_type type, uint64_t addr, uint64_t len);
void gdb_hw_remove_all(struct gdb_breaks *b);
/* Slot i's breakpoint, if gdb uses slot i. */
const struct gdb_hw_break *gdb_hw_slot(const struct gdb_breaks *b, unsigned i);
/* On v's CPU, before VMRUN: gdb's DR0-DR3 and DR7, or the guest's back. */
void gdb_hw_load(const struct gdb_breaks *b, struct vcpu *v);

#endif
