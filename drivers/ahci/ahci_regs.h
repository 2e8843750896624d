/*
 * drivers/ahci/ahci_regs.h - what the Serial ATA AHCI 1.3.1 specification
 * dictates: the HBA's generic registers (3.1), a port's registers (3.3),
 * the command list, received-FIS area and command table (4.2), and the
 * ATA commands yakvm sends (ACS-3: IDENTIFY DEVICE, READ/WRITE DMA EXT,
 * FLUSH CACHE EXT).
 */
#ifndef YAKVM_DRIVERS_AHCI_AHCI_REGS_H
#define YAKVM_DRIVERS_AHCI_AHCI_REGS_H

#include <stdint.h>

#define AHCI_ABAR 5	/* BAR 5: the HBA's registers (2.1.11) */

/* Generic host control (3.1). */
#define HBA_CAP 0x00
#define HBA_GHC 0x04
#define HBA_PI  0x0c	/* ports implemented */
#define HBA_VS  0x10
#define CAP_NCS(c)  ((((c) >> 8) & 0x1f) + 1)	/* command slots */
#define CAP_S64A    (1u << 31)
#define GHC_HR      (1u << 0)
#define GHC_AE      (1u << 31)

/* Port registers (3.3), at 0x100 + port * 0x80. */
#define PORT(p)   (0x100u + 0x80u * (p))
#define PX_CLB    0x00
#define PX_CLBU   0x04
#define PX_FB     0x08
#define PX_FBU    0x0c
#define PX_IS     0x10
#define PX_IE     0x14
#define PX_CMD    0x18
#define PX_TFD    0x20
#define PX_SIG    0x24
#define PX_SSTS   0x28
#define PX_SERR   0x30
#define PX_CI     0x38
#define CMD_ST    (1u << 0)
#define CMD_SUD   (1u << 1)
#define CMD_POD   (1u << 2)
#define CMD_FRE   (1u << 4)
#define CMD_FR    (1u << 14)
#define CMD_CR    (1u << 15)
#define TFD_ERR   (1u << 0)
#define TFD_DRQ   (1u << 3)
#define TFD_BSY   (1u << 7)
#define IS_TFES   (1u << 30)	/* task file error */
#define SSTS_DET(s) ((s) & 0xf)	/* 3: device present, PHY up */
#define SIG_ATA   0x00000101u
#define SIG_ATAPI 0xeb140101u

/* Command header (4.2.2): 32 bytes, 32 in the 1 KiB command list. */
struct ahci_cmd_header {
	uint16_t flags;		/* CFL 4:0 (FIS dwords), A 5, W 6, P 7 */
	uint16_t prdtl;		/* PRDT entries */
	uint32_t prdbc;
	uint64_t ctba;		/* command table, 128-byte aligned */
	uint32_t rsvd[4];
};
_Static_assert(sizeof(struct ahci_cmd_header) == 32, "4.2.2: 32 bytes");
#define HDR_WRITE (1u << 6)

/* Physical region descriptor (4.2.3.3): 16 bytes. */
struct ahci_prd {
	uint64_t dba;		/* word aligned */
	uint32_t rsvd;
	uint32_t dbc;		/* byte count - 1 (bit 0 set: even count), I 31 */
};
_Static_assert(sizeof(struct ahci_prd) == 16, "4.2.3.3: 16 bytes");

/* Command table (4.2.3): the command FIS at 0, the PRDT at 0x80. */
#define CT_PRDT 0x80

/* Register FIS, host to device (Serial ATA 3.x, 10.5.5). */
#define FIS_H2D   0x27
#define FIS_CMD   0x80	/* C: a command, not a device control */

/* ATA commands (ACS-3). */
#define ATA_IDENTIFY      0xec
#define ATA_READ_DMA_EXT  0x25
#define ATA_WRITE_DMA_EXT 0x35
#define ATA_FLUSH_EXT     0xea

#endif
