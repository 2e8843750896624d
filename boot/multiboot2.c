/*
 * boot/multiboot2.c - parse the Multiboot2 boot information block
 * (Multiboot2 specification, section 3.6 "Boot information format") into
 * struct boot_info, copying the strings and normalizing the memory map.
 * The block is read byte by byte, so no field needs to be aligned.
 */
#include "boot/multiboot2.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/errmsg.h"

enum mb2_tag_type {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER_NAME = 2,
	TAG_MODULE = 3,
	TAG_MMAP = 6,
	TAG_FRAMEBUFFER = 8,
	TAG_EFI64 = 12,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
	TAG_EFI_MMAP = 17,
};

#define BLOCK_HEADER    8   /* total_size, reserved */
#define TAG_HEADER      8   /* type, size */
#define MODULE_MIN      16  /* header, mod_start, mod_end */
#define MMAP_MIN        16  /* header, entry_size, entry_version */
#define MMAP_ENTRY_MIN  24  /* base_addr, length, type, reserved */
#define EFI_MMAP_MIN    16  /* header, descriptor_size, descriptor_version */
#define EFI_DESC_MIN    40  /* EFI_MEMORY_DESCRIPTOR */
#define EFI_PAGE_SIZE   4096
#define EFI64_MIN       16
#define RSDP_V1_LEN     20
#define RSDP_V2_LEN     36
#define FB_COMMON_LEN   32  /* as GRUB lays it out: reserved is 16 bits */
#define FB_RGB_LEN      38
#define FB_TYPE_RGB     1

/* EFI memory types (UEFI specification, EFI_MEMORY_TYPE). */
enum efi_mem_type {
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_CONVENTIONAL = 7,
	EFI_UNUSABLE = 8,
	EFI_ACPI_RECLAIM = 9,
	EFI_ACPI_NVS = 10,
};

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t load64(const uint8_t *p)
{
	return (uint64_t)load32(p) | (uint64_t)load32(p + 4) << 32;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}


/* ---- strings ------------------------------------------------------------ */

/* Copies the string at s (at most max bytes, NUL-terminated or not) into
 * bi->strings, cutting it short if needed. Never returns NULL. */
static const char *keep_string(struct boot_info *bi, const uint8_t *s,
			       size_t max)
{
	size_t len = strnlen((const char *)s, max);
	size_t room = BOOT_STRINGS - bi->strings_used;
	if (room == 0) {
		bi->strings_truncated = true;
		return "";
	}
	if (len > room - 1) {
		len = room - 1;
		bi->strings_truncated = true;
	}
	char *dst = bi->strings + bi->strings_used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	bi->strings_used += len + 1;
	return dst;
}

/* ---- memory map --------------------------------------------------------- */

/* The entries of an mmap tag or an EFI memory map tag, still in the block. */
struct raw_map {
	const uint8_t *entries;
	size_t count, stride;
	bool efi;
};

static uint32_t mb2_mem_type(uint32_t type)
{
	return type >= MEM_USABLE && type <= MEM_BAD ? type : MEM_RESERVED;
}

static uint32_t efi_mem_type(uint32_t type)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL:
		return MEM_USABLE;
	case EFI_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIMABLE;
	case EFI_ACPI_NVS:
		return MEM_ACPI_NVS;
	case EFI_UNUSABLE:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

/* Overlap precedence: the higher rank wins. */
static unsigned type_rank(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return 0;
	case MEM_ACPI_RECLAIMABLE:
		return 1;
	case MEM_ACPI_NVS:
		return 2;
	case MEM_BAD:
		return 4;
	default:
		return 3;
	}
}

/* Entry i as [*base, *end), its end clipped at 2^64-1, type normalized. */
static void raw_entry(const struct raw_map *map, size_t i, uint64_t *base,
		      uint64_t *end, uint32_t *type)
{
	const uint8_t *e = map->entries + i * map->stride;
	uint64_t len;
	if (map->efi) {
		uint64_t pages = load64(e + 24);
		*type = efi_mem_type(load32(e));
		*base = load64(e + 8);
		len = pages > UINT64_MAX / EFI_PAGE_SIZE ?
		      UINT64_MAX : pages * EFI_PAGE_SIZE;
	} else {
		*base = load64(e);
		len = load64(e + 8);
		*type = mb2_mem_type(load32(e + 16));
	}
	*end = len > UINT64_MAX - *base ? UINT64_MAX : *base + len;
}

/* Collects output ranges, merging adjacent ones of the same type. */
struct mmap_builder {
	struct boot_info *bi;
	bool pending;
	struct mem_range cur;
};

static void builder_flush(struct mmap_builder *b)
{
	if (!b->pending)
		return;
	if (b->bi->mmap_count < BOOT_MAX_MMAP)
		b->bi->mmap[b->bi->mmap_count++] = b->cur;
	else
		b->bi->dropped_mmap++;
	b->pending = false;
}

static void builder_add(struct mmap_builder *b, uint64_t base, uint64_t end,
			uint32_t type)
{
	if (b->pending && b->cur.type == type &&
	    b->cur.base + b->cur.len == base) {
		b->cur.len += end - base;
		return;
	}
	builder_flush(b);
	b->cur.base = base;
	b->cur.len = end - base;
	b->cur.type = type;
	b->pending = true;
}

/*
 * Sweeps the address space from 0 upwards, one boundary at a time: each
 * step finds the most restrictive type covering `pos` and the nearest
 * boundary above it. Needs no scratch memory; O(n^2) in the entry count,
 * which is small (tens, a few hundred for EFI).
 */
static void normalize_mmap(struct boot_info *bi, const struct raw_map *map)
{
	struct mmap_builder b = { .bi = bi };
	uint64_t pos = 0;
	for (;;) {
		bool covered = false, more = false;
		uint32_t type = 0;
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < map->count; i++) {
			uint64_t base, end;
			uint32_t t;
			raw_entry(map, i, &base, &end, &t);
			if (base >= end || end <= pos)
				continue;
			more = true;
			if (base > pos) {
				if (base < next)
					next = base;
				continue;
			}
			if (end < next)
				next = end;
			if (!covered || type_rank(t) > type_rank(type))
				type = t;
			covered = true;
		}
		if (!more)
			break;
		if (covered)
			builder_add(&b, pos, next, type);
		pos = next;
	}
	builder_flush(&b);
}

/* ---- tags --------------------------------------------------------------- */

/* Checks that a tag's contents fit its size; returns why not, or NULL. */
static const char *check_tag(const uint8_t *tag, uint32_t type, uint32_t size)
{
	switch (type) {
	case TAG_MODULE:
		if (size < MODULE_MIN)
			return "module tag too short";
		if (load32(tag + 12) < load32(tag + 8))
			return "module ends before it starts";
		return NULL;
	case TAG_MMAP:
		if (size < MMAP_MIN)
			return "memory map tag too short";
		if (load32(tag + 8) < MMAP_ENTRY_MIN)
			return "memory map entry_size below 24";
		return NULL;
	case TAG_EFI_MMAP:
		if (size < EFI_MMAP_MIN)
			return "EFI memory map tag too short";
		if (load32(tag + 8) < EFI_DESC_MIN)
			return "EFI memory map descriptor_size below 40";
		return NULL;
	case TAG_FRAMEBUFFER:
		if (size < FB_COMMON_LEN)
			return "framebuffer tag too short";
		if (tag[29] == FB_TYPE_RGB && size < FB_RGB_LEN)
			return "framebuffer tag too short for its color info";
		return NULL;
	case TAG_EFI64:
		return size < EFI64_MIN ? "EFI64 system table tag too short" : NULL;
	case TAG_ACPI_OLD:
		return size < TAG_HEADER + RSDP_V1_LEN ?
		       "ACPI old RSDP tag too short" : NULL;
	case TAG_ACPI_NEW:
		return size < TAG_HEADER + RSDP_V2_LEN ?
		       "ACPI new RSDP tag too short" : NULL;
	default:
		return NULL;
	}
}

/* Walks the tags once, checking every size, up to the end tag. */
static int check_block(const uint8_t *block, uint32_t total, char *err,
		       size_t errlen)
{
	size_t off = BLOCK_HEADER;
	while (off + TAG_HEADER <= total) {
		const uint8_t *tag = block + off;
		uint32_t type = load32(tag), size = load32(tag + 4);
		if (size < TAG_HEADER)
			return errmsg(err, errlen, "multiboot2: tag %u at offset %zu"
				    " has size %u (below 8)", type, off, size);
		if (size > total - off)
			return errmsg(err, errlen, "multiboot2: tag %u at offset %zu"
				    " (size %u) runs past the block's end (%u)",
				    type, off, size, total);
		if (type == TAG_END) {
			if (size != TAG_HEADER)
				return errmsg(err, errlen, "multiboot2: end tag at "
					    "offset %zu has size %u, not 8",
					    off, size);
			return 0;
		}
		const char *why = check_tag(tag, type, size);
		if (why)
			return errmsg(err, errlen, "multiboot2: tag %u at offset "
				    "%zu: %s", type, off, why);
		off += align8(size);
	}
	return errmsg(err, errlen, "multiboot2: no end tag in %u bytes", total);
}

static void add_module(struct boot_info *bi, const uint8_t *tag,
		       uint32_t size)
{
	if (bi->module_count >= BOOT_MAX_MODULES) {
		bi->dropped_modules++;
		return;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->start = load32(tag + 8);
	m->end = load32(tag + 12);
	m->cmdline = keep_string(bi, tag + MODULE_MIN, size - MODULE_MIN);
}

static void read_framebuffer(struct boot_framebuffer *fb, const uint8_t *tag)
{
	fb->present = true;
	fb->addr = load64(tag + 8);
	fb->pitch = load32(tag + 16);
	fb->width = load32(tag + 20);
	fb->height = load32(tag + 24);
	fb->bpp = tag[28];
	fb->type = tag[29];
	if (fb->type == FB_TYPE_RGB) {
		fb->red_pos = tag[32];
		fb->red_size = tag[33];
		fb->green_pos = tag[34];
		fb->green_size = tag[35];
		fb->blue_pos = tag[36];
		fb->blue_size = tag[37];
	}
}

/* A memory map tag's entries; the tag has passed check_tag. */
static struct raw_map map_of(const uint8_t *tag, uint32_t size, bool efi)
{
	struct raw_map map = {
		.entries = tag + MMAP_MIN,
		.stride = load32(tag + 8),
		.efi = efi,
	};
	map.count = (size - MMAP_MIN) / map.stride;
	return map;
}

int mb2_parse(struct boot_info *bi, const void *info, size_t avail,
	      uint64_t info_phys, char *err, size_t errlen)
{
	const uint8_t *block = info;
	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader_name = "";
	if (err && errlen)
		err[0] = '\0';

	if (!block || avail < BLOCK_HEADER)
		return errmsg(err, errlen, "multiboot2: only %zu bytes available,"
			    " the header needs 8", block ? avail : 0);
	uint32_t total = load32(block);
	if (total < BLOCK_HEADER + TAG_HEADER)
		return errmsg(err, errlen, "multiboot2: total_size %u is too small",
			    total);
	if (total > avail)
		return errmsg(err, errlen, "multiboot2: total_size %u exceeds the "
			    "%zu bytes available", total, avail);
	if (info_phys > UINT64_MAX - total)
		return errmsg(err, errlen, "multiboot2: block at 0x%llx wraps "
			    "around", (unsigned long long)info_phys);
	if (check_block(block, total, err, errlen) < 0)
		return -1;

	bool have_cmdline = false, have_loader = false;
	const uint8_t *mmap = NULL, *efi_mmap = NULL;
	const uint8_t *rsdp_old = NULL, *rsdp_new = NULL;
	uint32_t mmap_size = 0, efi_mmap_size = 0;

	/* check_block() guarantees every tag up to the end tag fits. */
	for (size_t off = BLOCK_HEADER;;) {
		const uint8_t *tag = block + off;
		uint32_t type = load32(tag), size = load32(tag + 4);
		if (type == TAG_END)
			break;
		switch (type) {
		case TAG_CMDLINE:
			if (!have_cmdline)
				bi->cmdline = keep_string(bi, tag + TAG_HEADER,
							  size - TAG_HEADER);
			have_cmdline = true;
			break;
		case TAG_LOADER_NAME:
			if (!have_loader)
				bi->loader_name = keep_string(bi, tag + TAG_HEADER,
							      size - TAG_HEADER);
			have_loader = true;
			break;
		case TAG_MODULE:
			add_module(bi, tag, size);
			break;
		case TAG_MMAP:
			if (!mmap) {
				mmap = tag;
				mmap_size = size;
			}
			break;
		case TAG_EFI_MMAP:
			if (!efi_mmap) {
				efi_mmap = tag;
				efi_mmap_size = size;
			}
			break;
		case TAG_FRAMEBUFFER:
			if (!bi->fb.present)
				read_framebuffer(&bi->fb, tag);
			break;
		case TAG_EFI64:
			if (!bi->efi_system_table)
				bi->efi_system_table = load64(tag + TAG_HEADER);
			break;
		case TAG_ACPI_OLD:
			if (!rsdp_old)
				rsdp_old = tag + TAG_HEADER;
			break;
		case TAG_ACPI_NEW:
			if (!rsdp_new)
				rsdp_new = tag + TAG_HEADER;
			break;
		default:
			break;
		}
		off += align8(size);
	}

	if (rsdp_new) {
		memcpy(bi->rsdp, rsdp_new, RSDP_V2_LEN);
		bi->rsdp_len = RSDP_V2_LEN;
	} else if (rsdp_old) {
		memcpy(bi->rsdp, rsdp_old, RSDP_V1_LEN);
		bi->rsdp_len = RSDP_V1_LEN;
	}

	if (mmap) {
		struct raw_map map = map_of(mmap, mmap_size, false);
		normalize_mmap(bi, &map);
	} else if (efi_mmap) {
		struct raw_map map = map_of(efi_mmap, efi_mmap_size, true);
		normalize_mmap(bi, &map);
	}

	bi->info_start = info_phys;
	bi->info_end = info_phys + total;
	return 0;
}
