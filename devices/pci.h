/*
 * devices/pci.h - PCI functions on a VM's bus 0, each with its own
 * configuration space (PCI Local Bus Specification 3.0, chapter 6), served
 * by the host bridge's configuration mechanism #1 (devices/pci_host.c).
 *
 * A device model that is a PCI function embeds a struct pci_function in its
 * state, fills its header (IDs, class, header type 0), its writable bits
 * and its BARs, and registers it from its init(). The host bridge then
 * answers configuration reads from cfg[], applies writes through wmask[],
 * and keeps the BARs (6.2.5.1) and the command register's decode enables
 * (6.2.2) in step with the VM's bus: a BAR write moves the device's range
 * (bus_move), clearing the enable removes it, setting it adds it back.
 * Only 32-bit memory BARs and I/O BARs, of power-of-two sizes.
 *
 * Capabilities (6.7): pci_add_cap() appends one to the function's list in
 * 0x40-0xff (status bit 4 set, the list's head at 0x34). A model that must
 * act on configuration writes (MSI-X's enable and function mask, INTx's
 * interrupt disable) sets config_written. INTx (6.2.4): pci_intx_set()
 * drives the function's pin; the pin's GSI is pci_intx_gsi() (pci_layout.h).
 *
 * Configuration space is changed under the host bridge's device lock; a
 * device reads its own BAR bases with pci_bar_base() from its callbacks.
 */
#ifndef YAKVM_DEVICES_PCI_H
#define YAKVM_DEVICES_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/bus.h"

#define PCI_CFG_SIZE       256
#define PCI_MAX_FUNCTIONS  8       /* registered functions per VM */
#define PCI_BARS           6

/* Header registers (type 0, 6.1). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION       0x08
#define PCI_CLASS_PROG     0x09
#define PCI_CLASS_SUB      0x0a
#define PCI_CLASS_BASE     0x0b
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_CAP_PTR        0x34    /* the first capability (6.7) */
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d    /* 0 none, 1-4 INTA#-INTD# */
#define PCI_CAP_START      0x40    /* capabilities live in 0x40-0xff */

#define PCI_COMMAND_IO     0x1     /* I/O space decode enable */
#define PCI_COMMAND_MEMORY 0x2     /* memory space decode enable */
#define PCI_COMMAND_INTX_DISABLE 0x400  /* bit 10: INTx# not asserted */
#define PCI_STATUS_CAP_LIST 0x10   /* bit 4: a capability list at 0x34 */

#define PCI_CAP_ID_MSIX    0x11    /* 6.8.2 */

#define PCI_BAR_IO         0x1     /* BAR bit 0: I/O space */

struct pci_bar {
	uint32_t size;                 /* 0: no BAR here; else a power of two */
	uint8_t space;                 /* enum bus_space */
	uint64_t mapped;               /* the base on the bus, if mapped_ok */
	bool mapped_ok;
};

struct pci_function {
	uint8_t devfn;                 /* device << 3 | function, on bus 0 */
	struct device *dev;            /* the model that answers its BARs */
	_Alignas(4) uint8_t cfg[PCI_CFG_SIZE];  /* the header and what follows */
	uint8_t wmask[PCI_CFG_SIZE];   /* writable bits (BARs are handled apart) */
	struct pci_bar bar[PCI_BARS];
	/* Optional: told after each configuration write to the dword at reg
	 * (the host bridge's lock held: it may take its model's lock, never
	 * the host bridge's). */
	void (*config_written)(struct pci_function *f, unsigned reg);
	uint16_t cap_free;             /* the next capability's offset (0: 0x40) */
};

/* Appends a capability of len bytes (ID, next pointer, then the model's
 * bytes) at the next free dword of 0x40-0xff and links it into the list
 * (6.7: status bit 4, head at 0x34, each next pointer dword aligned, 0 at
 * the end). Returns its offset, 0 if there is no room. The model fills its
 * bytes and their wmask. Call before pci_register(). */
static inline uint8_t pci_add_cap(struct pci_function *f, uint8_t id, unsigned len)
{
	unsigned at = f->cap_free ? f->cap_free : PCI_CAP_START;
	if (len < 2 || at + len > PCI_CFG_SIZE)
		return 0;
	unsigned link = PCI_CAP_PTR;
	while (f->cfg[link])		/* the last next pointer */
		link = f->cfg[link] + 1u;
	f->cfg[at] = id;
	f->cfg[at + 1] = 0;
	f->cfg[link] = (uint8_t)at;
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	f->cap_free = (uint16_t)((at + len + 3) & ~3u);
	return (uint8_t)at;
}

/* Adds BAR n of f: its size (a power of two, at least 16 for memory and
 * 4 for I/O; I/O BARs decode 16 bits), its space and initial base (as
 * firmware would have set it). Call before pci_register(). */
static inline void pci_set_bar(struct pci_function *f, unsigned n, enum bus_space space,
			       uint32_t size, uint32_t base)
{
	uint32_t flags = space == BUS_PIO ? PCI_BAR_IO : 0;	/* memory: 32-bit */
	uint32_t mask = (space == BUS_PIO ? 0xfffcu : 0xfffffff0u) & ~(size - 1);
	uint32_t val = (base & mask) | flags;
	f->bar[n] = (struct pci_bar){ .size = size, .space = (uint8_t)space };
	for (unsigned i = 0; i < 4; i++) {
		f->cfg[PCI_BAR0 + 4 * n + i] = (uint8_t)(val >> (8 * i));
		f->wmask[PCI_BAR0 + 4 * n + i] = (uint8_t)(mask >> (8 * i));
	}
}

/* The base address BAR n decodes now (its register without the flag bits;
 * one 32-bit load: pci_host.c stores each dword whole). */
static inline uint32_t pci_bar_base(const struct pci_function *f, unsigned n)
{
	uint32_t v = __atomic_load_n((const uint32_t *)(const void *)(f->cfg + PCI_BAR0 + 4 * n),
				     __ATOMIC_RELAXED);
	return v & (f->bar[n].space == BUS_PIO ? ~3u : ~0xfu);
}

/* Registers f on its VM's PCI bus at f->devfn and maps its enabled BARs.
 * False if the slot is taken, the table is full, or there is no host
 * bridge. */
bool pci_register(struct vm *vm, struct pci_function *f);

/* Drives f's INTx pin (its PCI_INTERRUPT_PIN): asserted or not. Pins that
 * share a GSI are wired together: the GSI is asserted (low: INTx# is
 * active low, 2.2.6) while any of them is. Lock-free; call with f's
 * model's lock held. */
void pci_intx_set(struct pci_function *f, bool asserted);

#endif
