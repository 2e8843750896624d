/* drivers/pci/pci_scan.c - find the host's PCI functions and hand each to
 * the driver of its class, or of its ID (network cards; see pci.h). Only
 * configuration space is read; a function no driver takes is left exactly
 * as the firmware left it. */
#include "drivers/pci/pci.h"
#include "drivers/ahci/ahci.h"
#include "drivers/nvme/nvme.h"
#include "drivers/net/e1000e.h"
#include "drivers/net/virtio_net.h"
#include "lib/log.h"

struct pci_driver {
	uint8_t class, subclass, progif;	/* PCI Code and ID Assignment 1.x */
	const char *name;
	void (*probe)(const struct pci_func *f);
};

static const struct pci_driver drivers[] = {
	{ 0x01, 0x06, 0x01, "ahci", ahci_probe },	/* mass storage, SATA, AHCI 1.0 */
	{ 0x01, 0x08, 0x02, "nvme", nvme_probe },	/* mass storage, NVM, NVMe */
};

/* Network cards by vendor and device ID: the class says nothing of the
 * register set. A probe says whether it took the function. */
struct pci_id_driver {
	uint16_t vendor, device;
	bool (*probe)(const struct pci_func *f);
};

static const struct pci_id_driver id_drivers[] = {
	{ 0x1af4, 0x1041, virtio_net_probe },	/* virtio 1.1, 4.1.2.1: 0x1040 + 1 */
	{ 0x1af4, 0x1000, virtio_net_probe },	/* transitional virtio-net */
	{ 0x8086, 0x10d3, e1000e_probe },	/* Intel 82574L */
};

static unsigned functions, buses, taken;
static uint8_t seen[256 / 8];	/* buses walked: a bridge loop walks nothing twice */

static void found(struct pci_func *f)
{
	uint32_t cr = pci_read32(f, PCI_CLASS_REV);
	f->class = cr >> 24;
	f->subclass = (uint8_t)(cr >> 16);
	f->progif = (uint8_t)(cr >> 8);
	functions++;
	log_debug("pci %02x:%02x.%u: %04x:%04x class %02x.%02x.%02x", f->bus, f->dev, f->fn,
		  f->vendor, f->device, f->class, f->subclass, f->progif);
	for (unsigned i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		const struct pci_driver *d = &drivers[i];
		if (f->class == d->class && f->subclass == d->subclass && f->progif == d->progif) {
			taken++;
			d->probe(f);
		}
	}
	bool known = false;
	for (unsigned i = 0; i < sizeof(id_drivers) / sizeof(id_drivers[0]); i++) {
		const struct pci_id_driver *d = &id_drivers[i];
		if (f->vendor == d->vendor && f->device == d->device) {
			known = true;
			if (d->probe(f))
				taken++;
		}
	}
	if (f->class == 0x02 && !known)	/* a network controller (docs/hardware.md) */
		log_info("pci %02x:%02x.%u: network card %04x:%04x: no yakvm driver, left alone",
			 f->bus, f->dev, f->fn, f->vendor, f->device);
}

static void scan_bus(uint8_t bus);

static void scan_function(uint8_t bus, uint8_t dev, uint8_t fn, bool *multi)
{
	struct pci_func f = { .bus = bus, .dev = dev, .fn = fn };
	uint32_t id = pci_read32(&f, PCI_VENDOR);
	if ((id & 0xffff) == 0xffff)
		return;	/* nobody there */
	f.vendor = (uint16_t)id;
	f.device = (uint16_t)(id >> 16);
	uint8_t ht = pci_read8(&f, PCI_HEADER_TYPE);
	f.header_type = ht & 0x7f;
	if (fn == 0)
		*multi = ht & 0x80;
	found(&f);
	if (f.header_type == 1) {	/* PCI-to-PCI bridge */
		uint8_t sec = pci_read8(&f, PCI_SECONDARY);
		if (sec)
			scan_bus(sec);
	}
}

static void scan_bus(uint8_t bus)
{
	if (seen[bus / 8] & (1u << (bus % 8)))
		return;
	seen[bus / 8] |= (uint8_t)(1u << (bus % 8));
	buses++;
	for (uint8_t dev = 0; dev < 32; dev++) {
		bool multi = false;
		scan_function(bus, dev, 0, &multi);
		for (uint8_t fn = 1; multi && fn < 8; fn++)
			scan_function(bus, dev, fn, &multi);
	}
}

void pci_scan(void)
{
	scan_bus(0);
	log_info("pci: %u functions on %u bus%s, %u taken by a driver", functions, buses,
		 buses == 1 ? "" : "es", taken);
}
