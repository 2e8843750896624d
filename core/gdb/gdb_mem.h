/*
 * core/gdb/gdb_mem.h - guest memory as gdb sees it: virtual addresses through
 * the page tables of one vCPU (identity while its paging is off), then the
 * VM's RAM. Anything that is not RAM (a hole, a device's MMIO page, a table
 * pointing outside the VM) is refused: never a host access, never a device
 * access with side effects. Protection bits are ignored, as for a debugger.
 */
#ifndef YAKVM_CORE_GDB_MEM_H
#define YAKVM_CORE_GDB_MEM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct vcpu;

/* Guest-physical address of virtual address va, if it is mapped RAM. */
bool gdb_mem_translate(struct vcpu *v, uint64_t va, uint64_t *gpa);
/* All or nothing: false if any byte is not mapped RAM. */
bool gdb_mem_read(struct vcpu *v, uint64_t va, void *buf, size_t len);
bool gdb_mem_write(struct vcpu *v, uint64_t va, const void *buf, size_t len);

#endif
