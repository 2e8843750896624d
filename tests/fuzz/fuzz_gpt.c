/*
 * tests/fuzz/fuzz_gpt.c - the GPT parser (drivers/block/gpt.c) and the
 * catalogue on any disk image. Input: one byte (bit 0: 4096-byte sectors,
 * else 512), then the image's sectors. Invariants: no read outside the
 * disk; a GPT found keeps every partition inside its usable range, which
 * lies inside the disk; names are NUL-terminated within their buffer; a
 * name in the catalogue of two copies of the disk is ambiguous.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/gpt.h"
#include "drivers/block/catalogue.h"

struct image {
	const uint8_t *bytes;
	uint32_t ss;
	uint64_t sectors;
};

static int image_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct image *im = ctx;
	if (lba >= im->sectors || count > im->sectors - lba)
		abort();	/* the parser read outside the disk */
	memcpy(buf, im->bytes + lba * im->ss, (size_t)count * im->ss);
	return 0;
}

static struct gpt_disk disk;
static struct catalogue cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct image im = { .bytes = data + 1, .ss = (data[0] & 1) ? 4096 : 512 };
	im.sectors = (size - 1) / im.ss;
	if (gpt_read(&disk, im.ss, im.sectors, image_read, &im) != 0) {
		if (disk.source != GPT_NONE || !memchr(disk.problem, 0, sizeof(disk.problem)))
			abort();
		return 0;
	}
	if (disk.last_usable >= im.sectors || disk.first_usable > disk.last_usable ||
	    disk.count > GPT_MAX_PARTS)
		abort();
	for (uint32_t i = 0; i < disk.count; i++) {
		const struct gpt_part *p = &disk.parts[i];
		if (p->first_lba < disk.first_usable || p->last_lba > disk.last_usable ||
		    p->first_lba > p->last_lba || !p->index || p->index > disk.entries ||
		    !memchr(p->name, 0, sizeof(p->name)))
			abort();
		char g[37];
		gpt_guid_format(p->type_guid, g);
		if (strlen(g) != 36)
			abort();
	}
	memset(&cat, 0, sizeof(cat));
	catalogue_add_disk(&cat, "a", &disk);
	catalogue_add_disk(&cat, "b", &disk);
	for (uint32_t i = 0; i < disk.count; i++) {
		const struct catalogue_entry *e;
		enum catalogue_find r = catalogue_find(&cat, disk.parts[i].name, &e);
		if (disk.parts[i].name[0] ? r != CAT_AMBIGUOUS : r != CAT_NONE)
			abort();
	}
	return 0;
}
