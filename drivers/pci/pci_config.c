/* drivers/pci/pci_config.c - configuration mechanism #1 (PCI Local Bus
 * Specification 3.0, 3.2.2.3.2): the address to 0xcf8, the dword at 0xcfc. */
#include "drivers/pci/pci.h"
#include "arch/x86/cpu.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc

static void select(const struct pci_func *f, unsigned off)
{
	outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)f->bus << 16 | (uint32_t)f->dev << 11 |
	     (uint32_t)f->fn << 8 | (off & 0xfc));
}

uint32_t pci_read32(const struct pci_func *f, unsigned off)
{
	select(f, off);
	return inl(CONFIG_DATA);
}

void pci_write32(const struct pci_func *f, unsigned off, uint32_t v)
{
	select(f, off);
	outl(CONFIG_DATA, v);
}

uint16_t pci_read16(const struct pci_func *f, unsigned off)
{
	return (uint16_t)(pci_read32(f, off) >> (8 * (off & 2)));
}

/* A 16-bit write as a read-modify-write of its dword: only the command
 * register is written this way, and its neighbour (status) has write-1-to-
 * clear bits, so the status half is written as zeros. */
void pci_write16(const struct pci_func *f, unsigned off, uint16_t v)
{
	uint32_t d = pci_read32(f, off);
	if (off & 2)
		d = (d & 0xffff) | (uint32_t)v << 16;
	else
		d = v;	/* the upper half (status): zeros clear nothing */
	pci_write32(f, off, d);
}

uint8_t pci_read8(const struct pci_func *f, unsigned off)
{
	return (uint8_t)(pci_read32(f, off) >> (8 * (off & 3)));
}
