/*
 * tests/fuzz/fuzz_virtio_pci.c - the virtio PCI transport
 * (devices/virtio/virtio_pci.c, virtio_common.c) under any sequence of
 * accesses to its BAR 0 (common configuration, ISR, the type's space,
 * notifications, MSI-X table and PBA; sizes 1-8, any alignment;
 * tests/fuzz/device_fuzz.h), with a fake device type of 2 queues that
 * serves at most 3 chains per call, over a 64 KiB guest RAM the input
 * writes too. The
 * extra action: where % 4 == 0 writes the command register, 1 the MSI-X
 * capability's first dword, 2 and 3 four bytes of RAM at where & ~3.
 * Invariants: FEATURES_OK only with offered features and VERSION_1;
 * DRIVER_OK only with FEATURES_OK; an enabled queue has a valid size and
 * its areas inside RAM; vectors are the function's or NO_VECTOR; the type
 * is called only for an enabled, unbroken queue of a live device; INTA#
 * is asserted exactly while the ISR is set, MSI-X is off and command bit
 * 10 clear; each message comes from a deliverable vector; a queue left
 * to serve again is one of the type's, with the transport's timer armed.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/virtio/virtio_pci.c"
#include "tests/fakes/flat_ram.h"

static int intx_level;

bool pci_register(struct vm *vm, struct pci_function *f)
{
	f->wmask[PCI_COMMAND] |= 0x7;
	f->wmask[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
	return true;
}

void pci_intx_set(struct pci_function *f, bool asserted) { intx_level = asserted; }
void log_msg(enum log_level level, const char *fmt, ...) {}

void msi_send(struct vm *vm, uint64_t addr, uint32_t data)
{
	const struct virtio_pci *p = (const void *)fuzz_state;
	const struct msix *m = &p->msix;
	CHECK(m->enabled && !m->maskall);
	bool from = false;
	for (unsigned v = 0; v < m->nvec; v++)
		from |= !(m->table[v].ctrl & 1) && m->table[v].data == data &&
			((uint64_t)m->table[v].addr_hi << 32 | m->table[v].addr_lo) == addr;
	CHECK(from);
}

/* ---- guest RAM [0, 64 KiB): tests/fakes/flat_ram.h ----------------------- */

static uint8_t ram[0x10000];
static struct flat_ram guest = { ram, sizeof(ram) };
struct virtq_mem virtq_mem_guest_ram(const struct guest_ram *r) { return flat_ram_mem(&guest); }

/* ---- the fake type ----------------------------------------------------------- */

static uint32_t cfg[2];

static uint32_t t_cfg_read(struct virtio_dev *vd, uint32_t off, unsigned size)
{
	CHECK(off + size <= sizeof(cfg) && off % size == 0);
	uint32_t v;
	memcpy(&v, (uint8_t *)cfg + (off & ~3u), 4);
	return v >> (8 * (off % 4));
}

static void t_cfg_write(struct virtio_dev *vd, uint32_t off, unsigned size, uint32_t val)
{
	CHECK(off + size <= sizeof(cfg) && off % size == 0);
	memcpy((uint8_t *)cfg + off, &val, size);
	if (val == 0x5a5a)
		virtio_config_changed(vd);
}

/* Chains served per call: fewer than most queues hold, so that the
 * transport's rounds of serving again run. */
#define T_BOUND 3

static void t_notify(struct virtio_dev *vd, unsigned q)
{
	CHECK(q < 2 && vd->vq[q].enabled && !vd->vq[q].broken);
	CHECK((vd->status & VIRTIO_STATUS_DRIVER_OK) &&
	      !(vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	struct virtq_seg segs[8];
	struct virtq_chain c = { .segs = segs, .cap = 8 };
	for (unsigned i = 0; i < T_BOUND; i++) {
		if (virtq_pop(&vd->vq[q], &c, 0x10000) != VIRTQ_POPPED)
			break;
		uint8_t b[16] = { 0xab };
		virtq_push(&vd->vq[q], &c, (uint32_t)virtq_chain_write(&vd->vq[q], &c, 0, b, 16));
	}
	virtio_used(vd, q);
}

static const struct virtio_type fake_type = {
	.name = "virtio-fake", .device_id = 9, .pci_class = { 0xff, 0, 0 },
	.features = 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_INDIRECT_DESC | 1,
	.nqueues = 2, .queue_max = 64, .config_size = sizeof(cfg),
	.config_read = t_cfg_read, .config_write = t_cfg_write, .notify = t_notify,
};
static const struct virtio_instance inst = { &fake_type, 2, NULL };
static const struct device_decl decl = {
	"virtio-fake", &virtio_pci_model, .mmio_base = VIRTIO_PCI_BAR_BASE(2),
	.mmio_len = VIRTIO_PCI_BAR_SIZE, .arg = &inst,
};

static void extra(struct device *d, uint16_t where, uint32_t val)
{
	struct virtio_pci *p = d->state;
	struct pci_function *f = &p->pci;
	if (where % 4 >= 2) {
		memcpy(ram + (where & ~3u), &val, 4);
		return;
	}
	unsigned reg = where % 4 ? p->msix.cap : PCI_COMMAND;
	for (unsigned i = 0; i < 4; i++)
		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~f->wmask[reg + i]) |
					    ((uint8_t)(val >> (8 * i)) & f->wmask[reg + i]));
	f->config_written(f, reg);
}

static void check(struct device *d)
{
	const struct virtio_pci *p = d->state;
	const struct virtio_dev *vd = &p->vd;
	uint64_t offered = fake_type.features | 1ull << VIRTIO_F_VERSION_1;
	if (vd->status & VIRTIO_STATUS_FEATURES_OK)
		CHECK(!(vd->driver_features & ~offered) && virtio_has(vd, VIRTIO_F_VERSION_1));
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		CHECK(vd->status & VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		const struct virtq *vq = &vd->vq[q];
		CHECK(q < 2 || !vq->enabled);
		if (vq->enabled) {
			CHECK(vq->size && !(vq->size & (vq->size - 1)) && vq->size <= 64);
			CHECK(flat_ram_has(&guest, vq->desc, 16ull * vq->size) &&
			      flat_ram_has(&guest, vq->avail, 6 + 2ull * vq->size) &&
			      flat_ram_has(&guest, vq->used, 6 + 8ull * vq->size));
		}
		CHECK(p->queue_vector[q] < p->msix.nvec || p->queue_vector[q] == VIRTIO_MSI_NO_VECTOR);
	}
	CHECK(p->msix_config < p->msix.nvec || p->msix_config == VIRTIO_MSI_NO_VECTOR);
	CHECK(!(p->isr & ~3u));
	uint16_t cmd = (uint16_t)(p->pci.cfg[PCI_COMMAND] | p->pci.cfg[PCI_COMMAND + 1] << 8);
	CHECK(intx_level == (p->isr && !p->msix.enabled && !(cmd & PCI_COMMAND_INTX_DISABLE)));
	CHECK(!(p->msix.pending >> p->msix.nvec));
	/* Serving again: only the type's queues, and the timer is on. */
	CHECK(!(p->again_queues >> 2));
	CHECK(!p->again_queues || p->again.armed || p->again.frozen);
}

static void on_reset(struct device *d)
{
	(void)d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra,
					   .on_reset = on_reset };
	memset(ram, 0, sizeof(ram));
	memset(cfg, 0, sizeof(cfg));
	intx_level = 0;
	fuzz_dev_run(&h, data, size);
	return 0;
}
