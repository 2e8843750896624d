/* tests/fakes/flat_ram.c - see flat_ram.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fakes/flat_ram.h"

uint8_t flat_ram[FLAT_RAM_SIZE];

bool flat_ram_has(uint64_t gpa, uint64_t len)
{
	return len && gpa < FLAT_RAM_SIZE && len <= FLAT_RAM_SIZE - gpa;
}

static bool ram_read(void *ctx, uint64_t gpa, void *dst, uint64_t len)
{
	if (!flat_ram_has(gpa, len))
		return false;
	memcpy(dst, flat_ram + gpa, len);
	return true;
}

static bool ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	if (!flat_ram_has(gpa, len))
		return false;
	memcpy(flat_ram + gpa, src, len);
	return true;
}

static bool ram_is_ram(void *ctx, uint64_t gpa, uint64_t len) { return flat_ram_has(gpa, len); }

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
	check_even(gpa);
	if (!flat_ram_has(gpa, 2))
		return false;
	*v = (uint16_t)(flat_ram[gpa] | flat_ram[gpa + 1] << 8);
	return true;
}

static bool ram_write16(void *ctx, uint64_t gpa, uint16_t v)
{
	check_even(gpa);
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	return ram_write(ctx, gpa, b, 2);
}

const struct virtq_mem flat_ram_mem = {
	NULL, ram_read, ram_write, ram_is_ram, ram_read16, ram_write16
};
