/*
 * tests/unit/test_layout.c - unit tests for guest/layout.c, a VM's
 * guest-physical memory map (the table in guest/layout.h).
 *
 * For each RAM size: the exact map the guest is told, then invariants - the
 * map and the backed ranges are sorted and non-overlapping, backed RAM stays
 * out of the VGA hole and the 3-4 GiB MMIO hole, every usable range in the
 * map is backed, and the backed RAM adds up to `mem` minus the VGA hole
 * (0x20000 bytes), since the VGA hole takes the place of RAM while the MMIO
 * hole pushes RAM above 4 GiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "guest/layout.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define VGA_HOLE 0x20000ull

struct r { uint64_t base, end; uint32_t type; };

static void expect_ranges(const struct mem_range *got, unsigned n,
			  const struct r *want, unsigned wn)
{
	assert_int_equal(n, wn);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(got[i].base, want[i].base);
		assert_int_equal(got[i].base + got[i].len, want[i].end);
		assert_int_equal(got[i].type, want[i].type);
	}
}

static bool overlaps(const struct mem_range *r, uint64_t base, uint64_t end)
{
	return r->base < end && base < r->base + r->len;
}

static bool covered(const struct mem_range *rs, unsigned n, uint64_t base, uint64_t end)
{
	/* The ranges are sorted and non-overlapping (checked before). */
	for (unsigned i = 0; i < n && base < end; i++)
		if (rs[i].base <= base && base < rs[i].base + rs[i].len)
			base = rs[i].base + rs[i].len;
	return base >= end;
}

static void check_sorted(const struct mem_range *rs, unsigned n, unsigned max)
{
	assert_true(n <= max);
	for (unsigned i = 0; i < n; i++) {
		assert_true(rs[i].len > 0);
		assert_true(rs[i].base + rs[i].len > rs[i].base);   /* no wrap */
		if (i)
			assert_true(rs[i - 1].base + rs[i - 1].len <= rs[i].base);
	}
}

static void check_invariants(uint64_t mem)
{
	struct guest_layout l;
	memset(&l, 0xa5, sizeof(l));
	guest_layout_build(mem, &l);

	check_sorted(l.map, l.map_count, 6);
	check_sorted(l.ram, l.ram_count, 3);

	uint64_t total = 0;
	for (unsigned i = 0; i < l.ram_count; i++) {
		const struct mem_range *r = &l.ram[i];
		assert_int_equal(r->type, MEM_USABLE);
		assert_false(overlaps(r, GUEST_VGA_START, GUEST_VGA_END));
		assert_false(overlaps(r, GUEST_MMIO_START, GUEST_4G));
		total += r->len;
	}
	/* The header: RAM is `mem` bytes, with the VGA hole cut out of it. */
	assert_int_equal(total, mem - VGA_HOLE);

	for (unsigned i = 0; i < l.map_count; i++) {
		const struct mem_range *r = &l.map[i];
		/* Nothing, not even reserved, is reported in the holes. */
		assert_false(overlaps(r, GUEST_VGA_START, GUEST_VGA_END));
		assert_false(overlaps(r, GUEST_MMIO_START, GUEST_4G));
		/* Everything the guest is told about is backed. */
		assert_true(covered(l.ram, l.ram_count, r->base, r->base + r->len));
		assert_true(r->type == MEM_USABLE || r->type == MEM_RESERVED);
	}
	/* The first 640 KiB minus the EBDA are usable, and the BIOS area reserved. */
	assert_int_equal(l.map[0].base, 0);
	assert_int_equal(l.map[0].len, GUEST_LOW_RAM_END);
	assert_int_equal(l.map[0].type, MEM_USABLE);
}

static void test_16m(void **state)
{
	struct guest_layout l;
	guest_layout_build(16 * MiB, &l);
	const struct r map[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0xa0000, MEM_RESERVED },
		{ 0xc0000, 0x100000, MEM_RESERVED },
		{ 0x100000, 16 * MiB, MEM_USABLE },
	};
	const struct r ram[] = {
		{ 0, 0xa0000, MEM_USABLE },
		{ 0xc0000, 16 * MiB, MEM_USABLE },
	};
	expect_ranges(l.map, l.map_count, map, 4);
	expect_ranges(l.ram, l.ram_count, ram, 2);
	check_invariants(16 * MiB);
}

static void test_1m_4k(void **state)
{
	struct guest_layout l;
	guest_layout_build(MiB + 4 * KiB, &l);
	const struct r map[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0xa0000, MEM_RESERVED },
		{ 0xc0000, 0x100000, MEM_RESERVED },
		{ 0x100000, 0x101000, MEM_USABLE },
	};
	const struct r ram[] = {
		{ 0, 0xa0000, MEM_USABLE },
		{ 0xc0000, 0x101000, MEM_USABLE },
	};
	expect_ranges(l.map, l.map_count, map, 4);
	expect_ranges(l.ram, l.ram_count, ram, 2);
	check_invariants(MiB + 4 * KiB);
}

static void test_3g(void **state)
{
	struct guest_layout l;
	guest_layout_build(3 * GiB, &l);
	const struct r map[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0xa0000, MEM_RESERVED },
		{ 0xc0000, 0x100000, MEM_RESERVED },
		{ 0x100000, 3 * GiB, MEM_USABLE },
	};
	const struct r ram[] = {
		{ 0, 0xa0000, MEM_USABLE },
		{ 0xc0000, 3 * GiB, MEM_USABLE },
	};
	/* Exactly 3 GiB: nothing above 4 GiB, no empty range. */
	expect_ranges(l.map, l.map_count, map, 4);
	expect_ranges(l.ram, l.ram_count, ram, 2);
	check_invariants(3 * GiB);
}

static void test_4g(void **state)
{
	struct guest_layout l;
	guest_layout_build(4 * GiB, &l);
	const struct r map[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0xa0000, MEM_RESERVED },
		{ 0xc0000, 0x100000, MEM_RESERVED },
		{ 0x100000, 3 * GiB, MEM_USABLE },
		{ 4 * GiB, 5 * GiB, MEM_USABLE },
	};
	const struct r ram[] = {
		{ 0, 0xa0000, MEM_USABLE },
		{ 0xc0000, 3 * GiB, MEM_USABLE },
		{ 4 * GiB, 5 * GiB, MEM_USABLE },
	};
	/* The gigabyte displaced by the MMIO hole moves above 4 GiB. */
	expect_ranges(l.map, l.map_count, map, 5);
	expect_ranges(l.ram, l.ram_count, ram, 3);
	check_invariants(4 * GiB);
}

static void test_6g(void **state)
{
	struct guest_layout l;
	guest_layout_build(6 * GiB, &l);
	const struct r map[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0xa0000, MEM_RESERVED },
		{ 0xc0000, 0x100000, MEM_RESERVED },
		{ 0x100000, 3 * GiB, MEM_USABLE },
		{ 4 * GiB, 7 * GiB, MEM_USABLE },
	};
	const struct r ram[] = {
		{ 0, 0xa0000, MEM_USABLE },
		{ 0xc0000, 3 * GiB, MEM_USABLE },
		{ 4 * GiB, 7 * GiB, MEM_USABLE },
	};
	expect_ranges(l.map, l.map_count, map, 5);
	expect_ranges(l.ram, l.ram_count, ram, 3);
	check_invariants(6 * GiB);
}

static void test_invariants_sweep(void **state)
{
	const uint64_t sizes[] = {
		MiB, MiB + 4 * KiB, 2 * MiB, 16 * MiB, 512 * MiB, 3 * GiB - 4 * KiB,
		3 * GiB, 3 * GiB + 4 * KiB, 3 * GiB + 2 * MiB, 4 * GiB, 4 * GiB + 4 * KiB,
		6 * GiB, 64 * GiB, 1ull << 46,
	};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_invariants(sizes[i]);
}

/* A struct reused for a smaller VM must not keep the old high range. */
static void test_rebuild(void **state)
{
	struct guest_layout l;
	guest_layout_build(6 * GiB, &l);
	guest_layout_build(16 * MiB, &l);
	assert_int_equal(l.map_count, 4);
	assert_int_equal(l.ram_count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_16m),
		cmocka_unit_test(test_1m_4k),
		cmocka_unit_test(test_3g),
		cmocka_unit_test(test_4g),
		cmocka_unit_test(test_6g),
		cmocka_unit_test(test_invariants_sweep),
		cmocka_unit_test(test_rebuild),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
