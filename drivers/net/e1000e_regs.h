/*
 * drivers/net/e1000e_regs.h - the Intel 82574L registers and descriptors
 * yakvm uses (Intel 82574 GbE Controller Family Datasheet, rev. 3.4:
 * registers in 10.2, the legacy descriptors in 7.1 (receive) and 7.2
 * (transmit)). BAR 0, memory.
 */
#ifndef YAKVM_DRIVERS_NET_E1000E_REGS_H
#define YAKVM_DRIVERS_NET_E1000E_REGS_H

#include <stdint.h>

#define E1000_CTRL   0x0000	/* Device Control */
#define   CTRL_SLU   (1u << 6)	/* set link up */
#define   CTRL_RST   (1u << 26)	/* software reset (self-clearing) */
#define E1000_STATUS 0x0008
#define   STATUS_LU  (1u << 1)	/* link up */
#define E1000_EERD   0x0014	/* EEPROM read */
#define   EERD_START 1u
#define   EERD_DONE  (1u << 1)
#define   EERD_ADDR_SHIFT 2
#define   EERD_DATA_SHIFT 16
#define E1000_ICR    0x00c0	/* interrupt cause, read to clear */
#define E1000_IMC    0x00d8	/* interrupt mask clear */
#define E1000_RCTL   0x0100	/* Receive Control */
#define   RCTL_EN    (1u << 1)
#define   RCTL_UPE   (1u << 3)	/* unicast promiscuous */
#define   RCTL_MPE   (1u << 4)	/* multicast promiscuous */
#define   RCTL_BAM   (1u << 15)	/* accept broadcast */
#define   RCTL_SECRC (1u << 26)	/* strip the CRC */
				/* BSIZE 00b, BSEX 0: 2048-byte buffers */
#define E1000_TCTL   0x0400	/* Transmit Control */
#define   TCTL_EN    (1u << 1)
#define   TCTL_PSP   (1u << 3)	/* pad short packets */
#define   TCTL_CT    (0x0fu << 4)	/* collision threshold */
#define   TCTL_COLD  (0x3fu << 12)	/* collision distance, full duplex */
#define E1000_TIPG   0x0410
#define   TIPG_DEFAULT 0x00602008u	/* IPGT 8, IPGR1 8, IPGR2 6 */
#define E1000_RDBAL  0x2800
#define E1000_RDBAH  0x2804
#define E1000_RDLEN  0x2808
#define E1000_RDH    0x2810
#define E1000_RDT    0x2818
#define E1000_TDBAL  0x3800
#define E1000_TDBAH  0x3804
#define E1000_TDLEN  0x3808
#define E1000_TDH    0x3810
#define E1000_TDT    0x3818
#define E1000_MTA    0x5200	/* multicast table, 128 dwords */
#define E1000_RAL0   0x5400	/* receive address 0, low */
#define E1000_RAH0   0x5404
#define   RAH_AV     (1u << 31)	/* address valid */
#define E1000_REGS_LEN 0x20000	/* 128 KiB */

/* Legacy receive descriptor (7.1, RFCTL.EXSTEN 0). */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length, csum;
	uint8_t status, errors;
	uint16_t special;
};

/* Legacy transmit descriptor (7.2). */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};
#define TXD_CMD_EOP  0x01
#define TXD_CMD_IFCS 0x02	/* insert the FCS */
#define TXD_CMD_RS   0x08	/* report status: DD when done */
#define TXD_STA_DD   0x01

#endif
