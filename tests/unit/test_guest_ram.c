/*
 * tests/unit/test_guest_ram.c - unit tests for mm/guest_ram.c: a VM's RAM
 * backed in 2 MiB chunks and mapped in its nested page tables, and
 * guest-physical access to it (a host pointer, copies in and out, never
 * across a hole). The host's page allocator is faked here over the C
 * library's: a "physical address" is the pointer itself (phys_to_virt is
 * the identity in mm/pmm.h too), every allocation is counted and must be
 * given back by guest_ram_free().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mm/guest_ram.h"
#include "mm/npt/npt_vm.h"
#include "mm/pmm.h"
#include "guest/layout.h"

#define MIB (1ull << 20)

/* ---- the fake page allocator ------------------------------------------- */

static struct { uint64_t pa; size_t n; } live[4096];
static unsigned nlive;
static int fail_after = -1;     /* < 0: never; else fail when it hits 0 */

static uint64_t fake_alloc(size_t n, uint64_t align)
{
	if (fail_after == 0)
		return 0;
	if (fail_after > 0)
		fail_after--;
	void *p = aligned_alloc(align, n * PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0, n * PAGE_SIZE);
	assert_true(nlive < 4096);
	live[nlive].pa = (uint64_t)(uintptr_t)p;
	live[nlive++].n = n;
	return (uint64_t)(uintptr_t)p;
}

uint64_t pmm_alloc_pages(size_t n) { return fake_alloc(n, PAGE_SIZE); }
uint64_t pmm_alloc_aligned(size_t n, uint64_t align) { return fake_alloc(n, align); }

void pmm_free_pages(uint64_t pa, size_t n)
{
	for (unsigned i = 0; i < nlive; i++) {
		if (live[i].pa == pa) {
			assert_int_equal(live[i].n, n);
			free((void *)(uintptr_t)pa);
			live[i] = live[--nlive];
			return;
		}
	}
	fail_msg("freed %#llx, which was not allocated", (unsigned long long)pa);
}

/* ---- a VM's memory: its layout, nested page tables and RAM -------------- */

struct mem {
	struct guest_layout l;
	struct npt npt;
	struct guest_ram ram;
};

static bool build(struct mem *m, uint64_t bytes, bool only_4k)
{
	memset(m, 0, sizeof(*m));
	guest_layout_build(bytes, &m->l);
	return yakvm_vmm_npt_create(&m->npt) &&
	       guest_ram_alloc(&m->ram, m->l.ram, m->l.ram_count, &m->npt, only_4k);
}

static void teardown(struct mem *m)
{
	guest_ram_free(&m->ram);
	npt_destroy(&m->npt);
	assert_int_equal(nlive, 0);
}

/* Whatever a failed test left, so that the next one counts from zero. */
static int forget_all(void **state)
{
	while (nlive)
		pmm_free_pages(live[nlive - 1].pa, live[nlive - 1].n);
	fail_after = -1;
	return 0;
}

/* The nested page that maps gpa points into the chunk that holds it. */
static void expect_mapped(struct mem *m, uint64_t gpa, uint64_t size)
{
	uint64_t hpa, sz, flags;
	assert_true(npt_lookup(&m->npt, gpa, &hpa, &sz, &flags));
	assert_int_equal(sz, size);
	assert_ptr_equal((void *)(uintptr_t)hpa, guest_ram_hva(&m->ram, gpa, 1));
}

static void test_16m_chunks_and_nested_pages(void **state)
{
	struct mem m;
	assert_true(build(&m, 16 * MIB, false));
	/* Eight 2 MiB blocks; the first is shared by the low RAM, the ROM
	 * area and the first MiB above it. */
	assert_int_equal(m.ram.nchunks, 8);
	for (unsigned i = 0; i < m.ram.nchunks; i++) {
		assert_int_equal(m.ram.chunks[i].gpa, i * 2 * MIB);
		assert_int_equal(m.ram.chunks[i].size, 2 * MIB);
		assert_int_equal(m.ram.chunks[i].hpa % (2 * MIB), 0);
	}
	assert_int_equal(m.ram.npt_2m, 7);
	assert_true(m.ram.npt_4k > 0);
	expect_mapped(&m, 0, PAGE_SIZE);
	expect_mapped(&m, 0x100000, PAGE_SIZE);
	expect_mapped(&m, 2 * MIB + 0x1234, 2 * MIB);
	expect_mapped(&m, 16 * MIB - 1, 2 * MIB);
	/* The VGA hole and what lies beyond the RAM: not mapped, no pointer. */
	uint64_t hpa, sz, flags;
	assert_false(npt_lookup(&m.npt, GUEST_VGA_START, &hpa, &sz, &flags));
	assert_null(guest_ram_hva(&m.ram, GUEST_VGA_START, 1));
	assert_false(npt_lookup(&m.npt, 16 * MIB, &hpa, &sz, &flags));
	assert_null(guest_ram_hva(&m.ram, 16 * MIB, 1));
	teardown(&m);
}

static void test_only_4k(void **state)
{
	struct mem m;
	assert_true(build(&m, 16 * MIB, true));
	assert_int_equal(m.ram.npt_2m, 0);
	expect_mapped(&m, 2 * MIB + 0x1234, PAGE_SIZE);
	expect_mapped(&m, 16 * MIB - 1, PAGE_SIZE);
	teardown(&m);
}

static void test_copies(void **state)
{
	struct mem m;
	assert_true(build(&m, 16 * MIB, false));
	/* Across a chunk boundary: a copy works, one pointer does not. */
	uint8_t in[16], out[16];
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0xa0 + i);
	uint64_t gpa = 4 * MIB - 8;
	assert_true(guest_ram_write(&m.ram, gpa, in, sizeof(in)));
	assert_null(guest_ram_hva(&m.ram, gpa, sizeof(in)));
	assert_memory_equal(guest_ram_hva(&m.ram, gpa, 8), in, 8);
	assert_memory_equal(guest_ram_hva(&m.ram, 4 * MIB, 8), in + 8, 8);
	assert_true(guest_ram_read(&m.ram, gpa, out, sizeof(out)));
	assert_memory_equal(in, out, sizeof(in));
	/* Into a hole or past the end: false, and nothing copied. */
	memset(out, 0x5a, sizeof(out));
	assert_false(guest_ram_read(&m.ram, GUEST_VGA_START - 8, out, sizeof(out)));
	assert_false(guest_ram_read(&m.ram, 16 * MIB - 8, out, sizeof(out)));
	for (unsigned i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0x5a);
	uint8_t *last = guest_ram_hva(&m.ram, 16 * MIB - 8, 8);
	assert_non_null(last);
	memset(last, 0x11, 8);
	assert_false(guest_ram_write(&m.ram, 16 * MIB - 8, in, sizeof(in)));
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(last[i], 0x11);
	/* No wrap around the address space, no empty pointer. */
	assert_false(guest_ram_read(&m.ram, ~0ull - 3, out, 8));
	assert_null(guest_ram_hva(&m.ram, 0x1000, 0));
	teardown(&m);
}

static void test_above_4g(void **state)
{
	/* 3 GiB + 4 MiB: the last 4 MiB are above the MMIO hole. */
	struct mem m;
	uint64_t bytes = 3 * 1024 * MIB + 4 * MIB;
	assert_true(build(&m, bytes, false));
	assert_null(guest_ram_hva(&m.ram, GUEST_MMIO_START, 1));
	uint32_t v = 0x12345678, r = 0;
	assert_true(guest_ram_write(&m.ram, GUEST_4G + 4 * MIB - 4, &v, 4));
	assert_true(guest_ram_read(&m.ram, GUEST_4G + 4 * MIB - 4, &r, 4));
	assert_int_equal(r, v);
	assert_false(guest_ram_read(&m.ram, GUEST_4G + 4 * MIB - 2, &r, 4));
	teardown(&m);
}

static void test_free_gives_all_back(void **state)
{
	struct mem m;
	assert_true(build(&m, 16 * MIB, false));
	unsigned tables = m.npt.tables;
	uint64_t freed = guest_ram_free(&m.ram);
	assert_int_equal(freed, 8 * 2 * MIB + PAGE_SIZE);   /* chunks and their array */
	assert_int_equal(nlive, tables);                    /* the nested tables are left */
	assert_null(guest_ram_hva(&m.ram, 0x1000, 1));
	assert_false(guest_ram_read(&m.ram, 0x1000, &freed, 1));
	npt_destroy(&m.npt);
	assert_int_equal(nlive, 0);
}

static void test_out_of_memory(void **state)
{
	/* Every allocation in turn fails: false, never a crash. */
	for (int n = 0; n < 12; n++) {
		struct mem m;
		fail_after = n;
		bool ok = build(&m, 16 * MIB, false);
		fail_after = -1;
		if (ok) {
			assert_true(n > 0);
			teardown(&m);
			continue;
		}
		forget_all(NULL);	/* what was allocated stays allocated */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_16m_chunks_and_nested_pages, forget_all),
		cmocka_unit_test_setup(test_only_4k, forget_all),
		cmocka_unit_test_setup(test_copies, forget_all),
		cmocka_unit_test_setup(test_above_4g, forget_all),
		cmocka_unit_test_setup(test_free_gives_all_back, forget_all),
		cmocka_unit_test_setup(test_out_of_memory, forget_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
