/*
 * drivers/ahci/ahci.c - bring up an AHCI HBA (Serial ATA AHCI 1.3.1):
 * AHCI mode and an HBA reset (10.4.3), each implemented port stopped and
 * given its command list and received-FIS area (10.1.2, 10.3.1), started
 * where an ATA disk answers (PxSIG, 3.3.9); IDENTIFY DEVICE (ACS-3) gives
 * its model, serial and size, and it becomes a block device. ATAPI devices
 * are named and left alone. Every wait is bounded.
 */
#include "drivers/ahci/ahci.h"
#include "drivers/ahci/ahci_port.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

static struct ahci_hba hbas[AHCI_MAX_HBAS];
static unsigned nhbas;

/* Waits until (reg & mask) == want, at most ms milliseconds. */
static bool wait_reg(struct ahci_hba *h, unsigned off, uint32_t mask, uint32_t want,
		     unsigned ms)
{
	uint64_t deadline = rdtsc() + ms * h->ticks_per_ms;
	while ((ahci_read(h, off) & mask) != want) {
		if (rdtsc() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

/* ATA strings: two characters per word, the first in the high byte
 * (ACS-3, 3.4.9), padded with spaces. */
static void ata_string(char *dst, const uint8_t *src, unsigned words)
{
	unsigned n = 0;
	for (unsigned i = 0; i < words; i++) {
		dst[n++] = (char)src[2 * i + 1];
		dst[n++] = (char)src[2 * i];
	}
	while (n && (dst[n - 1] == ' ' || dst[n - 1] == 0))
		n--;
	dst[n] = 0;
	for (unsigned i = 0; i < n; i++)
		if (dst[i] < 0x20 || dst[i] > 0x7e)
			dst[i] = '?';
}

static uint16_t word(const uint8_t *id, unsigned w) { return id[2 * w] | id[2 * w + 1] << 8; }

static void identify(struct ahci_port *p)
{
	struct ahci_hba *h = p->hba;
	if (ahci_command(p, ATA_IDENTIFY, 0, 0, virt_to_phys(p->ident), 512, false))
		return;
	const uint8_t *id = p->ident;
	struct blockdev *b = &p->bd;
	snprintf(b->name, sizeof(b->name), "ahci%up%u", h->index, p->n);
	ata_string(b->serial, id + 2 * 10, 10);
	ata_string(b->model, id + 2 * 27, 20);
	/* Words 100-103 with the 48-bit feature set (word 83 bit 10), else
	 * words 60-61 (ACS-3, 7.12.7). */
	if (word(id, 83) & (1u << 10))
		b->sectors = word(id, 100) | (uint64_t)word(id, 101) << 16 |
			     (uint64_t)word(id, 102) << 32 | (uint64_t)word(id, 103) << 48;
	else
		b->sectors = word(id, 60) | (uint64_t)word(id, 61) << 16;
	b->sector_size = 512;
	/* Word 106: valid (14 set, 15 clear) and "logical sector longer than
	 * 256 words" (12): the size in words 117-118. */
	uint16_t w106 = word(id, 106);
	if ((w106 & 0xc000) == 0x4000 && (w106 & (1u << 12)))
		b->sector_size = 2u * (word(id, 117) | (uint32_t)word(id, 118) << 16);
	if (!(word(id, 83) & (1u << 10)) || b->sector_size < 512 || b->sector_size > 4096 ||
	    (b->sector_size & (b->sector_size - 1)) || !b->sectors) {
		log_error("ahci%u port %u: \"%s\": no 48-bit addressing or sectors of %u bytes: "
			  "left alone", h->index, p->n, b->model, b->sector_size);
		return;
	}
	b->ops = &ahci_ops;
	b->priv = p;
	log_info("disk %s: \"%s\" serial \"%s\": %lu sectors of %u bytes (%lu MiB)", b->name,
		 b->model, b->serial, b->sectors, b->sector_size,
		 (b->sectors * b->sector_size) >> 20);
	if (blockdev_register(b))
		log_warn("disk %s: too many disks: not listed", b->name);
}

static void port_init(struct ahci_hba *h, unsigned n)
{
	struct ahci_port *p = &h->ports[n];
	unsigned base = PORT(n);
	p->hba = h;
	p->n = n;
	/* Idle first (10.1.2): ST off and CR clear, FRE off and FR clear. */
	ahci_write(h, base + PX_CMD, ahci_read(h, base + PX_CMD) & ~CMD_ST);
	if (!wait_reg(h, base + PX_CMD, CMD_CR, 0, 500)) {
		log_error("ahci%u port %u: does not stop: left alone", h->index, n);
		return;
	}
	ahci_write(h, base + PX_CMD, ahci_read(h, base + PX_CMD) & ~CMD_FRE);
	if (!wait_reg(h, base + PX_CMD, CMD_FR, 0, 500)) {
		log_error("ahci%u port %u: FIS receive does not stop: left alone", h->index, n);
		return;
	}
	uint64_t mem = pmm_alloc_page(), table = pmm_alloc_page(), ident = pmm_alloc_page();
	if (!mem || !table || !ident) {
		log_error("ahci%u port %u: out of memory", h->index, n);
		return;
	}
	if (!h->dma64 && (mem | table | ident) >> 32) {
		log_error("ahci%u port %u: 32-bit DMA and no memory below 4 GiB: left alone",
			  h->index, n);
		return;
	}
	p->list = phys_to_virt(mem);
	p->fis = phys_to_virt(mem + 1024);
	p->table = phys_to_virt(table);
	p->ident = phys_to_virt(ident);
	ahci_write(h, base + PX_CLB, (uint32_t)mem);
	ahci_write(h, base + PX_CLBU, (uint32_t)(mem >> 32));
	ahci_write(h, base + PX_FB, (uint32_t)(mem + 1024));
	ahci_write(h, base + PX_FBU, (uint32_t)((mem + 1024) >> 32));
	ahci_write(h, base + PX_SERR, ~0u);
	ahci_write(h, base + PX_IS, ~0u);
	ahci_write(h, base + PX_IE, 0);	/* polled */
	ahci_write(h, base + PX_CMD, ahci_read(h, base + PX_CMD) | CMD_SUD | CMD_POD | CMD_FRE);
	/* A device: the PHY up (PxSSTS.DET 3) and its first D2H FIS in
	 * (BSY and DRQ clear, PxSIG valid, 10.3.1). */
	if (!wait_reg(h, base + PX_SSTS, 0xf, 3, 200))
		return;	/* nothing attached */
	if (!wait_reg(h, base + PX_TFD, TFD_BSY | TFD_DRQ, 0, AHCI_TIMEOUT_MS)) {
		log_error("ahci%u port %u: the device stays busy: left alone", h->index, n);
		return;
	}
	uint32_t sig = ahci_read(h, base + PX_SIG);
	if (sig == SIG_ATAPI) {
		log_info("ahci%u port %u: an ATAPI device: left alone (never written)", h->index, n);
		return;
	}
	if (sig != SIG_ATA) {
		log_info("ahci%u port %u: signature 0x%08x, not an ATA disk: left alone", h->index,
			 n, sig);
		return;
	}
	ahci_write(h, base + PX_CMD, ahci_read(h, base + PX_CMD) | CMD_ST);
	identify(p);
}

void ahci_probe(const struct pci_func *f)
{
	if (nhbas == AHCI_MAX_HBAS) {
		log_warn("ahci: more than %u HBAs: %02x:%02x.%u left alone", AHCI_MAX_HBAS, f->bus,
			 f->dev, f->fn);
		return;
	}
	struct ahci_hba *h = &hbas[nhbas];
	h->index = nhbas++;
	h->ticks_per_ms = tsc_khz();
	struct pci_bar bar;
	if (pci_bar_read(f, AHCI_ABAR, &bar) || !bar.mem || bar.size < 0x180 || !bar.base) {
		log_error("ahci%u: %02x:%02x.%u: no usable ABAR (BAR 5): left alone", h->index,
			  f->bus, f->dev, f->fn);
		return;
	}
	uint64_t len = bar.size < 0x2000 ? bar.size : 0x2000;
	paging_map_mmio(bar.base, len);
	pci_take(f);
	h->regs = phys_to_virt(bar.base);
	/* AHCI mode, then an HBA reset: HR clears within 1 s (10.4.3). */
	ahci_write(h, HBA_GHC, ahci_read(h, HBA_GHC) | GHC_AE);
	ahci_write(h, HBA_GHC, ahci_read(h, HBA_GHC) | GHC_HR);
	if (!wait_reg(h, HBA_GHC, GHC_HR, 0, 1000)) {
		log_error("ahci%u: the HBA reset does not end within 1 s: left alone", h->index);
		return;
	}
	ahci_write(h, HBA_GHC, GHC_AE);	/* interrupts off: polled */
	uint32_t cap = ahci_read(h, HBA_CAP), pi = ahci_read(h, HBA_PI), vs = ahci_read(h, HBA_VS);
	char ver[16];	/* VS (3.1.5): major 31:16, minor 15:8, subminor 7:0 */
	snprintf(ver, sizeof(ver), (vs & 0xff) ? "%u.%u.%u" : "%u.%u", vs >> 16,
		 (vs >> 8) & 0xff, vs & 0xff);
	log_info("ahci%u: %02x:%02x.%u: AHCI %s, ports 0x%x, registers at 0x%lx", h->index,
		 f->bus, f->dev, f->fn, ver, pi, bar.base);
	h->dma64 = cap & CAP_S64A;
	for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
		uint64_t top = (uint64_t)PORT(n) + 0x80;
		if ((pi & (1u << n)) && top <= len)
			port_init(h, n);
	}
}
