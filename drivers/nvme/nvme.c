/*
 * drivers/nvme/nvme.c - bring up an NVMe controller (NVM Express Base
 * Specification 1.4, 7.6.1 "Initialization"): reset, the admin queues,
 * enable, Identify Controller, one I/O queue pair, Identify of each active
 * namespace; each namespace becomes a block device. A controller that does
 * not answer within its own CAP.TO gets one line and is left alone.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/nvme_ctrl.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

static struct nvme_ctrl ctrls[NVME_MAX_CTRLS];
static unsigned nctrls;

/* Waits until CSTS.RDY is `ready`, at most CAP.TO (3.1.1: "the worst case
 * time that host software shall wait for CSTS.RDY to transition"). */
static bool wait_ready(struct nvme_ctrl *c, bool ready, const char *what)
{
	uint64_t deadline = rdtsc() + c->timeout_ticks;
	for (;;) {
		uint32_t csts = nvme_read32(c, NVME_CSTS);
		if (csts == 0xffffffffu) {
			log_error("nvme%u: registers read all ones while %s: left alone",
				  c->index, what);
			return false;
		}
		if (csts & CSTS_CFS) {
			log_error("nvme%u: controller fatal status while %s: left alone",
				  c->index, what);
			return false;
		}
		if (!!(csts & CSTS_RDY) == ready)
			return true;
		if (rdtsc() > deadline) {
			log_error("nvme%u: CSTS.RDY not %u within CAP.TO (%u ms) while %s: "
				  "left alone", c->index, ready, CAP_TO(c->cap) * 500, what);
			return false;
		}
		cpu_relax();
	}
}

static void write64(struct nvme_ctrl *c, unsigned off, uint64_t v)
{
	nvme_write32(c, off, (uint32_t)v);
	nvme_write32(c, off + 4, (uint32_t)(v >> 32));
}

/* 7.6.1 steps 1-5: reset, admin queues, enable. */
static bool enable(struct nvme_ctrl *c)
{
	uint32_t cc = nvme_read32(c, NVME_CC);
	if (cc & CC_EN) {
		/* Enabled by the firmware: let it finish becoming ready, then
		 * reset it (3.1.5: CC.EN 1 -> 0 resets the controller). */
		if (!wait_ready(c, true, "the firmware's enable completes"))
			return false;
		nvme_write32(c, NVME_CC, cc & ~CC_EN);
	}
	if (!wait_ready(c, false, "resetting"))
		return false;
	uint16_t n = c->admin.entries;
	if (!nvme_queue_init(c, &c->admin, 0, n))
		return false;
	nvme_write32(c, NVME_AQA, (uint32_t)(n - 1) << 16 | (uint32_t)(n - 1));
	write64(c, NVME_ASQ, virt_to_phys((const void *)c->admin.sq));
	write64(c, NVME_ACQ, virt_to_phys((const void *)c->admin.cq));
	nvme_write32(c, NVME_CC, CC_CSS_NVM | CC_MPS_4K | CC_AMS_RR | CC_IOSQES | CC_IOCQES);
	nvme_write32(c, NVME_CC, CC_CSS_NVM | CC_MPS_4K | CC_AMS_RR | CC_IOSQES | CC_IOCQES |
		     CC_EN);
	return wait_ready(c, true, "enabling");
}

static int identify(struct nvme_ctrl *c, uint8_t cns, uint32_t nsid, const char *what)
{
	struct nvme_sqe cmd = { .opcode = ADMIN_IDENTIFY, .nsid = nsid,
				.prp1 = virt_to_phys(c->ident), .cdw10 = cns };
	memset(c->ident, 0, PAGE_SIZE);
	return nvme_submit(c, &c->admin, &cmd, what);
}

/* An ASCII field padded with spaces (5.15.2.2) into a C string. */
static void ascii_field(char *dst, const uint8_t *src, unsigned n)
{
	unsigned len = n;
	while (len && (src[len - 1] == ' ' || src[len - 1] == 0))
		len--;
	for (unsigned i = 0; i < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[len] = 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 7.6.1 step 8: one I/O completion queue, then its submission queue
 * (5.3, 5.4), physically contiguous (PC=1), without interrupts. */
static bool io_queues(struct nvme_ctrl *c)
{
	uint16_t n = c->io.entries;
	if (!nvme_queue_init(c, &c->io, 1, n))
		return false;
	struct nvme_sqe cq = { .opcode = ADMIN_CREATE_CQ,
			       .prp1 = virt_to_phys((const void *)c->io.cq),
			       .cdw10 = (uint32_t)(n - 1) << 16 | 1, .cdw11 = 1 };
	if (nvme_submit(c, &c->admin, &cq, "Create I/O Completion Queue"))
		return false;
	struct nvme_sqe sq = { .opcode = ADMIN_CREATE_SQ,
			       .prp1 = virt_to_phys((const void *)c->io.sq),
			       .cdw10 = (uint32_t)(n - 1) << 16 | 1, .cdw11 = 1u << 16 | 1 };
	return nvme_submit(c, &c->admin, &sq, "Create I/O Submission Queue") == 0;
}

static void add_namespace(struct nvme_ctrl *c, uint32_t nsid)
{
	char what[48];
	snprintf(what, sizeof(what), "Identify Namespace %u", nsid);
	if (identify(c, CNS_NAMESPACE, nsid, what))
		return;
	const uint8_t *d = c->ident;
	uint64_t nsze = le32(d + IDN_NSZE) | (uint64_t)le32(d + IDN_NSZE + 4) << 32;
	unsigned fmt = d[IDN_FLBAS] & 0xf;
	if (fmt > d[IDN_NLBAF]) {
		log_error("nvme%un%u: FLBAS names format %u of %u: skipped", c->index, nsid,
			  fmt, d[IDN_NLBAF] + 1u);
		return;
	}
	unsigned lbads = d[IDN_LBAF + 4 * fmt + 2];
	if (nsze == 0 || lbads < 9 || lbads > 12) {
		log_error("nvme%un%u: %lu blocks of 2^%u bytes: not supported", c->index, nsid,
			  nsze, lbads);
		return;
	}
	if (c->ns_count == NVME_MAX_NS) {
		log_warn("nvme%un%u: more than %u namespaces: skipped", c->index, nsid,
			 NVME_MAX_NS);
		return;
	}
	struct nvme_ns *ns = &c->ns[c->ns_count++];
	ns->c = c;
	ns->nsid = nsid;
	struct blockdev *b = &ns->bd;
	snprintf(b->name, sizeof(b->name), "nvme%un%u", c->index, nsid);
	strlcpy(b->model, c->model, sizeof(b->model));
	strlcpy(b->serial, c->serial, sizeof(b->serial));
	b->sector_size = 1u << lbads;
	b->sectors = nsze;
	b->ops = &nvme_ns_ops;
	b->priv = ns;
	log_info("disk %s: \"%s\" serial \"%s\": %lu sectors of %u bytes (%lu MiB)", b->name,
		 b->model, b->serial, b->sectors, b->sector_size,
		 (b->sectors * b->sector_size) >> 20);
	if (blockdev_register(b))
		log_warn("disk %s: too many disks: not listed", b->name);
}

/* The active namespaces (CNS 02h, 5.15.2.3), or 1..NN if the controller
 * does not answer that (NVMe 1.0 has no CNS 02h). */
static void namespaces(struct nvme_ctrl *c, uint32_t nn)
{
	static uint32_t list[1024];
	unsigned n = 0;
	if (identify(c, CNS_ACTIVE_NS, 0, "Identify Active Namespace List") == 0) {
		for (unsigned i = 0; i < 1024; i++) {
			uint32_t id = le32(c->ident + 4 * i);
			if (!id)
				break;
			list[n++] = id;
		}
	} else if (!c->dead) {
		for (uint32_t id = 1; id <= nn && n < 1024; id++)
			list[n++] = id;
	}
	for (unsigned i = 0; i < n && !c->dead; i++)
		add_namespace(c, list[i]);
}

static void bring_up(struct nvme_ctrl *c, uint64_t bar_base, uint64_t bar_size)
{
	c->regs = phys_to_virt(bar_base);
	c->regs_len = bar_size;
	c->cap = (uint64_t)nvme_read32(c, NVME_CAP) | (uint64_t)nvme_read32(c, NVME_CAP + 4) << 32;
	uint32_t to = CAP_TO(c->cap) ? CAP_TO(c->cap) : 1;
	c->timeout_ticks = (uint64_t)to * 500 * tsc_khz();
	if (c->cap == ~0ull) {
		log_error("nvme%u: registers read all ones: left alone", c->index);
		return;
	}
	if (!CAP_CSS_NVM(c->cap) || CAP_MPSMIN(c->cap) != 0) {
		log_error("nvme%u: no NVM command set or no 4 KiB pages (CAP 0x%lx): left alone",
			  c->index, c->cap);
		return;
	}
	uint16_t entries = CAP_MQES(c->cap) + 1u < NVME_QUEUE_ENTRIES ?
			   (uint16_t)(CAP_MQES(c->cap) + 1) : NVME_QUEUE_ENTRIES;
	if (entries < 2) {
		log_error("nvme%u: CAP.MQES %u: left alone", c->index, CAP_MQES(c->cap));
		return;
	}
	c->admin.entries = c->io.entries = entries;
	uint64_t ident = pmm_alloc_page(), prp = pmm_alloc_page();
	if (!ident || !prp) {
		log_error("nvme%u: out of memory: left alone", c->index);
		return;
	}
	c->ident = phys_to_virt(ident);
	c->prp_list = phys_to_virt(prp);
	if (!enable(c))
		return;
	if (identify(c, CNS_CONTROLLER, 0, "Identify Controller"))
		return;
	ascii_field(c->serial, c->ident + IDC_SN, 20);
	ascii_field(c->model, c->ident + IDC_MN, 40);
	ascii_field(c->firmware, c->ident + IDC_FR, 8);
	uint8_t mdts = c->ident[IDC_MDTS];
	uint32_t nn = le32(c->ident + IDC_NN);
	c->max_xfer = NVME_MAX_XFER;
	if (mdts && mdts < 20 && (4096u << mdts) < c->max_xfer)
		c->max_xfer = 4096u << mdts;
	uint32_t vs = nvme_read32(c, NVME_VS);
	log_info("nvme%u: %02x:%02x.%u \"%s\" serial \"%s\" firmware \"%s\", NVMe %u.%u, "
		 "namespace IDs up to %u, %u KiB per command", c->index, c->pci.bus, c->pci.dev,
		 c->pci.fn, c->model, c->serial, c->firmware, vs >> 16, (vs >> 8) & 0xff, nn,
		 c->max_xfer >> 10);
	if (!io_queues(c))
		return;
	namespaces(c, nn);
}

void nvme_probe(const struct pci_func *f)
{
	if (nctrls == NVME_MAX_CTRLS) {
		log_warn("nvme: more than %u controllers: %02x:%02x.%u left alone",
			 NVME_MAX_CTRLS, f->bus, f->dev, f->fn);
		return;
	}
	struct nvme_ctrl *c = &ctrls[nctrls];
	c->index = nctrls++;
	c->pci = *f;
	struct pci_bar bar;
	/* BAR 0 (and 1): the registers, a 64-bit memory BAR (NVMe 1.4, 2.1.10). */
	if (pci_bar_read(f, 0, &bar) || !bar.mem || bar.size < 0x2000) {
		log_error("nvme%u: %02x:%02x.%u: no usable register BAR: left alone", c->index,
			  f->bus, f->dev, f->fn);
		return;
	}
	if (bar.base == 0) {
		log_error("nvme%u: %02x:%02x.%u: BAR 0 not assigned by the firmware: left alone",
			  c->index, f->bus, f->dev, f->fn);
		return;
	}
	uint64_t len = bar.size < 0x10000 ? bar.size : 0x10000;
	log_info("nvme%u: %02x:%02x.%u: registers at 0x%lx (%lu KiB, %s BAR 0)", c->index,
		 f->bus, f->dev, f->fn, bar.base, bar.size >> 10, bar.is64 ? "64-bit" : "32-bit");
	paging_map_mmio(bar.base, len);
	pci_take(f);
	bring_up(c, bar.base, len);
}
