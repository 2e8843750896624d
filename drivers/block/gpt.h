/*
 * drivers/block/gpt.h - the GUID Partition Table (UEFI specification 2.x,
 * chapter 5): the protective MBR (5.2.3), the GPT header (5.3.2) and the
 * partition entry array (5.3.3). Pure logic: the disk's sectors come through
 * a read callback, so the unit tests and the fuzzer hand it images in memory.
 */
#ifndef YAKVM_DRIVERS_BLOCK_GPT_H
#define YAKVM_DRIVERS_BLOCK_GPT_H

#include <stdbool.h>
#include <stdint.h>

#define GPT_MAX_PARTS     128	/* entries kept; the array may hold more */
#define GPT_MAX_ENTRIES   16384	/* a larger array is refused */
#define GPT_MAX_SECTOR    4096
#define GPT_NAME_CHARS    36	/* PartitionName: 36 UTF-16LE code units */
#define GPT_NAME_BYTES    (GPT_NAME_CHARS * 3 + 1)	/* as UTF-8 */

/* Reads count sectors from lba into buf; 0 on success. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t lba, uint32_t count, void *buf);

struct gpt_part {
	uint32_t index;			/* 1-based entry number */
	uint64_t first_lba, last_lba;	/* inclusive */
	uint8_t type_guid[16], unique_guid[16];
	uint64_t attributes;
	char name[GPT_NAME_BYTES];	/* UTF-8, NUL-terminated */
};

enum gpt_source { GPT_NONE, GPT_PRIMARY, GPT_BACKUP };

struct gpt_disk {
	enum gpt_source source;
	char primary_problem[64];	/* why the primary was not used */
	char problem[64];		/* why no GPT was found (source NONE) */
	uint8_t disk_guid[16];
	uint64_t first_usable, last_usable;
	uint32_t entries;		/* NumberOfPartitionEntries */
	uint32_t count;			/* used entries kept in parts[] */
	uint32_t bad;			/* used entries refused (outside the usable range) */
	uint32_t dropped;		/* used entries beyond GPT_MAX_PARTS */
	struct gpt_part parts[GPT_MAX_PARTS];
	_Alignas(64) uint8_t sector[GPT_MAX_SECTOR];	/* scratch for the reads */
};

/* Reads the GPT of a disk of `sectors` sectors of sector_size bytes (512 to
 * 4096, a power of two). Returns 0 with d->source PRIMARY or BACKUP, or -1
 * with d->problem saying why. */
int gpt_read(struct gpt_disk *d, uint32_t sector_size, uint64_t sectors,
	     gpt_read_fn read, void *ctx);

/* "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" (the first three fields are
 * little-endian on disk, UEFI appendix A). out holds 37 bytes. */
void gpt_guid_format(const uint8_t guid[16], char out[37]);

/* UTF-16LE (n code units, stops at the first NUL) to UTF-8; unpaired
 * surrogates and control characters become '?'. out holds n * 3 + 1 bytes. */
void gpt_name_utf8(const uint8_t *utf16le, unsigned n, char *out);

#endif
