/*
 * devices/virtio/virtio_blk_req.c - one virtio-blk request (virtio 1.1,
 * 5.2.6): the 16-byte header (type, reserved, sector) from the chain's
 * readable part, copied once and decoded from yakvm's copy; the data; the
 * status byte last in the writable part. Every sector range is checked
 * against the store's size before the store is touched.
 */
#include "devices/virtio/virtio_blk.h"
#include "lib/string.h"

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* IN (to_disk false) or OUT: `len` bytes from byte `off` of the chain's
 * readable (OUT) or writable (IN) part, at `sector`, through the bounce
 * buffer. 5.2.6.1: the data is a multiple of 512 bytes. */
static uint8_t transfer(struct vblk *b, const struct virtq *vq, const struct virtq_chain *c,
			uint64_t sector, bool to_disk, uint64_t off, uint64_t len)
{
	struct blk_backend *be = b->be;
	if (len % BLK_SECTOR || !blk_in_range(be, sector, len >> BLK_SECTOR_SHIFT))
		return VIRTIO_BLK_S_IOERR;
	for (uint64_t done = 0; done < len; done += VBLK_BOUNCE) {
		uint64_t n = len - done < VBLK_BOUNCE ? len - done : VBLK_BOUNCE;
		uint64_t lba = sector + (done >> BLK_SECTOR_SHIFT);
		uint32_t count = (uint32_t)(n >> BLK_SECTOR_SHIFT);
		if (to_disk) {
			if (virtq_chain_read(vq, c, off + done, b->bounce, n) != n ||
			    be->ops->write(be, lba, count, b->bounce) < 0)
				return VIRTIO_BLK_S_IOERR;
		} else {
			if (be->ops->read(be, lba, count, b->bounce) < 0 ||
			    virtq_chain_write(vq, c, off + done, b->bounce, n) != n)
				return VIRTIO_BLK_S_IOERR;
		}
	}
	return VIRTIO_BLK_S_OK;
}

/* Zeroes sectors: the store's own way, or by writing zeros. */
static int zero(struct vblk *b, uint64_t lba, uint32_t count)
{
	struct blk_backend *be = b->be;
	if (be->ops->zero)
		return be->ops->zero(be, lba, count);
	memset(b->bounce, 0, VBLK_BOUNCE);
	while (count) {
		uint32_t n = count < VBLK_BOUNCE / BLK_SECTOR ? count : VBLK_BOUNCE / BLK_SECTOR;
		if (be->ops->write(be, lba, n, b->bounce) < 0)
			return -1;
		lba += n;
		count -= n;
	}
	return 0;
}

/* DISCARD and WRITE_ZEROES (5.2.6): ranges of 16 bytes (le64 sector,
 * le32 num_sectors, le32 flags) after the header. Both zero the range:
 * after a discard the data may be anything (5.2.6.2), zeros included. */
static uint8_t zero_ranges(struct vblk *b, const struct virtio_dev *vd, const struct virtq *vq,
			   const struct virtq_chain *c, bool discard)
{
	if (!virtio_has(vd, discard ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES))
		return VIRTIO_BLK_S_UNSUPP;
	uint64_t payload = c->read_len - VBLK_HDR;
	if (payload == 0 || payload % 16 || payload / 16 > VBLK_ZERO_SEGS)
		return VIRTIO_BLK_S_IOERR;
	if (b->be->read_only)
		return VIRTIO_BLK_S_IOERR;
	for (uint64_t i = 0; i < payload / 16; i++) {
		uint8_t seg[16];
		if (virtq_chain_read(vq, c, VBLK_HDR + 16 * i, seg, 16) != 16)
			return VIRTIO_BLK_S_IOERR;
		uint64_t sector = le64(seg);
		uint32_t count = le32(seg + 8), flags = le32(seg + 12);
		/* 5.2.6.2: unmap on a discard, or a reserved flag: UNSUPP. */
		if ((flags & ~1u) || (discard && (flags & 1)))
			return VIRTIO_BLK_S_UNSUPP;
		if (count > VBLK_ZERO_MAX || !blk_in_range(b->be, sector, count) ||
		    zero(b, sector, count) < 0)
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t handle(struct vblk *b, const struct virtio_dev *vd, const struct virtq *vq,
		      const struct virtq_chain *c)
{
	uint8_t hdr[VBLK_HDR];
	if (c->read_len < VBLK_HDR ||
	    virtq_chain_read(vq, c, 0, hdr, VBLK_HDR) != VBLK_HDR)
		return VIRTIO_BLK_S_IOERR;
	uint32_t type = le32(hdr);
	uint64_t sector = le64(hdr + 8);
	uint64_t data_in = c->write_len - 1;     /* writable bytes before the status */

	switch (type) {
	case VIRTIO_BLK_T_IN:
		b->reads++;
		if (c->read_len != VBLK_HDR)
			return VIRTIO_BLK_S_IOERR;
		return transfer(b, vq, c, sector, false, 0, data_in);
	case VIRTIO_BLK_T_OUT:
		/* Whatever the driver negotiated: a read-only store is never
		 * written (5.2.6.2 lets the device fail it). */
		b->writes++;
		if (b->be->read_only)
			return VIRTIO_BLK_S_IOERR;
		return transfer(b, vq, c, sector, true, VBLK_HDR, c->read_len - VBLK_HDR);
	case VIRTIO_BLK_T_FLUSH:
		b->flushes++;
		if (!virtio_has(vd, VIRTIO_BLK_F_FLUSH))
			return VIRTIO_BLK_S_UNSUPP;
		return b->be->ops->flush && b->be->ops->flush(b->be) < 0 ?
			VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t n = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;
		if (virtq_chain_write(vq, c, 0, b->serial, n) != n)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	}
	case VIRTIO_BLK_T_DISCARD:
		return zero_ranges(b, vd, vq, c, true);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return zero_ranges(b, vd, vq, c, false);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

int vblk_serve(struct vblk *b, const struct virtio_dev *vd, const struct virtq *vq,
	       const struct virtq_chain *c, uint32_t *written)
{
	/* 5.2.6.1: the status byte is the last writable byte. */
	if (c->write_len == 0)
		return -1;
	uint8_t status = handle(b, vd, vq, c);
	b->errors += status == VIRTIO_BLK_S_IOERR;
	if (virtq_chain_write(vq, c, c->write_len - 1, &status, 1) != 1)
		return -1;
	*written = (uint32_t)c->write_len;
	return status;
}
