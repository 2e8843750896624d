/* drivers/nvme/nvme_io.c - a namespace as a block device: Read (NVM Command
 * Set, 6.9) with its data pointer as PRPs (NVMe 1.4, 4.3): PRP1 the
 * buffer's first byte, PRP2 the second page or, beyond two pages, a PRP
 * list of the pages that follow, in one page of yakvm's own. */
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

static int ns_read(struct blockdev *b, uint64_t lba, uint32_t count, void *buf)
{
	struct nvme_ns *ns = b->priv;
	struct nvme_ctrl *c = ns->c;
	uint64_t pa = virt_to_phys(buf);
	if (pa & 3)
		return -1;	/* PRP entries are dword aligned (4.3) */
	uint32_t per_cmd = c->max_xfer / b->sector_size;
	while (count) {
		uint32_t n = count < per_cmd ? count : per_cmd;
		struct nvme_sqe cmd = { .opcode = NVM_READ, .nsid = ns->nsid,
					.cdw10 = (uint32_t)lba, .cdw11 = (uint32_t)(lba >> 32),
					.cdw12 = n - 1 };	/* NLB is 0-based */
		set_prps(c, &cmd, pa, n * b->sector_size);
		char what[64];
		snprintf(what, sizeof(what), "Read of %u sectors at LBA %lu", n, lba);
		if (nvme_submit(c, &c->io, &cmd, what))
			return -1;
		lba += n;
		count -= n;
		pa += (uint64_t)n * b->sector_size;
	}
	return 0;
}

/* Read only in this step: no write, no flush (docs/storage.md). */
const struct blockdev_ops nvme_ns_ops = { .read = ns_read };
