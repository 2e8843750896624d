/*
 * devices/bus.h - PIO and MMIO dispatch: find the device of this VM that owns
 * a port or a guest-physical address, and call it under its lock. A port no
 * device owns reads as all ones and ignores writes, as on a PC's bus.
 */
#ifndef YAKVM_DEVICES_BUS_H
#define YAKVM_DEVICES_BUS_H

#include <stdint.h>
#include <stdbool.h>
#include "devices/device.h"

/* Instantiates every row of the machine table (ends with a NULL model). */
bool bus_add_devices(struct vm *vm, const struct device_decl *table);
void bus_reset_devices(struct vm *vm);
/* The VM has stopped: each device's stop(), then its LAPICs' timers. */
void bus_stop_devices(struct vm *vm);
/* Gives the VM's device state back to the page allocator (destroy: no
 * vCPU of it runs); returns the bytes freed. */
uint64_t bus_free_devices(struct vm *vm);

/* Called by a device that cannot take a port access now (busy): the vCPU
 * executing it runs the instruction again later, after giving its CPU
 * away. False where no vCPU executes it (then the device must not wait). */
bool bus_io_retry(void);

uint32_t bus_pio_read(struct vm *vm, uint16_t port, unsigned size);
void bus_pio_write(struct vm *vm, uint16_t port, unsigned size, uint32_t val);

struct device *bus_find_mmio(struct vm *vm, uint64_t gpa);

/* Take and release a device's lock around a call into its model (no-op for
 * DEVICE_SELF_LOCKING models). */
uint64_t device_lock(struct device *d);
void device_unlock(struct device *d, uint64_t flags);

/* The PC machine: the devices every VM gets (devices/machine_pc.c). */
extern const struct device_decl machine_pc[];
/* The HPET, for VMs with hpet=on. */
extern const struct device_decl machine_hpet[];
/* The MMIO test device, for VMs with testdev=1. */
extern const struct device_decl machine_testdev[];

#endif
