/* drivers/ahci/ahci_port.h - the driver's own state: an HBA and a port
 * with one command slot in use (slot 0), polled. */
#ifndef YAKVM_DRIVERS_AHCI_AHCI_PORT_H
#define YAKVM_DRIVERS_AHCI_AHCI_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/ahci/ahci_regs.h"
#include "drivers/block/blockdev.h"
#include "lib/spinlock.h"

#define AHCI_MAX_HBAS  2
#define AHCI_MAX_PORTS 32
#define AHCI_MAX_XFER  (64u << 10)	/* bytes per command: one PRD */
#define AHCI_TIMEOUT_MS 5000		/* a command's bound (no CAP.TO in AHCI) */

struct ahci_hba;

struct ahci_port {
	struct blockdev bd;
	struct ahci_hba *hba;
	unsigned n;
	bool dead;
	struct spinlock lock;			/* slot 0: one command at a time */
	volatile struct ahci_cmd_header *list;	/* 1 KiB, in its own page */
	volatile uint8_t *fis;			/* 256 bytes, same page at +1 KiB */
	volatile uint8_t *table;		/* slot 0's command table, a page */
	uint8_t *ident;				/* IDENTIFY data, a page */
};

struct ahci_hba {
	unsigned index;
	volatile uint8_t *regs;
	uint64_t ticks_per_ms;
	bool dma64;		/* CAP.S64A */
	struct ahci_port ports[AHCI_MAX_PORTS];
};

uint32_t ahci_read(struct ahci_hba *h, unsigned off);
void ahci_write(struct ahci_hba *h, unsigned off, uint32_t v);
/* One ATA command on slot 0 of port p, polled: 0, or -1 (logged once; a
 * port that does not answer is marked dead). buf: `bytes` at a word-aligned
 * host-physical address, or none. */
int ahci_command(struct ahci_port *p, uint8_t cmd, uint64_t lba, uint32_t count,
		 uint64_t buf, uint32_t bytes, bool write);

extern const struct blockdev_ops ahci_ops;

#endif
