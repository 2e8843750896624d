/* tests/fuzz/fake_ram.c - see fake_ram.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fake_ram.h"

#define RAM_MAX (1ull << 30)

bool fake_ram_usable(const struct fake_ram *r, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len;
	if (len == 0 || end < gpa || end > r->size)
		return false;
	for (unsigned i = 0; i < r->layout.map_count; i++) {
		const struct mem_range *m = &r->layout.map[i];
		if (m->type == MEM_USABLE && gpa >= m->base && end <= m->base + m->len)
			return true;
	}
	return false;
}

uint32_t fake_ram_read32(const struct fake_ram *r, uint64_t gpa)
{
	if (!fake_ram_usable(r, gpa, 4)) {
		fprintf(stderr, "fake_ram: dword at 0x%llx: not usable RAM\n",
			(unsigned long long)gpa);
		abort();
	}
	uint32_t v;
	memcpy(&v, r->bytes + gpa, 4);
	return v;
}

static void check_write(struct fake_ram *r, uint64_t gpa, size_t len)
{
	if (!fake_ram_usable(r, gpa, len)) {
		fprintf(stderr, "fake_ram: write of %zu bytes at 0x%llx: not usable RAM\n",
			len, (unsigned long long)gpa);
		abort();
	}
	r->writes++;
}

static int ram_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct fake_ram *r = ctx;
	check_write(r, gpa, len);
	memcpy(r->bytes + gpa, src, len);
	return 0;
}

static int ram_zero(void *ctx, uint64_t gpa, size_t len)
{
	struct fake_ram *r = ctx;
	check_write(r, gpa, len);
	memset(r->bytes + gpa, 0, len);
	return 0;
}

struct fake_ram *fake_ram_get(uint64_t size)
{
	static struct fake_ram r;
	if (!r.bytes) {
		r.bytes = calloc(1, RAM_MAX);	/* untouched pages cost nothing */
		if (!r.bytes)
			abort();
	}
	if (size > RAM_MAX)
		abort();
	r.size = size;
	guest_layout_build(size, &r.layout);
	r.gm = (struct guest_mem){ .ctx = &r, .write = ram_write, .zero = ram_zero,
				   .map = r.layout.map, .map_count = r.layout.map_count };
	r.writes = 0;
	return &r;
}
