/* tests/unit/fake_guest.c - see fake_guest.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/fake_guest.h"

bool fake_usable(const struct fake *f, uint64_t gpa, uint64_t len)
{
	uint64_t cur = gpa, end = gpa + len;
	unsigned i;

	if (end < gpa || end > f->size)
		return false;
	while (cur < end) {
		bool found = false;
		for (i = 0; i < f->map_count; i++) {
			const struct mem_range *r = &f->map[i];
			if (r->type == MEM_USABLE && r->base <= cur &&
			    r->base + r->len > cur) {
				cur = r->base + r->len;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct fake *f = ctx;

	/* The loader must have checked: any bad write is a test failure. */
	assert_true(len > 0);
	assert_true(fake_usable(f, gpa, len));
	memcpy(f->ram + gpa, src, len);
	f->writes++;
	return 0;
}

static int fake_zero(void *ctx, uint64_t gpa, size_t len)
{
	struct fake *f = ctx;

	assert_true(len > 0);
	assert_true(fake_usable(f, gpa, len));
	memset(f->ram + gpa, 0, len);
	f->writes++;
	return 0;
}

void fake_add(struct fake *f, uint64_t base, uint64_t len, uint32_t type)
{
	assert_true(f->map_count < 8);
	f->map[f->map_count++] = (struct mem_range){ base, len, type };
	f->gm.map_count = f->map_count;
}

struct fake *fake_new_empty(uint64_t size)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = malloc(size);
	assert_non_null(f->ram);
	memset(f->ram, 0xAA, size);
	f->size = size;
	f->gm.ctx = f;
	f->gm.write = fake_write;
	f->gm.zero = fake_zero;
	f->gm.map = f->map;
	return f;
}

void fake_free(struct fake *f)
{
	free(f->ram);
	free(f);
}
