/*
 * tests/fuzz/fuzz_multiboot2.c - mb2_parse() (boot/multiboot2.c) on any
 * block of bytes, parsed from a heap copy of exactly its size (ASan sees a
 * read past it).
 * Properties: an error has a one-line reason and leaves "" strings; a
 * success gives a memory map sorted, without overlaps or empty ranges,
 * with adjacent same-type ranges merged and only types 1-5; modules with
 * start <= end and command lines inside boot_info.strings, NUL-terminated;
 * an RSDP of 0, 20 or 36 bytes; the block's own extent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/multiboot2.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_multiboot2: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define INFO_PHYS 0x10a000ull

static struct boot_info bi;

static void check_string(const char *s)
{
	CHECK(s);
	if (*s == 0)
		return;
	CHECK(s >= bi.strings && s < bi.strings + BOOT_STRINGS);
	CHECK(memchr(s, 0, (size_t)(bi.strings + BOOT_STRINGS - s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	char err[128];
	memset(err, 0x55, sizeof(err));
	memset(&bi, 0xa5, sizeof(bi));
	int rc = mb2_parse(&bi, copy, size, INFO_PHYS, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	check_string(bi.cmdline);
	check_string(bi.loader_name);
	if (rc) {
		CHECK(memchr(err, 0, sizeof(err)) && err[0] && !strchr(err, '\n'));
		free(copy);
		return 0;
	}
	CHECK(bi.mmap_count <= BOOT_MAX_MMAP);
	for (unsigned i = 0; i < bi.mmap_count; i++) {
		const struct mem_range *r = &bi.mmap[i];
		CHECK(r->len > 0 && r->type >= MEM_USABLE && r->type <= MEM_BAD);
		CHECK(r->base + r->len - 1 >= r->base);	/* no wrap past 2^64 */
		if (i > 0) {
			const struct mem_range *p = &bi.mmap[i - 1];
			CHECK(p->base + p->len <= r->base);
			CHECK(p->base + p->len < r->base || p->type != r->type);
		}
	}
	CHECK(bi.module_count <= BOOT_MAX_MODULES);
	for (unsigned i = 0; i < bi.module_count; i++) {
		CHECK(bi.modules[i].start <= bi.modules[i].end);
		check_string(bi.modules[i].cmdline);
	}
	CHECK(bi.rsdp_len == 0 || bi.rsdp_len == 20 || bi.rsdp_len == 36);
	CHECK(bi.strings_used <= BOOT_STRINGS);
	CHECK(bi.info_start == INFO_PHYS && bi.info_end > bi.info_start &&
	      bi.info_end - bi.info_start <= size);
	free(copy);
	return 0;
}
