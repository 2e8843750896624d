/*
 * core/run/unmapped.h - guest-physical addresses where nothing is (no RAM, no
 * device). On a PC a read there returns all ones and a write goes nowhere
 * (the bus master aborts; operating systems probe like this), so a data
 * access there is emulated that way and logged once per page at
 * loglevel=debug (the first 16 pages; then one line says no more are).
 * An instruction fetch, a guest page-table walk or an event delivery there
 * still stops the VM, as does any access with unmapped=stop on its module
 * line (docs/vm-config.md).
 */
#ifndef YAKVM_CORE_UNMAPPED_H
#define YAKVM_CORE_UNMAPPED_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* A data access of size bytes at gpa, where nothing is: a read fills buf
 * with all ones, a write is dropped. Logs the page the first time. */
void unmapped_access(struct vm *vm, uint64_t gpa, unsigned size, uint8_t *buf,
		     bool write);

#endif
