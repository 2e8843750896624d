/*
 * drivers/pci/pci.h - the host's PCI buses, as yakvm's drivers see them:
 * configuration mechanism #1 (ports 0xcf8/0xcfc, PCI Local Bus
 * Specification 3.0, 3.2.2.3.2), the functions found on bus 0 and behind
 * its bridges, their BARs (6.2.5.1), and the command register of a
 * function a driver takes (6.2.2). Used at boot, on the boot CPU only.
 */
#ifndef YAKVM_DRIVERS_PCI_PCI_H
#define YAKVM_DRIVERS_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Configuration header offsets (PCI 3.0, 6.1). */
#define PCI_VENDOR      0x00
#define PCI_COMMAND     0x04
#define PCI_CLASS_REV   0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0        0x10
#define PCI_SECONDARY   0x19	/* type 1 (bridge) header: secondary bus */

/* Command register bits (6.2.2). */
#define PCI_CMD_MEM          (1u << 1)
#define PCI_CMD_BUS_MASTER   (1u << 2)
#define PCI_CMD_INTX_DISABLE (1u << 10)

struct pci_func {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, progif;
	uint8_t header_type;	/* bits 6:0; bit 7 (multi-function) cleared */
};

struct pci_bar {
	uint64_t base, size;
	bool mem, is64, prefetch;
};

uint32_t pci_read32(const struct pci_func *f, unsigned off);
void pci_write32(const struct pci_func *f, unsigned off, uint32_t v);
uint16_t pci_read16(const struct pci_func *f, unsigned off);
void pci_write16(const struct pci_func *f, unsigned off, uint16_t v);
uint8_t pci_read8(const struct pci_func *f, unsigned off);

/* BAR i: its address and size (sized with the function's decoding off for
 * the moment). 0, or -1 for a BAR that is absent or not implemented. */
int pci_bar_read(const struct pci_func *f, unsigned i, struct pci_bar *bar);
/* For a function a driver takes: memory decoding and bus mastering on,
 * INTx off (the drivers poll). */
void pci_take(const struct pci_func *f);

/* Walks bus 0 and every bridge's secondary bus, hands each function whose
 * class a driver claims to that driver, and logs one summary line. */
void pci_scan(void);

#endif
