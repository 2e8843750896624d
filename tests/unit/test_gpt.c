/*
 * tests/unit/test_gpt.c - drivers/block/gpt.c, drivers/block/catalogue.c
 * and lib/crc32.c: GPT images built here from known bytes (UEFI 2.x,
 * 5.2.3, 5.3.2, 5.3.3), with correct and broken CRCs, read through the
 * parser's callback; names in UTF-16LE; partitions found by name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "drivers/block/gpt.h"
#include "drivers/block/catalogue.h"
#include "lib/crc32.h"

struct image {
	uint8_t *bytes;
	uint32_t ss;
	uint64_t sectors;
	int fail_lba;	/* reads of this LBA fail; -1: none */
};

static int image_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct image *im = ctx;
	if (lba + count > im->sectors)
		return -1;
	if (im->fail_lba >= 0 && (uint64_t)im->fail_lba >= lba &&
	    (uint64_t)im->fail_lba < lba + count)
		return -1;
	memcpy(buf, im->bytes + lba * im->ss, (size_t)count * im->ss);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The type GUID of "Linux filesystem", as stored (mixed endian). */
static const uint8_t LINUX_FS[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				      0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };

#define ENTRIES 128

static void set_name(uint8_t *e, const char *ascii)
{
	for (unsigned i = 0; ascii[i] && i < 36; i++) {
		e[56 + 2 * i] = (uint8_t)ascii[i];
		e[56 + 2 * i + 1] = 0;
	}
}

/* Writes one header at lba with its array at entry_lba. */
static void write_header(struct image *im, uint64_t lba, uint64_t alt, uint64_t entry_lba,
			 uint32_t entry_size, uint64_t first_usable, uint64_t last_usable)
{
	uint8_t *h = im->bytes + lba * im->ss;
	memset(h, 0, im->ss);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, first_usable);
	put64(h + 48, last_usable);
	for (int i = 0; i < 16; i++)
		h[56 + i] = (uint8_t)(0xd0 + i);
	put64(h + 72, entry_lba);
	put32(h + 80, ENTRIES);
	put32(h + 84, entry_size);
	put32(h + 88, crc32_update(0, im->bytes + entry_lba * im->ss,
				   (size_t)ENTRIES * entry_size));
	put32(h + 16, crc32_update(0, h, 92));
}

static void rehash_header(struct image *im, uint64_t lba)
{
	uint8_t *h = im->bytes + lba * im->ss;
	put32(h + 16, 0);
	put32(h + 16, crc32_update(0, h, 92));
}

/* A disk with three partitions: "boot" (2 sectors), "data", unnamed; the
 * primary and the backup array and header, a protective MBR. */
static struct image make_image(uint32_t ss, uint64_t sectors, uint32_t entry_size)
{
	struct image im = { .bytes = calloc(sectors, ss), .ss = ss, .sectors = sectors,
			    .fail_lba = -1 };
	assert_non_null(im.bytes);
	uint8_t *mbr = im.bytes;
	mbr[446 + 4] = 0xee;
	put32(mbr + 446 + 8, 1);
	put32(mbr + 446 + 12, (uint32_t)(sectors - 1));
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	uint64_t array_sectors = ((uint64_t)ENTRIES * entry_size + ss - 1) / ss;
	uint64_t first_usable = 2 + array_sectors, last_usable = sectors - 2 - array_sectors;
	uint8_t *arr = im.bytes + 2 * ss;
	struct { uint64_t first, last; const char *name; } parts[] = {
		{ first_usable, first_usable + 1, "boot" },
		{ first_usable + 2, last_usable, "data" },
		{ first_usable + 2, first_usable + 2, "" },	/* overlaps: kept */
	};
	for (int i = 0; i < 3; i++) {
		uint8_t *e = arr + (size_t)i * entry_size;
		memcpy(e, LINUX_FS, 16);
		for (int k = 0; k < 16; k++)
			e[16 + k] = (uint8_t)(16 * i + k);
		put64(e + 32, parts[i].first);
		put64(e + 40, parts[i].last);
		put64(e + 48, 1ull << 63);
		set_name(e, parts[i].name);
	}
	uint64_t backup_array = sectors - 1 - array_sectors;
	memcpy(im.bytes + backup_array * ss, arr, array_sectors * ss);
	write_header(&im, 1, sectors - 1, 2, entry_size, first_usable, last_usable);
	write_header(&im, sectors - 1, 1, backup_array, entry_size, first_usable, last_usable);
	return im;
}

static struct gpt_disk disk;	/* large */

static void test_crc32_known_answer(void **state)
{
	/* The CRC-32 check value of "123456789" (IEEE 802.3, as zlib). */
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xcbf43926);
	assert_int_equal(crc32_update(0, "", 0), 0);
}

static void check_three(const struct image *im, enum gpt_source source)
{
	assert_int_equal(disk.source, source);
	assert_int_equal(disk.count, 3);
	assert_int_equal(disk.bad, 0);
	assert_int_equal(disk.entries, ENTRIES);
	assert_string_equal(disk.parts[0].name, "boot");
	assert_string_equal(disk.parts[1].name, "data");
	assert_string_equal(disk.parts[2].name, "");
	assert_int_equal(disk.parts[0].index, 1);
	assert_int_equal(disk.parts[2].index, 3);
	assert_int_equal(disk.parts[1].last_lba, disk.last_usable);
	assert_int_equal(disk.parts[0].first_lba, disk.first_usable);
	assert_int_equal(disk.parts[0].attributes, 1ull << 63);
	char g[37];
	gpt_guid_format(disk.parts[0].type_guid, g);
	assert_string_equal(g, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	gpt_guid_format(disk.parts[1].unique_guid, g);
	assert_string_equal(g, "13121110-1514-1716-1819-1a1b1c1d1e1f");
	(void)im;
}

static void test_good_primary(void **state)
{
	struct image im = make_image(512, 256, 128);
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), 0);
	check_three(&im, GPT_PRIMARY);
	assert_int_equal(disk.first_usable, 34);
	assert_int_equal(disk.last_usable, 256 - 34);
	free(im.bytes);
}

static void test_4k_sectors_and_large_entries(void **state)
{
	struct image im = make_image(4096, 64, 128);
	assert_int_equal(gpt_read(&disk, 4096, 64, image_read, &im), 0);
	check_three(&im, GPT_PRIMARY);
	free(im.bytes);
	/* Entries of 256 bytes (128 x 2^1): each still read from its sector. */
	im = make_image(512, 512, 256);
	assert_int_equal(gpt_read(&disk, 512, 512, image_read, &im), 0);
	check_three(&im, GPT_PRIMARY);
	free(im.bytes);
}

static void test_bad_header_crc_uses_backup(void **state)
{
	struct image im = make_image(512, 256, 128);
	im.bytes[512 + 40] ^= 1;	/* FirstUsableLBA changed, CRC not */
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), 0);
	check_three(&im, GPT_BACKUP);
	assert_string_equal(disk.primary_problem, "header CRC mismatch");
	free(im.bytes);
}

static void test_bad_array_crc_uses_backup(void **state)
{
	struct image im = make_image(512, 256, 128);
	im.bytes[2 * 512 + 56] = 'X';	/* the primary array's first name */
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), 0);
	check_three(&im, GPT_BACKUP);
	assert_string_equal(disk.primary_problem, "entry array CRC mismatch");
	free(im.bytes);
}

static void test_primary_unreadable_uses_backup(void **state)
{
	struct image im = make_image(512, 256, 128);
	im.fail_lba = 1;
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), 0);
	check_three(&im, GPT_BACKUP);
	assert_string_equal(disk.primary_problem, "cannot read the header");
	free(im.bytes);
}

static void test_both_bad(void **state)
{
	struct image im = make_image(512, 256, 128);
	im.bytes[512 + 40] ^= 1;
	im.bytes[255 * 512 + 40] ^= 1;
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), -1);
	assert_int_equal(disk.source, GPT_NONE);
	assert_int_equal(disk.count, 0);
	assert_string_equal(disk.problem,
			    "primary: header CRC mismatch; backup: header CRC mismatch");
	free(im.bytes);
}

static void test_header_checks(void **state)
{
	struct {
		unsigned off;
		uint32_t value;
		const char *why;
	} cases[] = {
		{ 0, 0x20494645 ^ 1, "no signature" },
		{ 12, 91, "bad header size" },
		{ 12, 513, "bad header size" },
		{ 24, 2, "MyLBA is not where it was read" },
		{ 40, 300, "bad usable range" },
		{ 48, 255, "bad usable range" },
		{ 84, 100, "bad entry size" },
		{ 84, 384, "bad entry size" },
		{ 80, 0, "bad number of entries" },
		{ 80, GPT_MAX_ENTRIES + 1, "bad number of entries" },
		{ 80, 100000, "bad number of entries" },
		{ 72, 250, "entry array outside the disk" },
		{ 72, 1, "entry array outside the disk" },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image im = make_image(512, 256, 128);
		uint8_t *h = im.bytes + 512;
		if (cases[i].off == 24 || cases[i].off == 40 || cases[i].off == 48 ||
		    cases[i].off == 72)
			put64(h + cases[i].off, cases[i].value);
		else
			put32(h + cases[i].off, cases[i].value);
		rehash_header(&im, 1);
		/* The backup is broken too, so the primary's reason is the answer. */
		memset(im.bytes + 255 * 512, 0, 512);
		assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), -1);
		assert_string_equal(disk.primary_problem, cases[i].why);
		free(im.bytes);
	}
}

static void test_no_protective_mbr(void **state)
{
	struct image im = make_image(512, 256, 128);
	im.bytes[446 + 4] = 0x83;
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), -1);
	assert_string_equal(disk.problem, "no protective MBR");
	im.bytes[446 + 4] = 0xee;
	im.bytes[511] = 0;
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), -1);
	assert_string_equal(disk.problem, "no protective MBR");
	/* A hybrid MBR: 0xEE in the second record. */
	im.bytes[511] = 0xaa;
	im.bytes[446 + 4] = 0x83;
	im.bytes[446 + 16 + 4] = 0xee;
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), 0);
	free(im.bytes);
}

static void test_bad_geometry(void **state)
{
	struct image im = make_image(512, 256, 128);
	assert_int_equal(gpt_read(&disk, 1024 + 512, 256, image_read, &im), -1);
	assert_string_equal(disk.problem, "unsupported sector size");
	assert_int_equal(gpt_read(&disk, 256, 256, image_read, &im), -1);
	assert_int_equal(gpt_read(&disk, 512, 3, image_read, &im), -1);
	assert_string_equal(disk.problem, "disk too small");
	/* The disk said to be larger than the image: the backup is not found. */
	im.bytes[512 + 40] ^= 1;
	assert_int_equal(gpt_read(&disk, 512, 300, image_read, &im), -1);
	free(im.bytes);
}

static void test_entry_outside_usable_range(void **state)
{
	struct image im = make_image(512, 256, 128);
	uint8_t *e = im.bytes + 2 * 512 + 128;	/* "data" */
	put64(e + 40, 255);	/* past LastUsableLBA */
	uint8_t *e3 = im.bytes + 2 * 512 + 256;
	put64(e3 + 32, 100);
	put64(e3 + 40, 99);	/* first > last */
	uint8_t *h = im.bytes + 512;
	put32(h + 88, crc32_update(0, im.bytes + 2 * 512, ENTRIES * 128));
	rehash_header(&im, 1);
	assert_int_equal(gpt_read(&disk, 512, 256, image_read, &im), 0);
	assert_int_equal(disk.source, GPT_PRIMARY);
	assert_int_equal(disk.count, 1);
	assert_int_equal(disk.bad, 2);
	assert_string_equal(disk.parts[0].name, "boot");
	free(im.bytes);
}

static void test_names_utf16(void **state)
{
	char out[GPT_NAME_BYTES];
	/* "é" (U+00E9), "€" (U+20AC), U+1F600 as a surrogate pair. */
	const uint8_t s1[] = { 'a', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde, 0, 0 };
	gpt_name_utf8(s1, 6, out);
	assert_string_equal(out, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* An unpaired high and low surrogate, a control character, DEL. */
	const uint8_t s2[] = { 0x00, 0xd8, 'x', 0, 0x00, 0xdc, 0x07, 0, 0x7f, 0, 0x85, 0 };
	gpt_name_utf8(s2, 6, out);
	assert_string_equal(out, "?x????");
	/* A high surrogate as the last unit. */
	const uint8_t s3[] = { 'z', 0, 0x00, 0xd8 };
	gpt_name_utf8(s3, 2, out);
	assert_string_equal(out, "z?");
	/* 36 units and no NUL: all of them, and the worst case fits. */
	uint8_t s4[72];
	for (int i = 0; i < 36; i++) {
		s4[2 * i] = 0xac;
		s4[2 * i + 1] = 0x20;
	}
	gpt_name_utf8(s4, 36, out);
	assert_int_equal(strlen(out), 108);
}

static void test_catalogue(void **state)
{
	static struct gpt_disk a, b;
	static struct catalogue cat;
	struct image im = make_image(512, 256, 128);
	assert_int_equal(gpt_read(&a, 512, 256, image_read, &im), 0);
	assert_int_equal(gpt_read(&b, 512, 256, image_read, &im), 0);
	strcpy(b.parts[1].name, "other");
	catalogue_add_disk(&cat, "nvme0n1", &a);
	assert_int_equal(cat.count, 3);
	const struct catalogue_entry *e;
	assert_int_equal(catalogue_find(&cat, "boot", &e), CAT_FOUND);
	assert_string_equal(e->disk, "nvme0n1");
	assert_int_equal(e->part->first_lba, 34);
	catalogue_add_disk(&cat, "nvme1n1", &b);
	/* "boot" is on both disks now; "other" and "data" on one each. */
	assert_int_equal(catalogue_find(&cat, "boot", &e), CAT_AMBIGUOUS);
	assert_string_equal(e->disk, "nvme0n1");
	assert_int_equal(catalogue_count(&cat, "boot"), 2);
	assert_int_equal(catalogue_find(&cat, "other", &e), CAT_FOUND);
	assert_string_equal(e->disk, "nvme1n1");
	assert_int_equal(catalogue_find(&cat, "data", &e), CAT_FOUND);
	assert_int_equal(catalogue_find(&cat, "missing", &e), CAT_NONE);
	assert_null(e);
	/* Unnamed partitions are found by no name. */
	assert_int_equal(catalogue_find(&cat, "", &e), CAT_NONE);
	free(im.bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_known_answer),
		cmocka_unit_test(test_good_primary),
		cmocka_unit_test(test_4k_sectors_and_large_entries),
		cmocka_unit_test(test_bad_header_crc_uses_backup),
		cmocka_unit_test(test_bad_array_crc_uses_backup),
		cmocka_unit_test(test_primary_unreadable_uses_backup),
		cmocka_unit_test(test_both_bad),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_no_protective_mbr),
		cmocka_unit_test(test_bad_geometry),
		cmocka_unit_test(test_entry_outside_usable_range),
		cmocka_unit_test(test_names_utf16),
		cmocka_unit_test(test_catalogue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
