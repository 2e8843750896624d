/*
 * core/gdb/gdb_regs.h - a vCPU's registers in the order of gdb's default target
 * descriptions (gdb's features/i386/32bit-core.xml and 64bit-core.xml):
 *   i386:   eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs,
 *           each 4 bytes;
 *   x86-64: rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rip (8 bytes each),
 *           eflags cs ss ds es fs gs (4 bytes each).
 * The x87/SSE registers that follow in gdb's layout are left out: a 'g'
 * reply that stops early tells gdb they are unavailable.
 */
#ifndef YAKVM_CORE_GDB_REGS_H
#define YAKVM_CORE_GDB_REGS_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct vcpu;

#define GDB_REGS_MAX_BYTES (17 * 8 + 7 * 4)

/* Number of registers in the layout, and register n's size in bytes. */
unsigned gdb_regs_count(bool x86_64);
unsigned gdb_reg_size(bool x86_64, unsigned n);
/* All registers, little endian, in order; returns the byte count. */
size_t gdb_regs_read(struct vcpu *v, bool x86_64, uint8_t *out);
/* Register n from its little-endian bytes. False if it cannot be written:
 * a segment selector other than the current one (the descriptor cache
 * would not follow), or n out of range. */
bool gdb_reg_write(struct vcpu *v, bool x86_64, unsigned n, const uint8_t *val);

#endif
