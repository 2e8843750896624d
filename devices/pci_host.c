/*
 * devices/pci_host.c - the PCI host bridge and configuration mechanism #1
 * (PCI Local Bus Specification 3.0, section 3.2.2.3.2): CONFIG_ADDRESS is
 * the dword at 0xcf8, CONFIG_DATA the dword window at 0xcfc-0xcff.
 *
 * CONFIG_ADDRESS: bit 31 enable, bits 23:16 bus, 15:11 device, 10:8
 * function, 7:2 register; bits 30:24 and 1:0 are reserved and read 0. Only a
 * dword access to 0xcf8 is the address register (as on Intel PIIX; a
 * narrower one is not decoded: reads all ones, writes ignored). A data
 * access with bit 31 clear does nothing (reads all ones).
 *
 * Bus 0 device 0 function 0 is a host bridge with the IDs of the Intel
 * 440FX (8086:1237, class 06 00 00, header type 0); its configuration space
 * is read-only. Every other function is absent: reads all ones (vendor ID
 * 0xffff, the "no device" answer of section 6.1), writes are ignored.
 */
#include <stdbool.h>
#include "devices/device.h"

#define PORT_ADDR      0xcf8
#define PORT_DATA      0xcfc
#define ADDR_ENABLE    0x80000000u
#define ADDR_MASK      0x80fffffcu      /* reserved bits read 0 */
#define CFG_SIZE       256

struct pci_host {
	uint32_t addr;
	uint8_t cfg[CFG_SIZE];   /* the host bridge's configuration space */
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void pci_host_init(struct device *d)
{
	uint8_t *c = ((struct pci_host *)d->state)->cfg;
	put16(c + 0x00, 0x8086);   /* vendor: Intel */
	put16(c + 0x02, 0x1237);   /* device: 82441FX (440FX) */
	put16(c + 0x04, 0x0006);   /* command: memory space, bus master */
	put16(c + 0x06, 0x0280);   /* status: medium DEVSEL timing, fast back-to-back */
	c[0x08] = 0x02;            /* revision */
	c[0x09] = 0x00;            /* programming interface */
	c[0x0a] = 0x00;            /* subclass: host bridge */
	c[0x0b] = 0x06;            /* class: bridge */
	c[0x0e] = 0x00;            /* header type 0, single function */
}

static void pci_host_reset(struct device *d)
{
	((struct pci_host *)d->state)->addr = 0;
}

static bool selects_host_bridge(uint32_t addr)
{
	return (addr & 0x00ffff00u) == 0;   /* bus 0, device 0, function 0 */
}

static uint32_t pci_host_read(struct device *d, uint16_t port, unsigned size)
{
	struct pci_host *h = d->state;
	if (port < PORT_DATA)
		return port == PORT_ADDR && size == 4 ? h->addr : 0xffffffffu;
	if (!(h->addr & ADDR_ENABLE) || !selects_host_bridge(h->addr))
		return 0xffffffffu;
	unsigned off = port - PORT_DATA;   /* byte lane within the dword */
	unsigned reg = h->addr & 0xfc;
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		/* A lane past 0xcff (an unaligned access) is not in the window. */
		uint8_t b = off + i < 4 ? h->cfg[reg + off + i] : 0xff;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static void pci_host_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct pci_host *h = d->state;
	if (port == PORT_ADDR && size == 4)
		h->addr = val & ADDR_MASK;
	/* Data writes: the host bridge is read-only, nothing else exists. */
}

const struct device_model pci_host_model = {
	.name = "pci-host",
	.state_size = sizeof(struct pci_host),
	.init = pci_host_init,
	.reset = pci_host_reset,
	.pio_read = pci_host_read,
	.pio_write = pci_host_write,
};
