/*
 * devices/block/host_part.c - a range of a host disk as a VM's store
 * (host_part.h).
 */
#include "devices/block/host_part.h"
#include "lib/log.h"
#include "lib/string.h"

/* [lba, lba + count) of the VM's 512-byte sectors as the disk's sectors:
 * false when not inside the partition or not whole disk sectors. */
static bool to_disk(const struct host_part *hp, uint64_t lba, uint32_t count,
		    uint64_t *dlba, uint32_t *dcount)
{
	if (!blk_in_range(&hp->be, lba, count) || lba % hp->ratio || count % hp->ratio)
		return false;
	*dlba = hp->first + lba / hp->ratio;
	*dcount = count / hp->ratio;
	return *dcount <= hp->count && *dlba - hp->first <= hp->count - *dcount;
}

/* One line per failed command (the first few), naming VM and disk; the
 * driver has logged the controller's status already. */
static int failed(struct host_part *hp, const char *what, uint64_t lba, uint32_t count)
{
	hp->failed = true;
	if (hp->errors++ < HOST_PART_LOGGED)
		log_error("%s: %s of %u sectors at sector %lu failed: I/O error to the guest%s",
			  hp->label, what, count, lba,
			  hp->errors == HOST_PART_LOGGED ? " (further errors only counted)" : "");
	return -1;
}

static int hp_read(struct blk_backend *b, uint64_t lba, uint32_t count, void *buf)
{
	struct host_part *hp = b->priv;
	uint64_t dlba;
	uint32_t dcount;
	if (!to_disk(hp, lba, count, &dlba, &dcount))
		return -1;
	return blockdev_read(hp->disk, dlba, dcount, buf) ? failed(hp, "read", lba, count) : 0;
}

static int hp_write(struct blk_backend *b, uint64_t lba, uint32_t count, const void *buf)
{
	struct host_part *hp = b->priv;
	uint64_t dlba;
	uint32_t dcount;
	if (hp->be.read_only || !to_disk(hp, lba, count, &dlba, &dcount))
		return -1;
	return blockdev_write(hp->disk, dlba, dcount, buf) ? failed(hp, "write", lba, count) : 0;
}

/* The disk's volatile cache to its medium (NVMe Flush, ATA FLUSH CACHE
 * EXT): the whole disk, other partitions' writes too, which is harmless. */
static int hp_flush(struct blk_backend *b)
{
	struct host_part *hp = b->priv;
	if (blockdev_flush(hp->disk) == 0)
		return 0;
	hp->failed = true;
	if (hp->errors++ < HOST_PART_LOGGED)
		log_error("%s: flush failed: I/O error to the guest", hp->label);
	return -1;
}

/* No zero operation: the device writes zeros through hp_write. */
static const struct blk_backend_ops host_part_ops = {
	.read = hp_read, .write = hp_write, .flush = hp_flush,
};

bool host_part_init(struct host_part *hp, struct blockdev *disk, uint64_t first,
		    uint64_t count, bool read_only, const char *label)
{
	memset(hp, 0, sizeof(*hp));
	uint32_t ss = disk->sector_size;
	if (ss < BLK_SECTOR || ss > 4096 || (ss & (ss - 1)) || count == 0 ||
	    first >= disk->sectors || count > disk->sectors - first)
		return false;
	hp->disk = disk;
	hp->first = first;
	hp->count = count;
	hp->ratio = ss / BLK_SECTOR;
	strlcpy(hp->label, label, sizeof(hp->label));
	hp->be = (struct blk_backend){ .sectors = count * hp->ratio, .block_size = ss,
				       .read_only = read_only || !disk->ops->write,
				       .ops = &host_part_ops, .priv = hp };
	return true;
}
