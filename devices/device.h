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

struct device_model {
	const char *name;
	size_t state_size;
	void (*reset)(struct device *d);
	/* Port I/O: size is 1, 2 or 4; port is absolute. */
	uint32_t (*pio_read)(struct device *d, uint16_t port, unsigned size);
	void (*pio_write)(struct device *d, uint16_t port, unsigned size, uint32_t val);
	/* MMIO: size is 1, 2, 4 or 8; gpa is absolute. */
	uint64_t (*mmio_read)(struct device *d, uint64_t gpa, unsigned size);
	void (*mmio_write)(struct device *d, uint64_t gpa, unsigned size, uint64_t val);
};

/* One row of a machine's device table. */
struct device_decl {
	const char *name;            /* instance name, e.g. "uart0" */
	const struct device_model *model;
	uint16_t pio_base, pio_len;  /* pio_len 0: no ports */
	uint64_t mmio_base, mmio_len;/* mmio_len 0: no MMIO (page multiples) */
	uint8_t irq;
};

struct device {
	const struct device_decl *decl;
	struct vm *vm;
	struct spinlock lock;        /* each device locks its own state */
	void *state;
};

#endif
