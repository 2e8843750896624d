/*
 * devices/bus.h - one bus per VM for port I/O and MMIO: one table of ranges
 * (ports or guest-physical addresses, each answered by one device), one
 * lookup, one lock-and-call into the device model. A port or address no
 * device owns reads as all ones and ignores writes, as on a PC's bus.
 *
 * Ranges come from the machine table (devices/machine_pc.c) when the VM is
 * built, and can be added, moved and removed while the VM runs (a PCI BAR
 * write, devices/pci_host.c). Lookups take no lock: a range being changed
 * is disabled (len 0) first and enabled again with release order, so a
 * lookup on another CPU sees the old range, the new one, or none; a
 * device's state is never freed while a vCPU of its VM runs. Where MMIO
 * ranges can be: outside the VM's RAM (RAM is mapped in the nested page
 * tables and answers first; only what faults there reaches the bus).
 *
 * The vCPU's own LAPIC page (APIC_BASE, core/run/lapic_window.h) is per
 * vCPU, not per VM: bus_mmio_device() (devices/bus_mmio.h) asks it first.
 */
#ifndef YAKVM_DEVICES_BUS_H
#define YAKVM_DEVICES_BUS_H

#include <stdint.h>
#include <stdbool.h>
#include "devices/device.h"
#include "lib/spinlock.h"

enum bus_space { BUS_PIO, BUS_MMIO };

struct bus_range {
	uint64_t base, len;          /* len 0: disabled (being moved) or free */
	struct device *dev;
	uint8_t space;               /* enum bus_space */
};

#define BUS_MAX_RANGES 64
#define BUS_PIO_FAST_PORTS 0x1000

struct bus {
	struct spinlock lock;        /* serializes changes; lookups take none */
	struct bus_range range[BUS_MAX_RANGES];  /* first match wins */
	unsigned nrange;             /* slots ever used */
	/* Ports below BUS_PIO_FAST_PORTS (all of the legacy PC's): the index
	 * + 1 of the first range that holds each, or 0. */
	uint8_t pio_fast[BUS_PIO_FAST_PORTS];
};

/* Instantiates every row of the machine table (ends with a NULL model). */
bool bus_add_devices(struct vm *vm, const struct device_decl *table);
void bus_reset_devices(struct vm *vm);
/* The VM has stopped: each device's stop(), then its LAPICs' timers. */
void bus_stop_devices(struct vm *vm);
/* Gives the VM's device state back to the page allocator (destroy: no
 * vCPU of it runs); returns the bytes freed. */
uint64_t bus_free_devices(struct vm *vm);

/* Ranges at run time. bus_map: false if the table is full. bus_move: the
 * range of d in space at old_base moves to new_base (false if d has none
 * there). bus_unmap: removes it. */
bool bus_map(struct vm *vm, struct device *d, enum bus_space space, uint64_t base,
	     uint64_t len);
bool bus_move(struct vm *vm, struct device *d, enum bus_space space, uint64_t old_base,
	      uint64_t new_base);
void bus_unmap(struct vm *vm, struct device *d, enum bus_space space, uint64_t base);

/* The lookup: the device whose range holds addr, or NULL. */
struct device *bus_find(struct vm *vm, enum bus_space space, uint64_t addr);
/* bus_mmio_device(v, gpa), the MMIO lookup of an exit: devices/bus_mmio.h. */

/* Called by a device that cannot take a port access now (busy): the vCPU
 * executing it runs the instruction again later, after giving its CPU
 * away. False where no vCPU executes it (then the device must not wait). */
bool bus_io_retry(void);

/* Port I/O: size 1, 2, 4. Looks the port up and calls its device. */
uint32_t bus_pio_read(struct vm *vm, uint16_t port, unsigned size);
void bus_pio_write(struct vm *vm, uint16_t port, unsigned size, uint32_t val);
/* Take and release a device's lock around a call into its model (no-op for
 * DEVICE_SELF_LOCKING models). */
uint64_t device_lock(struct device *d);
void device_unlock(struct device *d, uint64_t flags);
/* The device's lock if it is free (a poll that must not wait for it). */
bool device_trylock(struct device *d, uint64_t *flags);

/* The one lock-and-call into a device model, for PIO and MMIO (inlined into
 * the exit paths): a read returns the value; an MMIO model without the
 * callback reads all ones and ignores writes (the PIO callers check). */
static inline __attribute__((always_inline)) uint64_t
bus_call(struct device *d, enum bus_space space, uint64_t addr, unsigned size,
	 uint64_t val, bool write)
{
	const struct device_model *m = d->decl->model;
	__atomic_fetch_add(&d->accesses, 1, __ATOMIC_RELAXED);
	uint64_t f = device_lock(d);
	if (space == BUS_PIO) {
		if (write)
			m->pio_write(d, (uint16_t)addr, size, (uint32_t)val);
		else
			val = m->pio_read(d, (uint16_t)addr, size);
	} else if (write) {
		if (m->mmio_write)
			m->mmio_write(d, addr, size, val);
	} else {
		val = m->mmio_read ? m->mmio_read(d, addr, size) : ~0ull;
	}
	device_unlock(d, f);
	return val;
}

/* MMIO to a device already looked up (bus_mmio_device): size 1, 2, 4, 8. */
static inline uint64_t bus_mmio_read(struct device *d, uint64_t gpa, unsigned size)
{
	return bus_call(d, BUS_MMIO, gpa, size, 0, false);
}

static inline void bus_mmio_write(struct device *d, uint64_t gpa, unsigned size,
				  uint64_t val)
{
	bus_call(d, BUS_MMIO, gpa, size, val, true);
}

/* The PC machine: the devices every VM gets (devices/machine_pc.c). */
extern const struct device_decl machine_pc[];
/* The HPET, for VMs with hpet=on. */
extern const struct device_decl machine_hpet[];
/* The MMIO test device, for VMs with testdev=1. */
extern const struct device_decl machine_testdev[];

#endif
