/* drivers/ahci/ahci_cmd.c - one ATA command through a port's slot 0 (AHCI
 * 1.3.1, 5.5 "Software Rules for Issuing Commands"), and a port as a block
 * device: READ DMA EXT, WRITE DMA EXT, FLUSH CACHE EXT (ACS-3). */
#include "drivers/ahci/ahci_port.h"
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/string.h"

uint32_t ahci_read(struct ahci_hba *h, unsigned off)
{
	return *(volatile uint32_t *)(h->regs + off);
}

void ahci_write(struct ahci_hba *h, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(h->regs + off) = v;
}

/* After a command that failed or never completed: PxCMD.ST cleared, the
 * HBA clears PxCI and stops the port's DMA; PxCMD.CR clears when it has
 * (AHCI 1.3.1, 3.3.7, 10.1.2: within 500 ms). If it does not, the buffers
 * stay unsafe (blockdev.unsafe_dma). */
static void stop(struct ahci_port *p)
{
	struct ahci_hba *h = p->hba;
	unsigned base = PORT(p->n);
	ahci_write(h, base + PX_CMD, ahci_read(h, base + PX_CMD) & ~CMD_ST);
	uint64_t deadline = rdtsc() + 500 * h->ticks_per_ms;
	while (ahci_read(h, base + PX_CMD) & CMD_CR) {
		if (rdtsc() > deadline) {
			p->bd.unsafe_dma = true;
			log_error("ahci%u port %u: does not stop: its buffers are never reused",
				  h->index, p->n);
			return;
		}
		cpu_relax();
	}
}

static int command(struct ahci_port *p, uint8_t cmd, uint64_t lba, uint32_t count,
		   uint64_t buf, uint32_t bytes, bool write)
{
	struct ahci_hba *h = p->hba;
	unsigned base = PORT(p->n);
	if (p->dead)
		return -1;
	if (bytes && ((buf & 1) || bytes > (4u << 20)))
		return -1;	/* a PRD: word aligned, at most 4 MiB (4.2.3.3) */
	if (!h->dma64 && bytes && buf + bytes > (1ull << 32))
		return -1;	/* the HBA addresses 32 bits only (CAP.S64A) */
	/* The register FIS, host to device (Serial ATA 3.x, 10.5.5). */
	volatile uint8_t *f = p->table;
	memset((void *)f, 0, CT_PRDT + sizeof(struct ahci_prd));
	f[0] = FIS_H2D;
	f[1] = FIS_CMD;
	f[2] = cmd;
	f[4] = (uint8_t)lba;
	f[5] = (uint8_t)(lba >> 8);
	f[6] = (uint8_t)(lba >> 16);
	f[7] = 0x40;	/* device: LBA mode */
	f[8] = (uint8_t)(lba >> 24);
	f[9] = (uint8_t)(lba >> 32);
	f[10] = (uint8_t)(lba >> 40);
	f[12] = (uint8_t)count;
	f[13] = (uint8_t)(count >> 8);
	volatile struct ahci_prd *prd = (volatile struct ahci_prd *)(f + CT_PRDT);
	if (bytes) {
		prd->dba = buf;
		prd->dbc = bytes - 1;
	}
	volatile struct ahci_cmd_header *hd = &p->list[0];
	hd->flags = (uint16_t)(5 | (write ? HDR_WRITE : 0));	/* 5 dwords of FIS */
	hd->prdtl = bytes ? 1 : 0;
	hd->prdbc = 0;
	hd->ctba = virt_to_phys((const void *)p->table);
	ahci_write(h, base + PX_IS, ~0u);
	__asm__ volatile("sfence" ::: "memory");
	ahci_write(h, base + PX_CI, 1);
	uint64_t deadline = rdtsc() + AHCI_TIMEOUT_MS * h->ticks_per_ms;
	for (;;) {
		uint32_t is = ahci_read(h, base + PX_IS), tfd = ahci_read(h, base + PX_TFD);
		if ((is & IS_TFES) || (tfd & TFD_ERR)) {
			/* No error recovery yet (6.2.2): the port is left alone. */
			p->dead = true;
			log_error("ahci%u port %u: command 0x%02x failed: status 0x%02x, error 0x%02x: "
				  "port left alone", h->index, p->n, cmd, tfd & 0xff, (tfd >> 8) & 0xff);
			stop(p);
			return -1;
		}
		if (!(ahci_read(h, base + PX_CI) & 1))
			break;
		if (rdtsc() > deadline) {
			p->dead = true;
			log_error("ahci%u port %u: command 0x%02x not done within %u ms: port left "
				  "alone", h->index, p->n, cmd, AHCI_TIMEOUT_MS);
			stop(p);
			return -1;
		}
		cpu_relax();
	}
	__asm__ volatile("" ::: "memory");
	if (bytes && hd->prdbc != bytes) {
		log_error("ahci%u port %u: command 0x%02x moved %u of %u bytes", h->index, p->n,
			  cmd, hd->prdbc, bytes);
		return -1;
	}
	return 0;
}

int ahci_command(struct ahci_port *p, uint8_t cmd, uint64_t lba, uint32_t count,
		 uint64_t buf, uint32_t bytes, bool write)
{
	uint64_t flags = spin_lock(&p->lock);
	int r = command(p, cmd, lba, count, buf, bytes, write);
	spin_unlock(&p->lock, flags);
	return r;
}

static int rw(struct blockdev *b, uint8_t cmd, uint64_t lba, uint32_t count, uint64_t pa,
	      bool write)
{
	struct ahci_port *p = b->priv;
	uint32_t per_cmd = AHCI_MAX_XFER / b->sector_size;
	while (count) {
		uint32_t n = count < per_cmd ? count : per_cmd;
		if (ahci_command(p, cmd, lba, n, pa, n * b->sector_size, write))
			return -1;
		lba += n;
		count -= n;
		pa += (uint64_t)n * b->sector_size;
	}
	return 0;
}

static int ahci_rd(struct blockdev *b, uint64_t lba, uint32_t count, void *buf)
{
	return rw(b, ATA_READ_DMA_EXT, lba, count, virt_to_phys(buf), false);
}

static int ahci_wr(struct blockdev *b, uint64_t lba, uint32_t count, const void *buf)
{
	return rw(b, ATA_WRITE_DMA_EXT, lba, count, virt_to_phys(buf), true);
}

static int ahci_flush(struct blockdev *b)
{
	return ahci_command(b->priv, ATA_FLUSH_EXT, 0, 0, 0, 0, false);
}

const struct blockdev_ops ahci_ops = { .read = ahci_rd, .write = ahci_wr, .flush = ahci_flush };
