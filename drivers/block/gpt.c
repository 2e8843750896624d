/* drivers/block/gpt.c - read a disk's GUID Partition Table (see gpt.h). */
#include "drivers/block/gpt.h"
#include "lib/crc32.h"
#include "lib/string.h"

/* GPT header fields (UEFI 2.x, 5.3.2, table "GPT Header"). */
#define H_SIGNATURE     0
#define H_REVISION      8
#define H_SIZE          12
#define H_CRC           16
#define H_MY_LBA        24
#define H_ALT_LBA       32
#define H_FIRST_USABLE  40
#define H_LAST_USABLE   48
#define H_DISK_GUID     56
#define H_ENTRY_LBA     72
#define H_ENTRIES       80
#define H_ENTRY_SIZE    84
#define H_ENTRIES_CRC   88
#define H_MIN_SIZE      92

/* Partition entry fields (5.3.3, table "GPT Partition Entry"). */
#define E_TYPE   0
#define E_UNIQUE 16
#define E_FIRST  32
#define E_LAST   40
#define E_ATTR   48
#define E_NAME   56
#define E_MIN_SIZE 128

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void say(char *dst, const char *why) { strlcpy(dst, why, 64); }

/* The protective MBR (5.2.3): signature 0xAA55 and a record of type 0xEE
 * (a hybrid MBR has others beside it). */
static bool protective_mbr(const uint8_t *s)
{
	if (s[510] != 0x55 || s[511] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++)
		if (s[446 + 16 * i + 4] == 0xee)
			return true;
	return false;
}

struct header {
	uint64_t first_usable, last_usable, entry_lba;
	uint32_t entries, entry_size, entries_crc;
	uint8_t disk_guid[16];
};

/* Checks the header in d->sector, read from lba (5.3.2: signature, size,
 * CRC, MyLBA, the usable range and the array inside the disk). */
static const char *check_header(struct gpt_disk *d, uint32_t ss, uint64_t sectors,
				uint64_t lba, struct header *h)
{
	uint8_t *s = d->sector;
	if (memcmp(s + H_SIGNATURE, "EFI PART", 8) != 0)
		return "no signature";
	uint32_t size = le32(s + H_SIZE);
	if (size < H_MIN_SIZE || size > ss)
		return "bad header size";
	uint32_t stored = le32(s + H_CRC);
	uint8_t zero[4] = { 0 };
	uint32_t crc = crc32_update(0, s, H_CRC);
	crc = crc32_update(crc, zero, 4);
	crc = crc32_update(crc, s + H_CRC + 4, size - H_CRC - 4);
	if (crc != stored)
		return "header CRC mismatch";
	if (le64(s + H_MY_LBA) != lba)
		return "MyLBA is not where it was read";
	h->first_usable = le64(s + H_FIRST_USABLE);
	h->last_usable = le64(s + H_LAST_USABLE);
	h->entry_lba = le64(s + H_ENTRY_LBA);
	h->entries = le32(s + H_ENTRIES);
	h->entry_size = le32(s + H_ENTRY_SIZE);
	h->entries_crc = le32(s + H_ENTRIES_CRC);
	memcpy(h->disk_guid, s + H_DISK_GUID, 16);
	if (h->first_usable > h->last_usable || h->last_usable >= sectors - 1 ||
	    h->first_usable < 2)
		return "bad usable range";
	/* SizeOfPartitionEntry: 128 x 2^n. */
	if (h->entry_size < E_MIN_SIZE || (h->entry_size & (h->entry_size - 1)))
		return "bad entry size";
	if (h->entries == 0 || h->entries > GPT_MAX_ENTRIES)
		return "bad number of entries";
	uint64_t bytes = (uint64_t)h->entries * h->entry_size;
	uint64_t array_sectors = (bytes + ss - 1) / ss;
	if (h->entry_lba < 2 || h->entry_lba >= sectors ||
	    array_sectors > sectors - h->entry_lba)
		return "entry array outside the disk";
	if (h->entry_lba <= lba && lba < h->entry_lba + array_sectors)
		return "entry array overlaps its header";
	return NULL;
}

/* The CRC of the entry array, sector by sector. */
static const char *check_array(struct gpt_disk *d, uint32_t ss, const struct header *h,
			       gpt_read_fn read, void *ctx)
{
	uint64_t left = (uint64_t)h->entries * h->entry_size;
	uint32_t crc = 0;
	for (uint64_t lba = h->entry_lba; left; lba++) {
		if (read(ctx, lba, 1, d->sector) != 0)
			return "cannot read the entry array";
		uint32_t n = left < ss ? (uint32_t)left : ss;
		crc = crc32_update(crc, d->sector, n);
		left -= n;
	}
	return crc == h->entries_crc ? NULL : "entry array CRC mismatch";
}

static bool zero_guid(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

/* The used entries (a type GUID that is not zero, 5.3.3). Each entry's
 * first 128 bytes lie in one sector: entry size and sector size are both
 * multiples of 128. */
static const char *read_entries(struct gpt_disk *d, uint32_t ss, const struct header *h,
				gpt_read_fn read, void *ctx)
{
	uint64_t cached = ~0ull;
	for (uint32_t i = 0; i < h->entries; i++) {
		uint64_t off = (uint64_t)i * h->entry_size;
		uint64_t lba = h->entry_lba + off / ss;
		if (lba != cached) {
			if (read(ctx, lba, 1, d->sector) != 0)
				return "cannot read the entry array";
			cached = lba;
		}
		const uint8_t *e = d->sector + off % ss;
		if (zero_guid(e + E_TYPE))
			continue;
		uint64_t first = le64(e + E_FIRST), last = le64(e + E_LAST);
		if (first > last || first < h->first_usable || last > h->last_usable) {
			d->bad++;
			continue;
		}
		if (d->count == GPT_MAX_PARTS) {
			d->dropped++;
			continue;
		}
		struct gpt_part *p = &d->parts[d->count++];
		p->index = i + 1;
		p->first_lba = first;
		p->last_lba = last;
		memcpy(p->type_guid, e + E_TYPE, 16);
		memcpy(p->unique_guid, e + E_UNIQUE, 16);
		p->attributes = le64(e + E_ATTR);
		gpt_name_utf8(e + E_NAME, GPT_NAME_CHARS, p->name);
	}
	return NULL;
}

/* One header (at lba) and its array; NULL when both are good. */
static const char *try_header(struct gpt_disk *d, uint32_t ss, uint64_t sectors,
			      uint64_t lba, gpt_read_fn read, void *ctx)
{
	struct header h;
	if (read(ctx, lba, 1, d->sector) != 0)
		return "cannot read the header";
	const char *why = check_header(d, ss, sectors, lba, &h);
	if (!why)
		why = check_array(d, ss, &h, read, ctx);
	if (why)
		return why;
	d->count = d->bad = d->dropped = 0;
	why = read_entries(d, ss, &h, read, ctx);
	if (why)
		return why;
	memcpy(d->disk_guid, h.disk_guid, 16);
	d->first_usable = h.first_usable;
	d->last_usable = h.last_usable;
	d->entries = h.entries;
	return NULL;
}

int gpt_read(struct gpt_disk *d, uint32_t ss, uint64_t sectors, gpt_read_fn read, void *ctx)
{
	d->source = GPT_NONE;
	d->count = d->bad = d->dropped = 0;
	d->primary_problem[0] = d->problem[0] = 0;
	if (ss < 512 || ss > GPT_MAX_SECTOR || (ss & (ss - 1))) {
		say(d->problem, "unsupported sector size");
		return -1;
	}
	if (sectors < 4) {
		say(d->problem, "disk too small");
		return -1;
	}
	if (read(ctx, 0, 1, d->sector) != 0) {
		say(d->problem, "cannot read LBA 0");
		return -1;
	}
	if (!protective_mbr(d->sector)) {
		say(d->problem, "no protective MBR");
		return -1;
	}
	/* The primary at LBA 1; if it is bad, the backup at the last LBA
	 * (5.3.2: its AlternateLBA is not trusted when its CRC is bad). */
	const char *why = try_header(d, ss, sectors, 1, read, ctx);
	if (!why) {
		d->source = GPT_PRIMARY;
		return 0;
	}
	say(d->primary_problem, why);
	why = try_header(d, ss, sectors, sectors - 1, read, ctx);
	if (!why) {
		d->source = GPT_BACKUP;
		return 0;
	}
	d->count = 0;
	say(d->problem, "primary: ");
	size_t n = strlen(d->problem);
	strlcpy(d->problem + n, d->primary_problem, sizeof(d->problem) - n);
	n = strlen(d->problem);
	strlcpy(d->problem + n, "; backup: ", sizeof(d->problem) - n);
	n = strlen(d->problem);
	strlcpy(d->problem + n, why, sizeof(d->problem) - n);
	return -1;
}

void gpt_guid_format(const uint8_t g[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	/* Byte order of the text: fields 1-3 little-endian, the rest as stored. */
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[g[order[i]] >> 4];
		*o++ = hex[g[order[i]] & 15];
	}
	*o = 0;
}

static char *put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

void gpt_name_utf8(const uint8_t *u, unsigned n, char *out)
{
	char *o = out;
	for (unsigned i = 0; i < n; i++) {
		uint32_t c = u[2 * i] | (uint32_t)u[2 * i + 1] << 8;
		if (c == 0)
			break;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t lo = u[2 * i + 2] | (uint32_t)u[2 * i + 3] << 8;
			if (lo >= 0xdc00 && lo < 0xe000) {
				o = put_utf8(o, 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00));
				i++;
				continue;
			}
		}
		if ((c >= 0xd800 && c < 0xe000) || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			c = '?';
		o = put_utf8(o, c);
	}
	*o = 0;
}
