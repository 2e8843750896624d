/* drivers/nvme/nvme_queue.c - one submission/completion queue pair and a
 * command through it, completion by polling the phase tag (NVMe 1.4, 4.1
 * "Submission Queue & Completion Queue Definition", 4.6). */
#include "drivers/nvme/nvme_ctrl.h"
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/string.h"

uint32_t nvme_read32(struct nvme_ctrl *c, unsigned off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

void nvme_write32(struct nvme_ctrl *c, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

bool nvme_queue_init(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid,
		     uint16_t entries)
{
	/* Doorbells: SQ y tail at 0x1000 + 2y * (4 << DSTRD), CQ y head
	 * right after it (3.1.24, 3.1.25). */
	uint64_t stride = 4ull << CAP_DSTRD(c->cap);
	uint64_t sq_db = NVME_DOORBELLS + 2ull * qid * stride;
	uint64_t cq_db = sq_db + stride;
	if (cq_db + 4 > c->regs_len)
		return false;
	uint64_t sq = q->sq ? (uint64_t)(uintptr_t)q->sq : pmm_alloc_page();
	uint64_t cq = q->cq ? (uint64_t)(uintptr_t)q->cq : pmm_alloc_page();
	if (!sq || !cq)
		return false;
	memset(phys_to_virt(sq), 0, PAGE_SIZE);
	memset(phys_to_virt(cq), 0, PAGE_SIZE);
	q->sq = phys_to_virt(sq);
	q->cq = phys_to_virt(cq);
	q->sq_doorbell = (volatile uint32_t *)(c->regs + sq_db);
	q->cq_doorbell = (volatile uint32_t *)(c->regs + cq_db);
	q->qid = qid;
	q->entries = entries;
	q->sq_tail = q->cq_head = 0;
	q->phase = 1;	/* a new entry's phase tag, until the first wrap */
	return true;
}

/* After a command that never completed: CC.EN 1 -> 0 resets the
 * controller, which aborts every outstanding command (NVMe 1.4, 3.1.5;
 * 7.3 "Resets"), so none of them writes its buffer later. When CSTS.RDY does not
 * clear within CAP.TO, the buffers stay unsafe (blockdev.unsafe_dma). */
static void stop(struct nvme_ctrl *c)
{
	nvme_write32(c, NVME_CC, nvme_read32(c, NVME_CC) & ~CC_EN);
	uint64_t deadline = rdtsc() + c->timeout_ticks;
	while (rdtsc() <= deadline) {
		uint32_t csts = nvme_read32(c, NVME_CSTS);
		if (csts != 0xffffffffu && !(csts & CSTS_RDY)) {
			log_error("nvme%u: controller reset (CC.EN 0): no DMA after it", c->index);
			return;
		}
		cpu_relax();
	}
	for (unsigned i = 0; i < c->ns_count; i++)
		c->ns[i].bd.unsafe_dma = true;
	log_error("nvme%u: does not reset: its buffers are never reused", c->index);
}

int nvme_submit(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_sqe *cmd,
		const char *what)
{
	if (c->dead)
		return -1;
	cmd->cid = q->next_cid;
	q->next_cid = (uint16_t)(q->next_cid == 0xfffe ? 0 : q->next_cid + 1);	/* FFFFh: not a CID */
	cmd->flags = 0;	/* not fused; PRPs (PSDT 00b) */
	volatile struct nvme_sqe *slot = &q->sq[q->sq_tail];
	memcpy((void *)slot, cmd, sizeof(*cmd));
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->entries);
	__asm__ volatile("sfence" ::: "memory");	/* the entry before the doorbell */
	*q->sq_doorbell = q->sq_tail;

	volatile struct nvme_cqe *e = &q->cq[q->cq_head];
	uint64_t deadline = rdtsc() + c->timeout_ticks;
	while ((e->status & 1) != q->phase) {
		if (rdtsc() > deadline) {
			c->dead = true;
			log_error("nvme%u: no completion for %s within CAP.TO (%u ms): "
				  "controller left alone", c->index, what, CAP_TO(c->cap) * 500);
			stop(c);
			return -1;
		}
		cpu_relax();
	}
	__asm__ volatile("" ::: "memory");	/* the entry after its phase tag */
	uint16_t status = e->status, cid = e->cid;
	q->cq_head = (uint16_t)((q->cq_head + 1) % q->entries);
	if (q->cq_head == 0)
		q->phase ^= 1;	/* the controller inverts it on each pass (4.6) */
	*q->cq_doorbell = q->cq_head;
	if (cid != cmd->cid) {
		c->dead = true;
		log_error("nvme%u: %s: completion for command %u, expected %u: controller "
			  "left alone", c->index, what, cid, cmd->cid);
		return -1;
	}
	uint16_t sf = status >> 1;
	if (sf) {
		log_error("nvme%u: %s failed: status code type %u, status code 0x%x", c->index,
			  what, STATUS_SCT(status), STATUS_SC(status));
		return sf;
	}
	return 0;
}
