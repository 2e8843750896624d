/*
 * devices/i8042.h - what the keyboard controller model (devices/i8042.c)
 * and the system control ports (devices/sysctl.c) need from the VM: the
 * guest's request to reset the machine (i8042 command 0xfe, output port bit
 * 0, port 0x92 bit 0).
 */
#ifndef YAKVM_DEVICES_I8042_H
#define YAKVM_DEVICES_I8042_H

#include <stdbool.h>

struct vm;
struct device;

/* Asks for a reset of the whole VM; called with the device's lock held, so
 * it only records the request. Implemented by core/vm/vm.c (the same
 * declaration is in core/vm/vm.h). */
void vm_request_reset(struct vm *vm);

/* The A20 gate as last set through this controller (output port bit 1). */
bool i8042_a20(struct device *d);

#endif
