/*
 * devices/device.h - the one interface every device model has: the ports and
 * MMIO range it owns, read, write and reset, and a per-VM state struct.
 * A VM's devices are data: a table of device_decl rows per machine type
 * (devices/machine_pc.c), instantiated for each VM by devices/bus.c.
 */
#ifndef YAKVM_DEVICES_DEVICE_H
#define YAKVM_DEVICES_DEVICE_H

#include <stdint.h>
#include <stddef.h>
#include "lib/spinlock.h"

struct vm;
struct device;

/* device_model.flags */
#define DEVICE_SELF_LOCKING (1u << 0)  /* the bus does not take d->lock */

struct device_model {
	const char *name;
	size_t state_size;
	unsigned flags;
	/* Once, when the VM is built (state is zeroed): e.g. register the
	 * device with its VM, set up timers. Optional. */
	void (*init)(struct device *d);
	/* To the power-on state; called after init and on a VM reset. */
	void (*reset)(struct device *d);
	/* The VM has stopped for good: cancel its timers (vtimer_freeze).
	 * Called with the device's lock held. Optional. */
	void (*stop)(struct device *d);
	/* Port I/O: size is 1, 2 or 4; port is absolute. Called with the
	 * device's lock held; vcpu_current() (devices/irq.h) is the vCPU that
	 * does the access. */
	uint32_t (*pio_read)(struct device *d, uint16_t port, unsigned size);
	void (*pio_write)(struct device *d, uint16_t port, unsigned size, uint32_t val);
	/* MMIO: size is 1, 2, 4 or 8; gpa is absolute. */
	uint64_t (*mmio_read)(struct device *d, uint64_t gpa, unsigned size);
	void (*mmio_write)(struct device *d, uint64_t gpa, unsigned size, uint64_t val);
};

#define DEVICE_MAX_PIO 4

struct pio_range {
	uint16_t base, len;          /* len 0: unused */
};

/* One row of a machine's device table. */
struct device_decl {
	const char *name;            /* instance name, e.g. "uart0" */
	const struct device_model *model;
	struct pio_range pio[DEVICE_MAX_PIO];
	uint64_t mmio_base, mmio_len;/* mmio_len 0: no MMIO (page multiples) */
	uint8_t irq;
	const void *arg;             /* the instance's argument for its model
				      * (a virtio device's struct virtio_instance) */
};

/* The model's state follows it in the same allocation (bus_add_devices:
 * state = dev + 1): 16-byte aligned for any state struct. */
struct device {
	const struct device_decl *decl;
	struct vm *vm;
	struct spinlock lock;        /* each device locks its own state */
	void *state;
	uint64_t accesses;           /* the guest's reads and writes (stats) */
} __attribute__((aligned(16)));

#endif
