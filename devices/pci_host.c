/*
 * devices/pci_host.c - the PCI host bridge and configuration mechanism #1
 * (PCI Local Bus Specification 3.0, section 3.2.2.3.2): CONFIG_ADDRESS is
 * the dword at 0xcf8, CONFIG_DATA the dword window at 0xcfc-0xcff; and the
 * configuration space of each function on bus 0 (devices/pci.h).
 *
 * CONFIG_ADDRESS: bit 31 enable, bits 23:16 bus, 15:11 device, 10:8
 * function, 7:2 register; bits 30:24 and 1:0 are reserved and read 0. Only a
 * dword access to 0xcf8 is the address register (as on Intel PIIX; a
 * narrower one is not decoded: reads all ones, writes ignored). A data
 * access with bit 31 clear does nothing (reads all ones).
 *
 * Bus 0 device 0 function 0 is a host bridge with the IDs of the Intel
 * 440FX (8086:1237, class 06 00 00, header type 0); its configuration space
 * is read-only. Other functions are those registered (pci_register);
 * every other one is absent: reads all ones (vendor ID 0xffff, the "no
 * device" answer of section 6.1), writes are ignored.
 *
 * A write goes through the function's writable-bit mask; a BAR's mask
 * leaves its flag bits and the bits below its size at their values, so
 * writing all ones and reading back gives the size (6.2.5.1). After a
 * write to the command register or a BAR the function's ranges on the bus
 * follow its BARs and decode enables, and the function's model is told
 * (config_written). A VM reset puts every function's configuration space
 * back as it was registered.
 *
 * INTx (6.2.4): a function with an interrupt pin gets its GSI
 * (devices/pci_layout.h) in its interrupt line register, as firmware would
 * write it; pci_intx_set() wire-ORs the pins that share a GSI. INTx# is
 * active low (2.2.6): the GSI's wire is high (pulled up) from the
 * registration of the first function on it until a pin asserts it.
 */
#include <stdbool.h>
#include "devices/pci.h"
#include "devices/pci_layout.h"
#include "devices/irq.h"
#include "devices/bus.h"
#include "core/vm/vm.h"
#include "lib/string.h"

#define PORT_ADDR      0xcf8
#define PORT_DATA      0xcfc
#define ADDR_ENABLE    0x80000000u
#define ADDR_MASK      0x80fffffcu      /* reserved bits read 0 */
#define CFG_SIZE       PCI_CFG_SIZE

struct pci_host {
	uint32_t addr;
	struct pci_function bridge;          /* 00:00.0, read-only */
	struct pci_function *fn[PCI_MAX_FUNCTIONS];  /* fn[0] is the bridge */
	uint8_t cfg0[PCI_MAX_FUNCTIONS][CFG_SIZE];   /* each as registered */
	unsigned nfn;
	uint32_t intx[PCI_INTX_GSI_COUNT];        /* per GSI: fn[] indexes asserting */
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- BARs and the bus ------------------------------------------------------- */

/* Each BAR's range on the bus where its register and the command
 * register's decode enable say (PCI LB 3.0, 6.2.2 and 6.2.5.1). */
static void sync_bars(struct vm *vm, struct pci_function *f)
{
	uint16_t cmd = (uint16_t)(f->cfg[PCI_COMMAND] | f->cfg[PCI_COMMAND + 1] << 8);
	for (unsigned n = 0; n < PCI_BARS; n++) {
		struct pci_bar *b = &f->bar[n];
		if (!b->size)
			continue;
		bool on = cmd & (b->space == BUS_PIO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
		uint64_t base = pci_bar_base(f, n);
		if (on && b->mapped_ok && b->mapped != base) {
			bus_move(vm, f->dev, (enum bus_space)b->space, b->mapped, base);
			b->mapped = base;
		} else if (on && !b->mapped_ok) {
			b->mapped_ok = bus_map(vm, f->dev, (enum bus_space)b->space, base, b->size);
			b->mapped = base;
		} else if (!on && b->mapped_ok) {
			bus_unmap(vm, f->dev, (enum bus_space)b->space, b->mapped);
			b->mapped_ok = false;
		}
	}
}

/* ---- the host bridge -------------------------------------------------------- */

static void pci_host_init(struct device *d)
{
	struct pci_host *h = d->state;
	uint8_t *c = h->bridge.cfg;
	put16(c + 0x00, 0x8086);   /* vendor: Intel */
	put16(c + 0x02, 0x1237);   /* device: 82441FX (440FX) */
	put16(c + 0x04, 0x0006);   /* command: memory space, bus master */
	put16(c + 0x06, 0x0280);   /* status: medium DEVSEL timing, fast back-to-back */
	c[0x08] = 0x02;            /* revision */
	c[0x09] = 0x00;            /* programming interface */
	c[0x0a] = 0x00;            /* subclass: host bridge */
	c[0x0b] = 0x06;            /* class: bridge */
	c[0x0e] = 0x00;            /* header type 0, single function */
	h->bridge.dev = d;         /* wmask all zero: read-only, no BARs */
	h->fn[0] = &h->bridge;
	memcpy(h->cfg0[0], c, CFG_SIZE);
	h->nfn = 1;
	if (d->vm)
		d->vm->pci = d;
}

static void pci_host_reset(struct device *d)
{
	struct pci_host *h = d->state;
	h->addr = 0;
	for (unsigned i = 1; i < h->nfn; i++) {
		memcpy(h->fn[i]->cfg, h->cfg0[i], CFG_SIZE);
		sync_bars(d->vm, h->fn[i]);
	}
}

bool pci_register(struct vm *vm, struct pci_function *f)
{
	struct device *d = vm->pci;
	if (!d)
		return false;
	struct pci_host *h = d->state;
	uint64_t flags = device_lock(d);
	bool ok = h->nfn < PCI_MAX_FUNCTIONS;
	for (unsigned i = 0; ok && i < h->nfn; i++)
		ok = h->fn[i]->devfn != f->devfn;
	if (ok) {
		f->wmask[PCI_COMMAND] |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY | 0x4;	/* + bus master */
		f->wmask[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
		f->wmask[PCI_INTERRUPT_LINE] = 0xff;
		unsigned pin = f->cfg[PCI_INTERRUPT_PIN];
		if (pin >= 1 && pin <= 4)
			f->cfg[PCI_INTERRUPT_LINE] = (uint8_t)pci_intx_gsi(f->devfn >> 3, pin);
		memcpy(h->cfg0[h->nfn], f->cfg, CFG_SIZE);
		h->fn[h->nfn++] = f;
		sync_bars(vm, f);
	}
	device_unlock(d, flags);
	if (ok)
		pci_intx_set(f, false);	/* the pull-up */
	return ok;
}

/* The function CONFIG_ADDRESS selects, or NULL (absent). */
static struct pci_function *selected(const struct pci_host *h)
{
	if (!(h->addr & ADDR_ENABLE) || (h->addr & 0x00ff0000u))
		return NULL;	/* disabled, or not bus 0 */
	uint8_t devfn = (uint8_t)(h->addr >> 8);
	for (unsigned i = 0; i < h->nfn; i++)
		if (h->fn[i]->devfn == devfn)
			return h->fn[i];
	return NULL;
}

static uint32_t pci_host_read(struct device *d, uint16_t port, unsigned size)
{
	struct pci_host *h = d->state;
	if (port < PORT_DATA)
		return port == PORT_ADDR && size == 4 ? h->addr : 0xffffffffu;
	const struct pci_function *f = selected(h);
	if (!f)
		return 0xffffffffu;
	unsigned off = port - PORT_DATA;   /* byte lane within the dword */
	unsigned reg = h->addr & 0xfc;
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		/* A lane past 0xcff (an unaligned access) is not in the window. */
		uint8_t b = off + i < 4 ? f->cfg[reg + off + i] : 0xff;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static void pci_host_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct pci_host *h = d->state;
	if (port < PORT_DATA) {
		if (port == PORT_ADDR && size == 4)
			h->addr = val & ADDR_MASK;
		return;
	}
	struct pci_function *f = selected(h);
	if (!f)
		return;	/* nothing there: ignored */
	unsigned off = port - PORT_DATA, reg = h->addr & 0xfc;
	uint8_t dword[4];
	memcpy(dword, f->cfg + reg, 4);
	for (unsigned i = 0; i < size && off + i < 4; i++) {
		unsigned r = off + i;
		uint8_t m = f->wmask[reg + r];
		dword[r] = (uint8_t)((dword[r] & ~m) | ((uint8_t)(val >> (8 * i)) & m));
	}
	/* One store, so that pci_bar_base() never sees half a BAR. */
	__atomic_store_n((uint32_t *)(void *)(f->cfg + reg), get32(dword), __ATOMIC_RELAXED);
	if (reg == PCI_COMMAND || (reg >= PCI_BAR0 && reg < PCI_BAR0 + 4 * PCI_BARS))
		sync_bars(d->vm, f);
	if (f->config_written)
		f->config_written(f, reg);
}

/* ---- INTx ------------------------------------------------------------------- */

void pci_intx_set(struct pci_function *f, bool asserted)
{
	struct vm *vm = f->dev ? f->dev->vm : NULL;
	unsigned pin = f->cfg[PCI_INTERRUPT_PIN];
	if (!vm || !vm->pci || pin < 1 || pin > 4)
		return;
	struct pci_host *h = vm->pci->state;
	unsigned i = 0;
	while (i < h->nfn && h->fn[i] != f)
		i++;
	if (i == h->nfn)
		return;	/* not registered */
	unsigned gsi = pci_intx_gsi(f->devfn >> 3, pin);
	uint32_t *w = &h->intx[gsi - PCI_INTX_GSI_BASE];
	if (asserted)
		__atomic_fetch_or(w, 1u << i, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(w, ~(1u << i), __ATOMIC_SEQ_CST);
	/* Lock-free wire-OR: whoever sets the line last looks again, so the
	 * line ends at the OR of the pins as they are now; low = asserted. */
	bool any;
	do {
		any = __atomic_load_n(w, __ATOMIC_SEQ_CST) != 0;
		vm_irq_set(vm, gsi, !any);
	} while ((__atomic_load_n(w, __ATOMIC_SEQ_CST) != 0) != any);
}

const struct device_model pci_host_model = {
	.name = "pci-host",
	.state_size = sizeof(struct pci_host),
	.init = pci_host_init,
	.reset = pci_host_reset,
	.pio_read = pci_host_read,
	.pio_write = pci_host_write,
};
