/*
 * tests/unit/test_multiboot2.c - mb2_parse() on blocks built here the way
 * GRUB builds them (Multiboot2 spec section 3.6), on malformed blocks, and
 * on randomly mutated ones. Every block is parsed from a heap copy of
 * exactly `avail` bytes, so ASan catches any read past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "boot/multiboot2.h"

#define INFO_PHYS 0x10a000ull

/* ---- building blocks ---------------------------------------------------- */

struct blk {
	uint8_t buf[1 << 17];
	size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void blk_init(struct blk *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->len = 8;
}

/* Appends a tag with the payload given, padded to 8 bytes; returns it. */
static uint8_t *add_tag(struct blk *b, uint32_t type, const void *payload,
			size_t payload_len)
{
	uint8_t *tag = b->buf + b->len;
	assert_true(b->len + 8 + payload_len + 8 <= sizeof(b->buf));
	put32(tag, type);
	put32(tag + 4, (uint32_t)(8 + payload_len));
	if (payload_len)
		memcpy(tag + 8, payload, payload_len);
	b->len += (8 + payload_len + 7) & ~(size_t)7;
	return tag;
}

static void add_string_tag(struct blk *b, uint32_t type, const char *s)
{
	add_tag(b, type, s, strlen(s) + 1);
}

static void add_module(struct blk *b, uint32_t start, uint32_t end,
		       const char *s)
{
	uint8_t payload[512];
	size_t n = strlen(s) + 1;
	assert_true(n + 8 <= sizeof(payload));
	put32(payload, start);
	put32(payload + 4, end);
	memcpy(payload + 8, s, n);
	add_tag(b, 3, payload, 8 + n);
}

struct e820 {
	uint64_t base, len;
	uint32_t type;
};

static void add_mmap(struct blk *b, const struct e820 *e, size_t n)
{
	static uint8_t payload[1 << 16];
	assert_true(8 + n * 24 <= sizeof(payload));
	put32(payload, 24);
	put32(payload + 4, 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = payload + 8 + i * 24;
		put64(p, e[i].base);
		put64(p + 8, e[i].len);
		put32(p + 16, e[i].type);
		put32(p + 20, 0);
	}
	add_tag(b, 6, payload, 8 + n * 24);
}

struct efi_desc {
	uint32_t type;
	uint64_t phys, pages, attr;
};

/* Descriptors of 48 bytes, as OVMF reports them. */
static void add_efi_mmap(struct blk *b, const struct efi_desc *d, size_t n)
{
	static uint8_t payload[1 << 16];
	const size_t dsize = 48;
	assert_true(8 + n * dsize <= sizeof(payload));
	memset(payload, 0, sizeof(payload));
	put32(payload, (uint32_t)dsize);
	put32(payload + 4, 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = payload + 8 + i * dsize;
		put32(p, d[i].type);
		put64(p + 8, d[i].phys);
		put64(p + 16, 0);
		put64(p + 24, d[i].pages);
		put64(p + 32, d[i].attr);
	}
	add_tag(b, 17, payload, 8 + n * dsize);
}

static const uint8_t rsdp_v1[20] = "RSD PTR \x42" "BOCHS \x00\x00\xe0\x0f\x00";
static const uint8_t rsdp_v2[36] = "RSD PTR \x17" "BOCHS \x02\x00\xe0\x0f\x00"
				   "\x24\x00\x00\x00\x80\xe1\x0f\x00"
				   "\x00\x00\x00\x00\x99\x00\x00\x00";

static void add_rsdp(struct blk *b, bool v2)
{
	if (v2)
		add_tag(b, 15, rsdp_v2, sizeof(rsdp_v2));
	else
		add_tag(b, 14, rsdp_v1, sizeof(rsdp_v1));
}

static void add_framebuffer_rgb(struct blk *b)
{
	uint8_t p[32] = { 0 };
	put64(p, 0x80000000ull);
	put32(p + 8, 1280 * 4);
	put32(p + 12, 1280);
	put32(p + 16, 800);
	p[20] = 32;        /* bpp */
	p[21] = 1;         /* direct RGB */
	p[24] = 16; p[25] = 8;   /* red */
	p[26] = 8;  p[27] = 8;   /* green */
	p[28] = 0;  p[29] = 8;   /* blue */
	add_tag(b, 8, p, 30);
}

static void add_efi64(struct blk *b, uint64_t table)
{
	uint8_t p[8];
	put64(p, table);
	add_tag(b, 12, p, 8);
}

static void blk_finish(struct blk *b)
{
	add_tag(b, 0, NULL, 0);
	put32(b->buf, (uint32_t)b->len);
}

/* Parses a heap copy of the first `avail` bytes of the block. */
static int parse_n(struct boot_info *bi, const void *data, size_t avail,
		   char *err, size_t errlen)
{
	void *copy = malloc(avail ? avail : 1);
	assert_non_null(copy);
	memcpy(copy, data, avail);
	int r = mb2_parse(bi, copy, avail, INFO_PHYS, err, errlen);
	free(copy);
	return r;
}

static int parse(struct boot_info *bi, struct blk *b, char *err, size_t errlen)
{
	return parse_n(bi, b->buf, b->len, err, errlen);
}

static struct boot_info *new_bi(void)
{
	struct boot_info *bi = malloc(sizeof(*bi));
	assert_non_null(bi);
	memset(bi, 0xa5, sizeof(*bi));
	return bi;
}

static struct blk *new_blk(void)
{
	struct blk *b = malloc(sizeof(*b));
	assert_non_null(b);
	blk_init(b);
	return b;
}

/* ---- invariants --------------------------------------------------------- */

static void check_string(const struct boot_info *bi, const char *s)
{
	assert_non_null(s);
	const char *lo = bi->strings, *hi = bi->strings + BOOT_STRINGS;
	if (s >= lo && s < hi)
		assert_non_null(memchr(s, 0, (size_t)(hi - s)));
	else
		assert_int_equal(s[0], 0);
}

static void check_invariants(const struct boot_info *bi)
{
	check_string(bi, bi->cmdline);
	check_string(bi, bi->loader_name);
	assert_true(bi->strings_used <= BOOT_STRINGS);
	assert_true(bi->module_count <= BOOT_MAX_MODULES);
	for (unsigned i = 0; i < bi->module_count; i++) {
		check_string(bi, bi->modules[i].cmdline);
		assert_true(bi->modules[i].start <= bi->modules[i].end);
	}
	assert_true(bi->mmap_count <= BOOT_MAX_MMAP);
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct mem_range *r = &bi->mmap[i];
		assert_true(r->len > 0);
		assert_true(r->len <= UINT64_MAX - r->base);
		assert_in_range(r->type, MEM_USABLE, MEM_BAD);
		if (i > 0) {
			const struct mem_range *p = &bi->mmap[i - 1];
			assert_true(p->base + p->len <= r->base);
			if (p->base + p->len == r->base)
				assert_int_not_equal(p->type, r->type);
		}
	}
	if (bi->dropped_mmap)
		assert_int_equal(bi->mmap_count, BOOT_MAX_MMAP);
	assert_true(bi->rsdp_len == 0 || bi->rsdp_len == 20 ||
		    bi->rsdp_len == 36);
	assert_true(bi->info_end > bi->info_start);
	assert_int_equal(bi->info_start, INFO_PHYS);
}

static void check_range(const struct boot_info *bi, unsigned i, uint64_t base,
			uint64_t len, uint32_t type)
{
	assert_true(i < bi->mmap_count);
	assert_int_equal(bi->mmap[i].base, base);
	assert_int_equal(bi->mmap[i].len, len);
	assert_int_equal(bi->mmap[i].type, type);
}

/* ---- realistic blocks --------------------------------------------------- */

/* GRUB 2 under SeaBIOS, QEMU -m 512M: what yakvm sees in the demo. */
static const struct e820 seabios_e820[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x1fee0000, 1 },
	{ 0x1ffe0000, 0x20000, 2 },
	{ 0xfeffc000, 0x4000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
};

static void build_seabios(struct blk *b)
{
	blk_init(b);
	add_string_tag(b, 1, "/boot/yakvm.elf loglevel=debug console=com1");
	add_string_tag(b, 2, "GRUB 2.06-13+deb12u1");
	add_module(b, 0x200000, 0x203456, "/guests/hello.elf name=hello mem=16M");
	add_module(b, 0x204000, 0x204100, "/guests/extra.bin attach=hello -- x");
	add_tag(b, 10, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12); /* APM */
	add_tag(b, 4, "\x7f\x02\x00\x00\x00\xfc\x07\x00", 8); /* basic meminfo */
	add_tag(b, 5, "\xe0\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff", 12); /* bootdev */
	add_mmap(b, seabios_e820, sizeof(seabios_e820) / sizeof(seabios_e820[0]));
	add_rsdp(b, false);
	add_rsdp(b, true);
	blk_finish(b);
}

static void test_seabios_grub(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	char err[128] = "x";
	build_seabios(b);
	assert_int_equal(parse(bi, b, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	check_invariants(bi);

	assert_string_equal(bi->cmdline, "/boot/yakvm.elf loglevel=debug console=com1");
	assert_string_equal(bi->loader_name, "GRUB 2.06-13+deb12u1");
	assert_int_equal(bi->module_count, 2);
	assert_int_equal(bi->dropped_modules, 0);
	assert_int_equal(bi->modules[0].start, 0x200000);
	assert_int_equal(bi->modules[0].end, 0x203456);
	assert_string_equal(bi->modules[0].cmdline, "/guests/hello.elf name=hello mem=16M");
	assert_int_equal(bi->modules[1].start, 0x204000);
	assert_string_equal(bi->modules[1].cmdline, "/guests/extra.bin attach=hello -- x");

	assert_int_equal(bi->mmap_count, 7);
	assert_int_equal(bi->dropped_mmap, 0);
	for (unsigned i = 0; i < 7; i++)
		check_range(bi, i, seabios_e820[i].base, seabios_e820[i].len,
			    seabios_e820[i].type);

	assert_int_equal(bi->rsdp_len, 36);
	assert_memory_equal(bi->rsdp, rsdp_v2, 36);
	assert_false(bi->fb.present);
	assert_int_equal(bi->efi_system_table, 0);
	assert_int_equal(bi->info_start, INFO_PHYS);
	assert_int_equal(bi->info_end, INFO_PHYS + b->len);
	assert_false(bi->strings_truncated);
	free(bi);
	free(b);
}

static void test_rsdp_v1_only_and_order(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	add_rsdp(b, false);
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	assert_int_equal(bi->rsdp_len, 20);
	assert_memory_equal(bi->rsdp, rsdp_v1, 20);

	/* v2 wins even when it comes first */
	blk_init(b);
	add_rsdp(b, true);
	add_rsdp(b, false);
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	assert_int_equal(bi->rsdp_len, 36);
	assert_memory_equal(bi->rsdp, rsdp_v2, 36);
	free(bi);
	free(b);
}

/* GRUB 2 under OVMF: no tag 6 when boot services are still up, an EFI
 * memory map, the EFI64 system table and a GOP framebuffer. */
static const struct efi_desc ovmf_map[] = {
	{ 3, 0x0, 1, 0xf },               /* BootServicesCode */
	{ 7, 0x1000, 0x9f, 0xf },         /* Conventional */
	{ 4, 0xa0000, 0x60, 0xf },        /* BootServicesData: no VGA hole? */
	{ 7, 0x100000, 0x700, 0xf },      /* Conventional */
	{ 10, 0x800000, 0x8, 0xf },       /* ACPI NVS */
	{ 7, 0x808000, 0x8, 0xf },
	{ 10, 0x810000, 0xf0, 0xf },
	{ 7, 0x900000, 0x1000, 0xf },
	{ 2, 0x1900000, 0x100, 0xf },     /* LoaderData */
	{ 1, 0x1a00000, 0x20, 0xf },      /* LoaderCode */
	{ 4, 0x1a20000, 0x1e0, 0xf },
	{ 9, 0x1c00000, 0x10, 0xf },      /* ACPI reclaim */
	{ 6, 0x1c10000, 0x10, 0x800000000000000full }, /* RuntimeData */
	{ 5, 0x1c20000, 0x10, 0x800000000000000full }, /* RuntimeCode */
	{ 0, 0x1c30000, 0x10, 0 },        /* Reserved */
	{ 8, 0x1c40000, 0x1, 0 },         /* Unusable */
	{ 7, 0x1c41000, 0x1e3bf, 0xf },   /* up to 512M */
	{ 11, 0xffc00000, 0x400, 1ull << 63 }, /* MMIO (flash) */
	{ 14, 0x100000000, 0x100, 0 },    /* persistent: reserved */
};

static void build_ovmf(struct blk *b)
{
	blk_init(b);
	add_string_tag(b, 1, "/boot/yakvm.elf");
	add_string_tag(b, 2, "GRUB 2.06");
	add_module(b, 0x1b00000, 0x1b02000, "/guests/hello.elf name=hello");
	add_efi64(b, 0x1f9ec018);
	add_framebuffer_rgb(b);
	add_efi_mmap(b, ovmf_map, sizeof(ovmf_map) / sizeof(ovmf_map[0]));
	add_rsdp(b, true);
	blk_finish(b);
}

static void test_ovmf_grub_efi_mmap(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	char err[128];
	build_ovmf(b);
	assert_int_equal(parse(bi, b, err, sizeof(err)), 0);
	check_invariants(bi);
	assert_string_equal(bi->cmdline, "/boot/yakvm.elf");
	assert_int_equal(bi->efi_system_table, 0x1f9ec018);
	assert_true(bi->fb.present);
	assert_int_equal(bi->fb.addr, 0x80000000ull);
	assert_int_equal(bi->fb.pitch, 5120);
	assert_int_equal(bi->fb.width, 1280);
	assert_int_equal(bi->fb.height, 800);
	assert_int_equal(bi->fb.bpp, 32);
	assert_int_equal(bi->fb.type, 1);
	assert_int_equal(bi->fb.red_pos, 16);
	assert_int_equal(bi->fb.red_size, 8);
	assert_int_equal(bi->fb.green_pos, 8);
	assert_int_equal(bi->fb.green_size, 8);
	assert_int_equal(bi->fb.blue_pos, 0);
	assert_int_equal(bi->fb.blue_size, 8);

	unsigned i = 0;
	/* boot services, conventional and loader memory merge */
	check_range(bi, i++, 0x0, 0x800000, MEM_USABLE);
	check_range(bi, i++, 0x800000, 0x8000, MEM_ACPI_NVS);
	check_range(bi, i++, 0x808000, 0x8000, MEM_USABLE);
	check_range(bi, i++, 0x810000, 0xf0000, MEM_ACPI_NVS);
	check_range(bi, i++, 0x900000, 0x1300000, MEM_USABLE);
	check_range(bi, i++, 0x1c00000, 0x10000, MEM_ACPI_RECLAIMABLE);
	check_range(bi, i++, 0x1c10000, 0x30000, MEM_RESERVED);
	check_range(bi, i++, 0x1c40000, 0x1000, MEM_BAD);
	check_range(bi, i++, 0x1c41000, 0x1e3bf000ull, MEM_USABLE);
	/* MMIO and persistent memory: both reserved, adjacent, merged */
	check_range(bi, i++, 0xffc00000, 0x500000, MEM_RESERVED);
	assert_int_equal(bi->mmap_count, i);
	free(bi);
	free(b);
}

static void test_efi_mmap_ignored_with_mmap_tag(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	const struct e820 e[] = { { 0x1000, 0x1000, 1 } };
	add_efi_mmap(b, ovmf_map, 3);
	add_mmap(b, e, 1);
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	assert_int_equal(bi->mmap_count, 1);
	check_range(bi, 0, 0x1000, 0x1000, MEM_USABLE);
	free(bi);
	free(b);
}

static void test_empty_block(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	blk_finish(b);
	assert_int_equal(b->len, 16);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	check_invariants(bi);
	assert_string_equal(bi->cmdline, "");
	assert_string_equal(bi->loader_name, "");
	assert_int_equal(bi->mmap_count, 0);
	assert_int_equal(bi->module_count, 0);
	assert_int_equal(bi->rsdp_len, 0);
	assert_int_equal(bi->info_end, INFO_PHYS + 16);
	free(bi);
	free(b);
}

/* Unknown tags, odd sizes (8-byte padding), an empty cmdline, a string with
 * no NUL, and bytes past total_size that must not be read as tags. */
static void test_unknown_tags_and_padding(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	add_tag(b, 0x1234, "abc", 3);
	add_tag(b, 21, "\x01\x02\x03\x04\x05", 5);
	add_tag(b, 1, "", 0);                  /* cmdline with no bytes */
	add_tag(b, 2, "GRUB", 4);              /* no terminating NUL */
	add_tag(b, 1, "second\0", 7);          /* duplicate: first wins */
	add_tag(b, 99, NULL, 0);
	add_module(b, 0x1000, 0x1000, "");     /* empty module */
	blk_finish(b);
	/* garbage after the end tag, inside avail */
	memset(b->buf + b->len, 0xff, 64);
	assert_int_equal(parse_n(bi, b->buf, b->len + 64, NULL, 0), 0);
	check_invariants(bi);
	assert_string_equal(bi->cmdline, "");
	assert_string_equal(bi->loader_name, "GRUB");
	assert_int_equal(bi->module_count, 1);
	assert_string_equal(bi->modules[0].cmdline, "");
	free(bi);
	free(b);
}

/* ---- memory map normalization ------------------------------------------- */

static void parse_map(struct boot_info *bi, const struct e820 *e, size_t n)
{
	struct blk *b = new_blk();
	char err[128];
	add_mmap(b, e, n);
	blk_finish(b);
	assert_int_equal(parse(bi, b, err, sizeof(err)), 0);
	check_invariants(bi);
	free(b);
}

static void test_mmap_unsorted_overlapping(void **state)
{
	struct boot_info *bi = new_bi();
	const struct e820 e[] = {
		{ 0x100000, 0x700000, 1 },
		{ 0x0, 0x100000, 1 },           /* merges with the one above */
		{ 0x80000, 0x10000, 2 },        /* reserved hole in usable */
		{ 0x200000, 0x1000, 3 },        /* ACPI inside usable */
		{ 0x200800, 0x1000, 4 },        /* NVS overlaps ACPI: NVS wins */
		{ 0x300000, 0x2000, 3 },        /* ACPI vs reserved: reserved */
		{ 0x301000, 0x2000, 2 },
		{ 0x400000, 0x2000, 5 },        /* bad vs reserved: bad */
		{ 0x401000, 0x2000, 2 },
		{ 0x500000, 0x1000, 7 },        /* unknown type: reserved */
		{ 0x501000, 0x1000, 0 },        /* type 0: reserved, merges */
		{ 0x600000, 0x0, 2 },           /* zero-length: dropped */
		{ 0x700000, 0x100000, 1 },      /* duplicate of a part */
		{ 0x0, 0x80000, 1 },            /* duplicate */
	};
	parse_map(bi, e, sizeof(e) / sizeof(e[0]));
	unsigned i = 0;
	check_range(bi, i++, 0x0, 0x80000, MEM_USABLE);
	check_range(bi, i++, 0x80000, 0x10000, MEM_RESERVED);
	check_range(bi, i++, 0x90000, 0x200000 - 0x90000, MEM_USABLE);
	check_range(bi, i++, 0x200000, 0x800, MEM_ACPI_RECLAIMABLE);
	check_range(bi, i++, 0x200800, 0x1000, MEM_ACPI_NVS);
	check_range(bi, i++, 0x201800, 0x300000 - 0x201800, MEM_USABLE);
	check_range(bi, i++, 0x300000, 0x1000, MEM_ACPI_RECLAIMABLE);
	check_range(bi, i++, 0x301000, 0x2000, MEM_RESERVED);
	check_range(bi, i++, 0x303000, 0x400000 - 0x303000, MEM_USABLE);
	check_range(bi, i++, 0x400000, 0x2000, MEM_BAD);
	check_range(bi, i++, 0x402000, 0x1000, MEM_RESERVED);
	check_range(bi, i++, 0x403000, 0x500000 - 0x403000, MEM_USABLE);
	check_range(bi, i++, 0x500000, 0x2000, MEM_RESERVED);
	check_range(bi, i++, 0x502000, 0x800000 - 0x502000, MEM_USABLE);
	assert_int_equal(bi->mmap_count, i);
	free(bi);
}

static void test_mmap_wraps_past_2_64(void **state)
{
	struct boot_info *bi = new_bi();
	const struct e820 e[] = {
		{ 0xffffffffffff0000ull, 0x20000, 2 },
		{ 0xfffffffffffff000ull, 0x1000, 1 },   /* ends exactly at 2^64 */
		{ UINT64_MAX, 5, 1 },                    /* clips to nothing */
		{ 0x1000, UINT64_MAX, 1 },               /* everything above */
	};
	parse_map(bi, e, sizeof(e) / sizeof(e[0]));
	check_range(bi, 0, 0x1000, 0xffffffffffff0000ull - 0x1000, MEM_USABLE);
	check_range(bi, 1, 0xffffffffffff0000ull, 0xffff, MEM_RESERVED);
	assert_int_equal(bi->mmap_count, 2);
	free(bi);
}

static void test_mmap_all_zero_length(void **state)
{
	struct boot_info *bi = new_bi();
	const struct e820 e[] = { { 0x1000, 0, 1 }, { 0, 0, 2 } };
	parse_map(bi, e, 2);
	assert_int_equal(bi->mmap_count, 0);
	assert_int_equal(bi->dropped_mmap, 0);
	free(bi);
}

/* More distinct ranges than BOOT_MAX_MMAP: the lowest ones are kept. */
static void test_mmap_too_many_ranges(void **state)
{
	enum { N = 1000 };
	struct e820 *e = calloc(N, sizeof(*e));
	struct boot_info *bi = new_bi();
	for (unsigned i = 0; i < N; i++) {
		/* given backwards, alternating types, touching */
		unsigned k = N - 1 - i;
		e[i] = (struct e820){ (uint64_t)k << 12, 0x1000, k % 2 ? 2 : 1 };
	}
	parse_map(bi, e, N);
	assert_int_equal(bi->mmap_count, BOOT_MAX_MMAP);
	assert_int_equal(bi->dropped_mmap, N - BOOT_MAX_MMAP);
	for (unsigned k = 0; k < BOOT_MAX_MMAP; k++)
		check_range(bi, k, (uint64_t)k << 12, 0x1000, k % 2 ? 2 : 1);

	/* the same count, all one type: merges into one range */
	for (unsigned i = 0; i < N; i++)
		e[i].type = 1;
	parse_map(bi, e, N);
	assert_int_equal(bi->mmap_count, 1);
	assert_int_equal(bi->dropped_mmap, 0);
	check_range(bi, 0, 0, (uint64_t)N << 12, MEM_USABLE);
	free(e);
	free(bi);
}

static void test_efi_mmap_page_overflow(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	const struct efi_desc d[] = {
		{ 7, 0x100000, UINT64_MAX, 0 },     /* pages * 4096 overflows */
		{ 8, 0x200000, 1, 0 },
	};
	add_efi_mmap(b, d, 2);
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	check_invariants(bi);
	check_range(bi, 0, 0x100000, 0x100000, MEM_USABLE);
	check_range(bi, 1, 0x200000, 0x1000, MEM_BAD);
	check_range(bi, 2, 0x201000, UINT64_MAX - 0x201000, MEM_USABLE);
	assert_int_equal(bi->mmap_count, 3);
	free(bi);
	free(b);
}

/* ---- limits ------------------------------------------------------------- */

static void test_too_many_modules(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	char name[32];
	for (unsigned i = 0; i < BOOT_MAX_MODULES + 6; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		add_module(b, 0x100000 + i * 0x1000, 0x100800 + i * 0x1000, name);
	}
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	check_invariants(bi);
	assert_int_equal(bi->module_count, BOOT_MAX_MODULES);
	assert_int_equal(bi->dropped_modules, 6);
	assert_string_equal(bi->modules[BOOT_MAX_MODULES - 1].cmdline, "mod63");
	free(bi);
	free(b);
}

static void test_strings_overflow(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	char *big = malloc(10000);
	memset(big, 'a', 9999);
	big[9999] = 0;
	char mod[400];
	memset(mod, 'm', sizeof(mod) - 1);
	mod[sizeof(mod) - 1] = 0;
	for (int i = 0; i < 30; i++)
		add_module(b, 0x1000, 0x2000, mod);     /* 30 * 400 > 8192 */
	add_tag(b, 1, big, 10000);
	add_string_tag(b, 2, "GRUB");
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	check_invariants(bi);
	assert_true(bi->strings_truncated);
	assert_int_equal(bi->strings_used, BOOT_STRINGS);
	assert_int_equal(bi->module_count, 30);
	assert_string_equal(bi->modules[0].cmdline, mod);
	assert_true(strlen(bi->modules[20].cmdline) < strlen(mod));
	assert_string_equal(bi->modules[29].cmdline, "");
	assert_string_equal(bi->cmdline, "");
	assert_string_equal(bi->loader_name, "");

	/* a single cmdline too long for the whole area */
	blk_init(b);
	add_tag(b, 1, big, 10000);
	add_string_tag(b, 2, "GRUB");
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	check_invariants(bi);
	assert_int_equal(strlen(bi->cmdline), BOOT_STRINGS - 1);
	assert_string_equal(bi->loader_name, "");
	assert_true(bi->strings_truncated);

	/* exactly fills the area, and one byte more */
	for (size_t len = BOOT_STRINGS - 1; len <= BOOT_STRINGS; len++) {
		blk_init(b);
		add_tag(b, 1, big, len);          /* no NUL in the tag */
		blk_finish(b);
		assert_int_equal(parse(bi, b, NULL, 0), 0);
		check_invariants(bi);
		assert_int_equal(bi->strings_used, BOOT_STRINGS);
		assert_int_equal(strlen(bi->cmdline), BOOT_STRINGS - 1);
		assert_int_equal(bi->strings_truncated, len == BOOT_STRINGS);
	}
	free(big);
	free(bi);
	free(b);
}

/* ---- malformed blocks --------------------------------------------------- */

static void expect_error(const void *data, size_t avail, const char *what)
{
	struct boot_info *bi = new_bi();
	char err[160];
	memset(err, 0, sizeof(err));
	assert_int_equal(parse_n(bi, data, avail, err, sizeof(err)), -1);
	assert_non_null(strstr(err, what));
	assert_null(strchr(err, '\n'));
	assert_non_null(bi->cmdline);
	assert_string_equal(bi->cmdline, "");
	assert_string_equal(bi->loader_name, "");
	/* a tiny error buffer is cut short, not overrun */
	char tiny[5];
	assert_int_equal(parse_n(bi, data, avail, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), 4);
	assert_int_equal(parse_n(bi, data, avail, NULL, 0), -1);
	free(bi);
}

static void test_malformed_header(void **state)
{
	struct blk *b = new_blk();
	struct boot_info *bi = new_bi();
	assert_int_equal(mb2_parse(bi, NULL, 100, 0, NULL, 0), -1);
	assert_string_equal(bi->cmdline, "");
	blk_finish(b);
	expect_error(b->buf, 4, "header needs 8");
	expect_error(b->buf, 0, "header needs 8");
	put32(b->buf, 8);
	expect_error(b->buf, 16, "too small");
	put32(b->buf, 0);
	expect_error(b->buf, 16, "too small");
	put32(b->buf, 17);
	expect_error(b->buf, 16, "exceeds");
	put32(b->buf, 0xffffffff);
	expect_error(b->buf, 16, "exceeds");
	/* truncated: the loader says 16, only 15 may be read */
	put32(b->buf, 16);
	expect_error(b->buf, 15, "exceeds");
	/* a block at the very top of the address space */
	assert_int_equal(mb2_parse(bi, b->buf, 16, UINT64_MAX - 8, NULL, 0), -1);
	free(bi);
	free(b);
}

static void test_malformed_tags(void **state)
{
	struct blk *b = new_blk();
	uint8_t *tag;

	/* missing end tag */
	add_string_tag(b, 1, "hello");
	put32(b->buf, (uint32_t)b->len);
	expect_error(b->buf, b->len, "no end tag");

	/* the block ends inside a tag header */
	blk_init(b);
	add_string_tag(b, 1, "hello");
	put32(b->buf, (uint32_t)b->len + 4);
	expect_error(b->buf, b->len + 4, "no end tag");

	/* tag size below 8 (would loop forever if trusted) */
	blk_init(b);
	tag = add_tag(b, 1, "x", 1);
	put32(tag + 4, 0);
	blk_finish(b);
	expect_error(b->buf, b->len, "below 8");
	put32(tag + 4, 7);
	expect_error(b->buf, b->len, "below 8");

	/* tag size past the end */
	put32(tag + 4, 0x1000);
	expect_error(b->buf, b->len, "past the block's end");
	put32(tag + 4, 0xfffffff8);
	expect_error(b->buf, b->len, "past the block's end");

	/* end tag of the wrong size */
	blk_init(b);
	tag = add_tag(b, 0, "\0\0\0\0\0\0\0\0", 8);
	put32(b->buf, (uint32_t)b->len);
	expect_error(b->buf, b->len, "not 8");

	/* truncated block: total_size honest, avail short */
	struct blk *good = new_blk();
	build_seabios(good);
	for (size_t n = 0; n < good->len; n += 7)
		expect_error(good->buf, n, n < 8 ? "header" : "exceeds");
	/* truncated block: total_size shrunk, so the end tag is cut off */
	for (size_t n = 16; n < good->len; n += 8) {
		memcpy(b->buf, good->buf, good->len);
		put32(b->buf, (uint32_t)n);
		struct boot_info *bi = new_bi();
		assert_int_equal(parse_n(bi, b->buf, n, NULL, 0), -1);
		free(bi);
	}
	free(good);
	free(b);
}

static void test_malformed_tag_contents(void **state)
{
	struct blk *b = new_blk();
	uint8_t *tag;
	const struct e820 e[] = { { 0, 0x1000, 1 } };
	const struct efi_desc d[] = { { 7, 0, 1, 0 } };

	blk_init(b);
	add_tag(b, 3, "\0\0\0\0\0\0\0", 7);
	blk_finish(b);
	expect_error(b->buf, b->len, "module tag too short");

	blk_init(b);
	add_module(b, 0x2000, 0x1000, "backwards");
	blk_finish(b);
	expect_error(b->buf, b->len, "module ends before it starts");

	blk_init(b);
	tag = b->buf + b->len;
	add_mmap(b, e, 1);
	blk_finish(b);
	put32(tag + 8, 16);
	expect_error(b->buf, b->len, "entry_size below 24");
	put32(tag + 8, 0);
	expect_error(b->buf, b->len, "entry_size below 24");
	put32(tag + 4, 12);
	expect_error(b->buf, b->len, "memory map tag too short");

	/* entry_size larger than the entries: no whole entry, no range */
	put32(tag + 4, 8 + 8 + 24);
	put32(tag + 8, 0x10000);
	struct boot_info *bi = new_bi();
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	assert_int_equal(bi->mmap_count, 0);
	/* entry_size 32: entries read with the bigger stride */
	uint8_t wide[8 + 2 * 32] = { 0 };
	put32(wide, 32);
	put64(wide + 8 + 8, 0x1000);
	put32(wide + 8 + 16, 1);
	put64(wide + 40, 0x3000);             /* second entry */
	put64(wide + 40 + 8, 0x1000);
	put32(wide + 40 + 16, 2);
	blk_init(b);
	add_tag(b, 6, wide, sizeof(wide));
	blk_finish(b);
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	assert_int_equal(bi->mmap_count, 2);
	check_range(bi, 1, 0x3000, 0x1000, MEM_RESERVED);
	check_range(bi, 0, 0, 0x1000, MEM_USABLE);
	free(bi);

	blk_init(b);
	tag = b->buf + b->len;
	add_efi_mmap(b, d, 1);
	blk_finish(b);
	put32(tag + 8, 32);
	expect_error(b->buf, b->len, "descriptor_size below 40");
	put32(tag + 4, 15);
	expect_error(b->buf, b->len, "EFI memory map tag too short");

	blk_init(b);
	add_tag(b, 14, rsdp_v1, 19);
	blk_finish(b);
	expect_error(b->buf, b->len, "ACPI old RSDP tag too short");

	blk_init(b);
	add_tag(b, 15, rsdp_v2, 20);
	blk_finish(b);
	expect_error(b->buf, b->len, "ACPI new RSDP tag too short");

	blk_init(b);
	add_tag(b, 12, "\0\0\0\0", 4);
	blk_finish(b);
	expect_error(b->buf, b->len, "EFI64 system table tag too short");

	blk_init(b);
	add_tag(b, 8, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	blk_finish(b);
	expect_error(b->buf, b->len, "framebuffer tag too short");

	uint8_t fb[30] = { 0 };
	fb[21] = 1;
	blk_init(b);
	add_tag(b, 8, fb, 24);
	blk_finish(b);
	expect_error(b->buf, b->len, "too short for its color info");
	fb[21] = 2; /* EGA text: no color info needed */
	blk_init(b);
	add_tag(b, 8, fb, 24);
	blk_finish(b);
	bi = new_bi();
	assert_int_equal(parse(bi, b, NULL, 0), 0);
	assert_true(bi->fb.present);
	assert_int_equal(bi->fb.type, 2);
	free(bi);
	free(b);
}

/* ---- fuzzing ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void mutate(uint8_t *buf, size_t len)
{
	static const uint32_t interesting[] = {
		0, 1, 7, 8, 9, 15, 16, 20, 23, 24, 36, 40, 48, 0x7fffffff,
		0x80000000u, 0xfffffff8u, 0xffffffffu,
	};
	unsigned edits = 1 + (unsigned)(rng() % 6);
	for (unsigned i = 0; i < edits; i++) {
		size_t at = (size_t)(rng() % len);
		switch (rng() % 4) {
		case 0:
			buf[at] = (uint8_t)rng();
			break;
		case 1:
			buf[at] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 2:
			if (at + 4 <= len)
				put32(buf + (at & ~(size_t)3),
				      interesting[rng() % (sizeof(interesting) /
							   sizeof(interesting[0]))]);
			break;
		default:
			if (at + 8 <= len)
				put64(buf + (at & ~(size_t)7), rng());
			break;
		}
	}
}

static void fuzz_from(struct blk *seed, unsigned iterations, unsigned *ok)
{
	uint8_t *work = malloc(seed->len);
	struct boot_info *bi = new_bi();
	char err[96];
	for (unsigned i = 0; i < iterations; i++) {
		memcpy(work, seed->buf, seed->len);
		mutate(work, seed->len);
		size_t avail = seed->len;
		if (rng() % 8 == 0)
			avail = (size_t)(rng() % (seed->len + 1));
		err[0] = 'x';
		int r = parse_n(bi, work, avail, err, sizeof(err));
		if (r == 0) {
			check_invariants(bi);
			assert_true(bi->info_end - bi->info_start <= avail);
			(*ok)++;
		} else {
			assert_int_equal(r, -1);
			assert_true(err[0] != '\0' && err[0] != 'x');
			assert_non_null(memchr(err, 0, sizeof(err)));
			check_string(bi, bi->cmdline);
			check_string(bi, bi->loader_name);
		}
	}
	free(bi);
	free(work);
}

static void test_fuzz(void **state)
{
	struct blk *b = new_blk();
	unsigned ok = 0;
	build_seabios(b);
	fuzz_from(b, 6000, &ok);
	build_ovmf(b);
	fuzz_from(b, 6000, &ok);
	/* some mutants must still parse, or the fuzzing tests little */
	assert_true(ok > 1000);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seabios_grub),
		cmocka_unit_test(test_rsdp_v1_only_and_order),
		cmocka_unit_test(test_ovmf_grub_efi_mmap),
		cmocka_unit_test(test_efi_mmap_ignored_with_mmap_tag),
		cmocka_unit_test(test_empty_block),
		cmocka_unit_test(test_unknown_tags_and_padding),
		cmocka_unit_test(test_mmap_unsorted_overlapping),
		cmocka_unit_test(test_mmap_wraps_past_2_64),
		cmocka_unit_test(test_mmap_all_zero_length),
		cmocka_unit_test(test_mmap_too_many_ranges),
		cmocka_unit_test(test_efi_mmap_page_overflow),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_strings_overflow),
		cmocka_unit_test(test_malformed_header),
		cmocka_unit_test(test_malformed_tags),
		cmocka_unit_test(test_malformed_tag_contents),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
