/* drivers/pci/pci_bar.c - BARs and the command register of a function a
 * driver takes (PCI Local Bus Specification 3.0, 6.2.2 and 6.2.5.1). */
#include "drivers/pci/pci.h"

int pci_bar_read(const struct pci_func *f, unsigned i, struct pci_bar *bar)
{
	if (i > 5 || (f->header_type == 1 && i > 1))
		return -1;
	unsigned off = PCI_BAR0 + 4 * i;
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	uint32_t lo = pci_read32(f, off);
	bar->mem = !(lo & 1);
	bar->is64 = bar->mem && ((lo >> 1) & 3) == 2;
	bar->prefetch = bar->mem && (lo & 8);
	if (bar->is64 && i == 5)
		return -1;
	uint32_t hi = bar->is64 ? pci_read32(f, off + 4) : 0;

	/* Sizing: all ones in, the writable bits out; decoding off meanwhile
	 * so the moving BAR decodes nothing. */
	pci_write16(f, PCI_COMMAND, cmd & (uint16_t)~(PCI_CMD_MEM | 1u));
	pci_write32(f, off, ~0u);
	uint32_t size_lo = pci_read32(f, off);
	uint32_t size_hi = ~0u;
	pci_write32(f, off, lo);
	if (bar->is64) {
		pci_write32(f, off + 4, ~0u);
		size_hi = pci_read32(f, off + 4);
		pci_write32(f, off + 4, hi);
	}
	pci_write16(f, PCI_COMMAND, cmd);

	uint64_t mask = bar->mem ? ~0xfull : ~0x3ull;
	uint64_t writable = ((uint64_t)(bar->is64 ? size_hi : 0) << 32 | size_lo) & mask;
	if (!writable)
		return -1;	/* not implemented */
	if (!bar->is64)
		writable |= 0xffffffff00000000ull;
	if (!bar->mem)
		writable |= 0xffffffffffff0000ull;	/* I/O: 16-bit ports */
	bar->size = ~writable + 1;
	bar->base = ((uint64_t)hi << 32 | lo) & mask;
	if (!bar->mem)
		bar->base &= 0xffff;
	return 0;
}

void pci_take(const struct pci_func *f)
{
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	pci_write16(f, PCI_COMMAND, cmd | PCI_CMD_MEM | PCI_CMD_BUS_MASTER | PCI_CMD_INTX_DISABLE);
}
