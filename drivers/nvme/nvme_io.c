/* drivers/nvme/nvme_io.c - a namespace as a block device: Read and Write
 * (NVM Command Set, 6.9, 6.15) with their data pointer as PRPs (NVMe 1.4,
 * 4.3): PRP1 the buffer's first byte, PRP2 the second page or, beyond two
 * pages, a PRP list of the pages that follow, in one page of yakvm's own;
 * Flush (6.8). */
#include "drivers/nvme/nvme_ctrl.h"
#include "mm/pmm.h"
#include "lib/format.h"

/* The data pointer of `bytes` at host-physical pa. */
static void set_prps(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint64_t pa, uint32_t bytes)
{
	cmd->prp1 = pa;
	uint64_t first = PAGE_SIZE - (pa & (PAGE_SIZE - 1));
	if (bytes <= first) {
		cmd->prp2 = 0;
		return;
	}
	uint64_t next = pa + first, rest = bytes - first;
	if (rest <= PAGE_SIZE) {
		cmd->prp2 = next;
		return;
	}
	unsigned n = 0;
	for (uint64_t p = next; p < pa + bytes; p += PAGE_SIZE)
		c->prp_list[n++] = p;	/* at most NVME_MAX_XFER / 4 KiB + 1 < 512 */
	cmd->prp2 = virt_to_phys(c->prp_list);
}

static int ns_rw(struct blockdev *b, uint8_t opcode, uint64_t lba, uint32_t count,
		 uint64_t pa)
{
	struct nvme_ns *ns = b->priv;
	struct nvme_ctrl *c = ns->c;
	if (pa & 3)
		return -1;	/* PRP entries are dword aligned (4.3) */
	uint32_t per_cmd = c->max_xfer / b->sector_size;
	while (count) {
		uint32_t n = count < per_cmd ? count : per_cmd;
		struct nvme_sqe cmd = { .opcode = opcode, .nsid = ns->nsid,
					.cdw10 = (uint32_t)lba, .cdw11 = (uint32_t)(lba >> 32),
					.cdw12 = n - 1 };	/* NLB is 0-based */
		char what[64];
		snprintf(what, sizeof(what), "%s of %u sectors at LBA %lu",
			 opcode == NVM_READ ? "Read" : "Write", n, lba);
		uint64_t flags = spin_lock(&c->lock);
		set_prps(c, &cmd, pa, n * b->sector_size);
		int r = nvme_submit(c, &c->io, &cmd, what);
		spin_unlock(&c->lock, flags);
		if (r)
			return -1;
		lba += n;
		count -= n;
		pa += (uint64_t)n * b->sector_size;
	}
	return 0;
}

static int ns_read(struct blockdev *b, uint64_t lba, uint32_t count, void *buf)
{
	return ns_rw(b, NVM_READ, lba, count, virt_to_phys(buf));
}

static int ns_write(struct blockdev *b, uint64_t lba, uint32_t count, const void *buf)
{
	return ns_rw(b, NVM_WRITE, lba, count, virt_to_phys(buf));
}

/* Flush: what the volatile write cache holds reaches the media (6.8). */
static int ns_flush(struct blockdev *b)
{
	struct nvme_ns *ns = b->priv;
	struct nvme_sqe cmd = { .opcode = NVM_FLUSH, .nsid = ns->nsid };
	uint64_t flags = spin_lock(&ns->c->lock);
	int r = nvme_submit(ns->c, &ns->c->io, &cmd, "Flush");
	spin_unlock(&ns->c->lock, flags);
	return r ? -1 : 0;
}

const struct blockdev_ops nvme_ns_ops = { .read = ns_read, .write = ns_write,
					  .flush = ns_flush };
