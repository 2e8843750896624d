/*
 * devices/virtio/virtio_blk.c - the virtio block device type as data
 * (virtio 1.1, 5.2): its features, its configuration space (5.2.4) and
 * its request queue (5.2.2: one, requestq). A request is served by
 * vblk_serve() (virtio_blk_req.c).
 */
#include "devices/virtio/virtio_blk.h"
#include "lib/string.h"

/* struct virtio_blk_config (5.2.4), the fields yakvm fills in. */
#define CFG_CAPACITY          0    /* le64, 512-byte sectors */
#define CFG_SIZE_MAX          8    /* le32 */
#define CFG_SEG_MAX           12   /* le32 */
#define CFG_BLK_SIZE          20   /* le32 */
#define CFG_MAX_DISCARD_SECT  36   /* le32 */
#define CFG_MAX_DISCARD_SEG   40
#define CFG_DISCARD_ALIGN     44
#define CFG_MAX_WZ_SECT       48
#define CFG_MAX_WZ_SEG        52
#define CFG_SIZE              60

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static struct vblk *blk_of(struct virtio_dev *vd)
{
	return *(struct vblk **)vd->type_state;
}

/* `arg` is the disk's struct vblk (devices/virtio/virtio_vm.c). */
static void init(struct virtio_dev *vd, const void *arg)
{
	*(const void **)vd->type_state = arg;
}

static uint32_t config_read(struct virtio_dev *vd, uint32_t off, unsigned size)
{
	const struct vblk *b = blk_of(vd);
	uint8_t cfg[CFG_SIZE] = { 0 };
	put32(cfg + CFG_CAPACITY, (uint32_t)b->be->sectors);
	put32(cfg + CFG_CAPACITY + 4, (uint32_t)(b->be->sectors >> 32));
	put32(cfg + CFG_SIZE_MAX, VBLK_SIZE_MAX);
	put32(cfg + CFG_SEG_MAX, VBLK_SEG_MAX);
	put32(cfg + CFG_BLK_SIZE, b->be->block_size ? b->be->block_size : BLK_SECTOR);
	put32(cfg + CFG_MAX_DISCARD_SECT, VBLK_ZERO_MAX);
	put32(cfg + CFG_MAX_DISCARD_SEG, VBLK_ZERO_SEGS);
	put32(cfg + CFG_DISCARD_ALIGN, b->be->block_size ? b->be->block_size / BLK_SECTOR : 1);
	put32(cfg + CFG_MAX_WZ_SECT, VBLK_ZERO_MAX);
	put32(cfg + CFG_MAX_WZ_SEG, VBLK_ZERO_SEGS);
	return virtio_config_bytes(cfg, CFG_SIZE, off, size);
}

/* Only `writeback` is writable, and only with VIRTIO_BLK_F_CONFIG_WCE,
 * which yakvm does not offer: writes are ignored. */
static void config_write(struct virtio_dev *vd, uint32_t off, unsigned size, uint32_t val)
{
}

static void notify(struct virtio_dev *vd, unsigned q)
{
	struct vblk *b = blk_of(vd);
	struct virtq *vq = &vd->vq[q];
	const char *broken = NULL;
	unsigned pushed = 0;
	/* At most the queue's size per notification (docs/virtio.md). */
	for (unsigned i = 0; i < vq->size && !broken; i++) {
		struct virtq_chain c = { .segs = b->segs, .cap = VBLK_QUEUE_SIZE };
		enum virtq_pop_result r = virtq_pop(vq, &c, VBLK_MAX_CHAIN);
		if (r == VIRTQ_EMPTY)
			break;
		uint32_t written;
		if (r == VIRTQ_BROKEN)
			broken = virtq_error_name(vq->broken);
		else if (vblk_serve(b, vd, vq, &c, &written) < 0)
			broken = "a request with no writable status byte (5.2.6.1)";
		else if (virtq_push(vq, &c, written))
			pushed++;
	}
	if (pushed)
		virtio_used(vd, q);
	if (broken)
		virtio_needs_reset(vd, broken);
}

#define VBLK_FEATURES ((1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) | \
		       (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH) | \
		       (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES))

/* 5 "Device Types": 2; PCI class 01 (mass storage) 00 (SCSI), as QEMU's. */
#define VBLK_TYPE(ro) {                                                  \
	.name = "virtio-blk", .device_id = 2, .pci_class = { 0x01, 0x00, 0x00 }, \
	.features = VBLK_FEATURES | ((ro) ? 1ull << VIRTIO_BLK_F_RO : 0),  \
	.nqueues = 1, .queue_max = VBLK_QUEUE_SIZE, .config_size = CFG_SIZE, \
	.state_size = sizeof(struct vblk *), .init = init,                 \
	.config_read = config_read, .config_write = config_write,          \
	.notify = notify,                                                  \
}

const struct virtio_type virtio_blk_rw = VBLK_TYPE(false);
const struct virtio_type virtio_blk_ro = VBLK_TYPE(true);
