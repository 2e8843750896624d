/*
 * drivers/nvme/nvme_regs.h - what the NVM Express Base Specification 1.4
 * dictates: the controller registers (3.1), queue entries (4.2, 4.6), PRPs
 * (4.3), the admin commands yakvm sends (5.3, 5.4, 5.15) and Flush, Read
 * and Write (NVM Command Set, 6.8, 6.9, 6.15).
 */
#ifndef YAKVM_DRIVERS_NVME_NVME_REGS_H
#define YAKVM_DRIVERS_NVME_NVME_REGS_H

#include <stdint.h>

/* Controller registers (3.1, figure "Register Definition"). */
#define NVME_CAP   0x00	/* 64-bit: capabilities (3.1.1) */
#define NVME_VS    0x08	/* version (3.1.2) */
#define NVME_INTMS 0x0c
#define NVME_CC    0x14	/* configuration (3.1.5) */
#define NVME_CSTS  0x1c	/* status (3.1.6) */
#define NVME_AQA   0x24	/* admin queue sizes (3.1.8) */
#define NVME_ASQ   0x28	/* admin submission queue base (3.1.9) */
#define NVME_ACQ   0x30	/* admin completion queue base (3.1.10) */
#define NVME_DOORBELLS 0x1000	/* SQ y tail, CQ y head (3.1.24, 3.1.25) */

#define CAP_MQES(c)   ((uint32_t)((c) & 0xffff))	/* 0-based */
#define CAP_TO(c)     ((uint32_t)(((c) >> 24) & 0xff))	/* 500 ms units */
#define CAP_DSTRD(c)  ((uint32_t)(((c) >> 32) & 0xf))
#define CAP_CSS_NVM(c) (((c) >> 37) & 1)
#define CAP_MPSMIN(c) ((uint32_t)(((c) >> 48) & 0xf))	/* 2^(12+n) bytes */

#define CC_EN       (1u << 0)
#define CC_CSS_NVM  (0u << 4)
#define CC_MPS_4K   (0u << 7)
#define CC_AMS_RR   (0u << 11)
#define CC_SHN_MASK (3u << 14)
#define CC_IOSQES   (6u << 16)	/* 2^6 = 64-byte SQ entries */
#define CC_IOCQES   (4u << 20)	/* 2^4 = 16-byte CQ entries */

#define CSTS_RDY (1u << 0)
#define CSTS_CFS (1u << 1)

/* Submission queue entry (4.2, figure "Common Command Format"). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;		/* FUSE 1:0, PSDT 7:6 (0: PRPs) */
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "4.2: 64 bytes");

/* Completion queue entry (4.6, figure "Completion Queue Entry Layout"). */
struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status;	/* bit 0: phase tag; 15:1 status field (4.6.1) */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "4.6: 16 bytes");

#define STATUS_SC(s)  (((s) >> 1) & 0xff)	/* status code */
#define STATUS_SCT(s) (((s) >> 9) & 0x7)	/* status code type */

/* Admin opcodes (5, figure "Opcodes for Admin Commands"). */
#define ADMIN_CREATE_SQ 0x01	/* 5.4 */
#define ADMIN_CREATE_CQ 0x05	/* 5.3 */
#define ADMIN_IDENTIFY  0x06	/* 5.15 */

/* Identify CNS values (5.15.1). */
#define CNS_NAMESPACE   0x00
#define CNS_CONTROLLER  0x01
#define CNS_ACTIVE_NS   0x02

/* NVM command set opcodes (6, figure "Opcodes for NVM Commands"). */
#define NVM_FLUSH 0x00	/* 6.8 */
#define NVM_WRITE 0x01	/* 6.15 */
#define NVM_READ  0x02	/* 6.9 */

/* Identify Controller data (5.15.2.2): offsets of what yakvm reads. */
#define IDC_SN   4	/* 20 bytes, ASCII */
#define IDC_MN   24	/* 40 bytes */
#define IDC_FR   64	/* 8 bytes */
#define IDC_MDTS 77	/* 2^n units of CAP.MPSMIN; 0: no limit */
#define IDC_NN   516	/* number of namespaces */

/* Identify Namespace data (NVM Command Set, 5.15.2.1). */
#define IDN_NSZE   0	/* size in logical blocks */
#define IDN_NLBAF  25
#define IDN_FLBAS  26	/* bits 3:0: the LBA format in use */
#define IDN_LBAF   128	/* 4 bytes each: LBADS in bits 23:16 */

#endif
