/* drivers/block/disks.c - the partitions of the host's disks (disks.h). */
#include "drivers/block/disks.h"
#include "drivers/block/blockdev.h"
#include "drivers/block/gpt.h"
#include "lib/crc32.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define CHECKSUM_BYTES (64u << 10)

static struct gpt_disk gpts[BLOCKDEV_MAX];
static struct catalogue cat;

static int read_sectors(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	return blockdev_read(ctx, lba, count, buf);
}

/* The CRC-32 of a partition's first 64 KiB (or all of it, if smaller), read
 * in one go: more than two pages, so the read goes through a PRP list. */
static bool read_failed;	/* a controller may still write the buffer later */

static void log_checksum(struct blockdev *b, const struct gpt_part *p, uint8_t *buf)
{
	uint64_t n = CHECKSUM_BYTES / b->sector_size;
	if (n > p->last_lba - p->first_lba + 1)
		n = p->last_lba - p->first_lba + 1;
	if (blockdev_read(b, p->first_lba, (uint32_t)n, buf) != 0) {
		read_failed = true;
		log_error("disk %s: partition %u: cannot read its first sectors", b->name,
			  p->index);
		return;
	}
	log_info("disk %s: partition %u \"%s\": crc32 of sectors %lu-%lu: 0x%08x", b->name,
		 p->index, p->name, p->first_lba, p->first_lba + n - 1,
		 crc32_update(0, buf, n * b->sector_size));
}

static void scan_disk(struct blockdev *b, struct gpt_disk *d, uint8_t *buf)
{
	if (gpt_read(d, b->sector_size, b->sectors, read_sectors, b) != 0) {
		log_info("disk %s: no GPT: %s", b->name, d->problem);
		return;
	}
	if (d->source == GPT_BACKUP)
		log_warn("disk %s: primary GPT header unusable (%s): using the backup at LBA %lu",
			 b->name, d->primary_problem, b->sectors - 1);
	log_info("disk %s: GPT (%s header): %u partition%s in %u entries%s", b->name,
		 d->source == GPT_PRIMARY ? "primary" : "backup", d->count,
		 d->count == 1 ? "" : "s", d->entries,
		 d->bad ? ", some outside the usable range (ignored)" : "");
	for (uint32_t i = 0; i < d->count; i++) {
		const struct gpt_part *p = &d->parts[i];
		char type[37], uniq[37];
		gpt_guid_format(p->type_guid, type);
		gpt_guid_format(p->unique_guid, uniq);
		uint64_t n = p->last_lba - p->first_lba + 1;
		log_info("disk %s: partition %u \"%s\": LBA %lu-%lu, %lu sectors (%lu KiB), "
			 "type %s, unique %s", b->name, p->index, p->name, p->first_lba,
			 p->last_lba, n, (n * b->sector_size) >> 10, type, uniq);
		if (buf)
			log_checksum(b, p, buf);
	}
	catalogue_add_disk(&cat, b->name, d);
}

void disks_scan(void)
{
	if (!blockdev_count())
		return;	/* no disks: nothing allocated, nothing logged */
	uint64_t pa = pmm_alloc_pages(CHECKSUM_BYTES / PAGE_SIZE);
	uint8_t *buf = pa ? phys_to_virt(pa) : NULL;
	for (unsigned i = 0; i < blockdev_count(); i++)
		scan_disk(blockdev_get(i), &gpts[i], buf);
	/* A name on two partitions is ambiguous: said once per name. */
	for (unsigned i = 0; i < cat.count; i++) {
		const char *name = cat.e[i].part->name;
		const struct catalogue_entry *first;
		if (name[0] && catalogue_find(&cat, name, &first) == CAT_AMBIGUOUS &&
		    first == &cat.e[i])
			log_warn("partition name \"%s\" is ambiguous: %u partitions carry it",
				 name, catalogue_count(&cat, name));
	}
	/* After a read that failed (a controller that stopped answering may
	 * still write into it), the buffer is never reused. */
	if (pa && !read_failed)
		pmm_free_pages(pa, CHECKSUM_BYTES / PAGE_SIZE);
}

const struct catalogue *disks_catalogue(void) { return &cat; }
