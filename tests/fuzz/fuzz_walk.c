/*
 * tests/fuzz/fuzz_walk.c - the guest page walker (arch/x86/insn/walk.c) on
 * random tables. Input: a 20-byte header - mode (0 no paging, 1 32-bit,
 * 2 PAE, 3 4-level, 4 5-level), flags (bit 0 CR0.WP, 1 EFER.NXE, 2 CR4.PSE),
 * access (#PF error code bits W, U, I/D), MAXPHYADDR (byte % 64), CR3
 * (8 bytes, bits 19:0 used), the linear address (8 bytes) - then
 * guest-physical memory from 0. Properties: the walker reads guest memory
 * only through its reader, at most one naturally aligned entry per level; a
 * translation keeps the page offset and stays below MAXPHYADDR (4 GiB for
 * 32-bit 4 KiB pages); a #PF error code holds only the APM's bits (vol. 2,
 * 8.4.2): the access's own W/R and U/S, I/D only for a fetch with NX on,
 * RSVD only with P.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/insn/walk.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_walk: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

struct image {
	const uint8_t *mem;
	size_t size;
	unsigned reads;
};

static bool read_image(void *ctx, uint64_t gpa, unsigned size, uint64_t *e)
{
	struct image *im = ctx;
	CHECK(size == 4 || size == 8);
	CHECK(gpa % size == 0);
	CHECK(*e == 0);
	im->reads++;
	if (gpa >= im->size || im->size - gpa < size)
		return false;
	memcpy(e, im->mem + gpa, size);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 20)
		return 0;
	unsigned mode = data[0] % 5, flags = data[1];
	unsigned access = data[2] & (ACCESS_WRITE | ACCESS_USER | ACCESS_FETCH);
	uint64_t cr3, la;
	memcpy(&cr3, data + 4, 8);
	memcpy(&la, data + 12, 8);
	cr3 &= 0xfffff;
	unsigned m = data[3] % 64;

	struct walk_regs r = { .cr0 = CR0_PE, .cr3 = cr3, .maxphyaddr = m };
	if (mode)
		r.cr0 |= CR0_PG;
	if (flags & 1)
		r.cr0 |= CR0_WP;
	if (flags & 2)
		r.efer |= EFER_NXE;
	if (flags & 4)
		r.cr4 |= CR4_PSE;
	if (mode >= 2)
		r.cr4 |= CR4_PAE;
	if (mode >= 3)
		r.efer |= EFER_LME | EFER_LMA;
	if (mode == 4)
		r.cr4 |= CR4_LA57;

	/* A copy of exactly the image's size, so that ASan sees any read
	 * past it that does not go through the reader. */
	size_t n = size - 20;
	uint8_t *mem = malloc(n ? n : 1);
	memcpy(mem, data + 20, n);
	struct image im = { mem, n, 0 };
	uint64_t gpa = 0;
	uint32_t err = 0;
	enum walk_result res = walk_translate(&r, la, access, read_image, &im, &gpa, &err);
	free(mem);

	static const unsigned max_reads[] = { 0, 2, 3, 4, 5 };
	CHECK(im.reads <= max_reads[mode]);
	switch (res) {
	case WALK_OK:
		CHECK((gpa & 0xfff) == (la & 0xfff));
		if (mode == 0)
			CHECK(gpa == (la & 0xffffffffull));
		else	/* the walker takes 0 and above 52 as 52, below 32 as 32 */
			CHECK(gpa < (1ull << (!m || m > 52 ? 52 : m < 32 ? 32 : m)));
		break;
	case WALK_PAGE_FAULT:
		CHECK(mode != 0);
		CHECK((err & ~(PF_ERR_P | PF_ERR_RSVD | ACCESS_WRITE | ACCESS_USER |
			       ACCESS_FETCH)) == 0);
		CHECK((err & (ACCESS_WRITE | ACCESS_USER)) ==
		      (access & (ACCESS_WRITE | ACCESS_USER)));
		CHECK(!(err & ACCESS_FETCH) ||
		      ((access & ACCESS_FETCH) && (flags & 2) && mode >= 2));
		CHECK(!(err & PF_ERR_RSVD) || (err & PF_ERR_P));
		break;
	case WALK_NOT_RAM:
		CHECK(mode != 0 && im.reads > 0);
		break;
	default:
		CHECK(false);
	}
	return 0;
}
