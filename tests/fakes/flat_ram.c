/* tests/fakes/flat_ram.c - see flat_ram.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fakes/flat_ram.h"

bool flat_ram_has(const struct flat_ram *r, uint64_t gpa, uint64_t len)
{
	return len && gpa < r->size && len <= r->size - gpa;
}

static bool ram_read(void *ctx, uint64_t gpa, void *dst, uint64_t len)
{
	const struct flat_ram *r = ctx;
	if (!flat_ram_has(r, gpa, len))
		return false;
	memcpy(dst, r->bytes + gpa, len);
	return true;
}

static bool ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	struct flat_ram *r = ctx;
	if (!flat_ram_has(r, gpa, len))
		return false;
	memcpy(r->bytes + gpa, src, len);
	return true;
}

static bool ram_is_ram(void *ctx, uint64_t gpa, uint64_t len) { return flat_ram_has(ctx, gpa, len); }

static void check_even(uint64_t gpa)
{
	if (gpa % 2) {
		fprintf(stderr, "flat_ram: 16-bit ring access at odd gpa 0x%llx\n",
			(unsigned long long)gpa);
		abort();
	}
}

/* The rings' 16-bit fields, little-endian (virtio 1.1, 2.6). */
static bool ram_read16(void *ctx, uint64_t gpa, uint16_t *v)
{
	const struct flat_ram *r = ctx;
	check_even(gpa);
	if (!flat_ram_has(r, gpa, 2))
		return false;
	*v = (uint16_t)(r->bytes[gpa] | r->bytes[gpa + 1] << 8);
	return true;
}

static bool ram_write16(void *ctx, uint64_t gpa, uint16_t v)
{
	check_even(gpa);
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	return ram_write(ctx, gpa, b, 2);
}

struct virtq_mem flat_ram_mem(struct flat_ram *r)
{
	return (struct virtq_mem){ r, ram_read, ram_write, ram_is_ram, ram_read16, ram_write16 };
}
