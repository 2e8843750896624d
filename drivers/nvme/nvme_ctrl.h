/* drivers/nvme/nvme_ctrl.h - the driver's own state: a controller, its
 * queues (one admin pair, one I/O pair) and its namespaces. */
#ifndef YAKVM_DRIVERS_NVME_NVME_CTRL_H
#define YAKVM_DRIVERS_NVME_NVME_CTRL_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/nvme/nvme_regs.h"
#include "drivers/pci/pci.h"
#include "drivers/block/blockdev.h"
#include "lib/spinlock.h"

#define NVME_MAX_CTRLS 4
#define NVME_MAX_NS    4	/* namespaces registered per controller */
#define NVME_QUEUE_ENTRIES 64	/* one page of SQ entries */
#define NVME_MAX_XFER  (256u << 10)	/* bytes per command (PRP list: one page) */

struct nvme_queue {
	volatile struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	volatile uint32_t *sq_doorbell, *cq_doorbell;
	uint16_t qid, entries, sq_tail, cq_head, next_cid;
	uint8_t phase;		/* the phase tag a new entry carries (4.6) */
};

struct nvme_ns {
	struct blockdev bd;
	struct nvme_ctrl *c;
	uint32_t nsid;
};

struct nvme_ctrl {
	struct pci_func pci;
	unsigned index;
	volatile uint8_t *regs;
	uint64_t regs_len;
	uint64_t cap;
	uint64_t timeout_ticks;	/* CAP.TO, in TSC ticks */
	bool dead;		/* stopped answering: never touched again */
	struct spinlock lock;	/* one I/O command at a time (io, prp_list) */
	struct nvme_queue admin, io;
	uint32_t max_xfer;	/* bytes per command: MDTS and NVME_MAX_XFER */
	uint64_t *prp_list;	/* one page */
	uint8_t *ident;		/* one page: Identify data */
	char model[41], serial[21], firmware[9];
	unsigned ns_count;
	struct nvme_ns ns[NVME_MAX_NS];
};

uint32_t nvme_read32(struct nvme_ctrl *c, unsigned off);
void nvme_write32(struct nvme_ctrl *c, unsigned off, uint32_t v);
/* A queue in fresh pages; false when out of memory or doorbells unmapped. */
bool nvme_queue_init(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid,
		     uint16_t entries);
/* Submits one command and polls for its completion (bounded by the
 * controller's timeout). 0 on success; otherwise the status field (or -1
 * when nothing came: the controller is marked dead), logged once. */
int nvme_submit(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_sqe *cmd,
		const char *what);

/* The namespace's struct blockdev operations (nvme_io.c). */
extern const struct blockdev_ops nvme_ns_ops;

#endif
