/*
 * tests/unit/test_npt.c - unit tests for mm/npt/npt.c, the nested page table
 * builder (APM vol. 2, 15.25; entry format 5.4).
 *
 * The table pages come from a fake allocator over one aligned_alloc'd arena
 * in which a "physical address" is the pointer value itself, so phys_to_virt
 * is the identity. The allocator counts allocations and frees, can be told
 * to fail after N more allocations, and poisons freed pages so a use after
 * free shows up as garbage entries. The tables are also checked by walking
 * them directly, by the architectural format, not only through npt_lookup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/npt/npt.h"

#define PAGE 4096ull
#define ARENA_PAGES 4096u

/* Entry bits (APM vol. 2, 5.4), spelled out here rather than taken from
 * npt.c, so the test checks the format and not the code against itself. */
#define E_P   (1ull << 0)
#define E_RW  (1ull << 1)
#define E_US  (1ull << 2)
#define E_PS  (1ull << 7)
#define E_NX  (1ull << 63)
#define E_ADDR 0x000ffffffffff000ull

/* ---- the fake allocator -------------------------------------------------- */

struct arena {
	uint8_t *base;
	bool used[ARENA_PAGES];
	unsigned allocs, frees, in_use;
	int fail_after;          /* < 0: never fail; else fail when it hits 0 */
	unsigned bad_frees;      /* frees of pages not allocated */
};

static uint64_t a_alloc(void *ctx)
{
	struct arena *a = ctx;
	if (a->fail_after == 0)
		return 0;
	if (a->fail_after > 0)
		a->fail_after--;
	for (unsigned i = 0; i < ARENA_PAGES; i++) {
		if (!a->used[i]) {
			a->used[i] = true;
			a->allocs++;
			a->in_use++;
			memset(a->base + i * PAGE, 0, PAGE);
			return (uint64_t)(uintptr_t)(a->base + i * PAGE);
		}
	}
	return 0;
}

static void a_free(void *ctx, uint64_t pa)
{
	struct arena *a = ctx;
	uint8_t *p = (uint8_t *)(uintptr_t)pa;
	if (p < a->base || p >= a->base + ARENA_PAGES * PAGE ||
	    (uint64_t)(p - a->base) % PAGE) {
		a->bad_frees++;
		return;
	}
	unsigned i = (unsigned)((p - a->base) / PAGE);
	if (!a->used[i]) {
		a->bad_frees++;
		return;
	}
	a->used[i] = false;
	a->frees++;
	a->in_use--;
	memset(p, 0xa5, PAGE);   /* poison: a stale entry would look present */
}

static void *a_p2v(void *ctx, uint64_t pa)
{
	struct arena *a = ctx;
	uint8_t *p = (uint8_t *)(uintptr_t)pa;
	/* Every table address the builder follows must be a live arena page. */
	assert_true(p >= a->base && p < a->base + ARENA_PAGES * PAGE);
	assert_int_equal((uint64_t)(p - a->base) % PAGE, 0);
	assert_true(a->used[(p - a->base) / PAGE]);
	return p;
}

struct fixture {
	struct arena a;
	struct npt n;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->a.base = aligned_alloc(PAGE, ARENA_PAGES * PAGE);
	assert_non_null(f->a.base);
	/* The builder's address field is bits 12-51: the arena must fit. */
	assert_true((uint64_t)(uintptr_t)f->a.base + ARENA_PAGES * PAGE < (1ull << 52));
	f->a.fail_after = -1;
	f->n = (struct npt){
		.alloc_table = a_alloc, .free_table = a_free,
		.phys_to_virt = a_p2v, .ctx = &f->a,
	};
	assert_true(npt_init(&f->n));
	assert_int_equal(f->n.tables, 1);
	assert_int_equal(f->a.in_use, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	npt_destroy(&f->n);
	assert_int_equal(f->n.root_pa, 0);
	assert_int_equal(f->a.bad_frees, 0);
	assert_int_equal(f->a.allocs, f->a.frees);
	assert_int_equal(f->a.in_use, 0);
	free(f->a.base);
	free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static uint64_t *tab(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)(pa & E_ADDR);
}

static unsigned idx(uint64_t gpa, int level)
{
	return (unsigned)(gpa >> (12 + 9 * (level - 1))) & 511;
}

/* Walks the tables by hand; returns the leaf entry and its level, or 0. */
static uint64_t raw_walk(const struct npt *n, uint64_t gpa, int *level_out)
{
	uint64_t *t = tab(n->root_pa);
	for (int level = 4; level >= 1; level--) {
		uint64_t e = t[idx(gpa, level)];
		if (!(e & E_P))
			return 0;
		if (level == 1 || (level == 2 && (e & E_PS))) {
			*level_out = level;
			return e;
		}
		assert_false(e & E_PS);        /* no 1 GiB pages */
		t = tab(e);
	}
	return 0;
}

/* Counts the table pages reachable from the root. */
static unsigned count_tables(uint64_t pa, int level)
{
	unsigned c = 1;
	uint64_t *t = tab(pa);
	if (level == 1)
		return c;
	for (int i = 0; i < 512; i++)
		if ((t[i] & E_P) && !(level == 2 && (t[i] & E_PS)))
			c += count_tables(t[i], level - 1);
	return c;
}

/* Every present entry at every level: U=1 (nested walks are user accesses,
 * APM 15.25.5), no reserved bits 52-62, and tables are writable and not
 * NX (the leaves alone decide). */
static void check_entries(uint64_t pa, int level)
{
	uint64_t *t = tab(pa);
	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (!(e & E_P)) {
			assert_int_equal(e, 0);
			continue;
		}
		assert_true(e & E_US);
		assert_int_equal(e & 0x7ff0000000000000ull, 0);
		bool leaf = level == 1 || (level == 2 && (e & E_PS));
		if (level > 2)
			assert_false(e & E_PS);
		if (!leaf) {
			assert_true(e & E_RW);
			assert_false(e & E_NX);
			check_entries(e, level - 1);
		}
	}
}

static void check_tree(const struct npt *n)
{
	check_entries(n->root_pa, 4);
	assert_int_equal(count_tables(n->root_pa, 4), n->tables);
	assert_int_equal(((const struct arena *)n->ctx)->in_use, n->tables);
}

static void expect(const struct npt *n, uint64_t gpa, uint64_t hpa,
		   uint64_t size, uint64_t flags)
{
	uint64_t h = 0, s = 0, fl = 0;
	assert_true(npt_lookup(n, gpa, &h, &s, &fl));
	assert_int_equal(h, hpa);
	assert_int_equal(s, size);
	assert_int_equal(fl, flags);
}

static void expect_none(const struct npt *n, uint64_t gpa)
{
	uint64_t h, s, fl;
	assert_false(npt_lookup(n, gpa, &h, &s, &fl));
}

/* ---- tests --------------------------------------------------------------- */

static void test_empty(void **state)
{
	struct fixture *f = *state;
	expect_none(&f->n, 0);
	expect_none(&f->n, 0x12345000);
	expect_none(&f->n, (1ull << 48) - PAGE);
	check_tree(&f->n);
}

static void test_map_4k(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	assert_true(npt_map(n, 0x1000, 0x7000000, NPT_PAGE_4K, NPT_W | NPT_X));
	assert_int_equal(n->tables, 4);   /* root, PDPT, PD, PT */
	expect(n, 0x1000, 0x7000000, NPT_PAGE_4K, NPT_W | NPT_X);
	expect(n, 0x1abc, 0x7000abc, NPT_PAGE_4K, NPT_W | NPT_X);  /* offset kept */
	expect_none(n, 0x0);
	expect_none(n, 0x2000);

	int level = 0;
	uint64_t e = raw_walk(n, 0x1000, &level);
	assert_int_equal(level, 1);
	assert_int_equal(e, 0x7000000 | E_P | E_RW | E_US);

	/* Read-only, no-execute; a second page in the same PT allocates nothing. */
	assert_true(npt_map(n, 0x3000, 0x9000, NPT_PAGE_4K, NPT_R));
	assert_int_equal(n->tables, 4);
	expect(n, 0x3000, 0x9000, NPT_PAGE_4K, 0);
	e = raw_walk(n, 0x3000, &level);
	assert_int_equal(e, 0x9000 | E_P | E_US | E_NX);

	/* Writable, not executable. */
	assert_true(npt_map(n, 0x4000, 0xa000, NPT_PAGE_4K, NPT_W));
	expect(n, 0x4000, 0xa000, NPT_PAGE_4K, NPT_W);
	e = raw_walk(n, 0x4000, &level);
	assert_int_equal(e, 0xa000 | E_P | E_RW | E_US | E_NX);

	/* Executable, read-only. */
	assert_true(npt_map(n, 0x5000, 0xb000, NPT_PAGE_4K, NPT_X));
	expect(n, 0x5000, 0xb000, NPT_PAGE_4K, NPT_X);
	e = raw_walk(n, 0x5000, &level);
	assert_int_equal(e, 0xb000 | E_P | E_US);

	/* Remapping a page replaces it. */
	assert_true(npt_map(n, 0x1000, 0x8000, NPT_PAGE_4K, NPT_R));
	expect(n, 0x1000, 0x8000, NPT_PAGE_4K, 0);

	/* Top of the 48-bit space, and the highest host address (bit 51). */
	assert_true(npt_map(n, (1ull << 48) - PAGE, (1ull << 52) - PAGE,
			    NPT_PAGE_4K, NPT_W));
	expect(n, (1ull << 48) - PAGE, (1ull << 52) - PAGE, NPT_PAGE_4K, NPT_W);
	assert_int_equal(n->tables, 7);
	check_tree(n);
}

static void test_map_2m(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	assert_true(npt_map(n, 0x200000, 0x40000000, NPT_PAGE_2M, NPT_W | NPT_X));
	assert_int_equal(n->tables, 3);   /* root, PDPT, PD */
	expect(n, 0x200000, 0x40000000, NPT_PAGE_2M, NPT_W | NPT_X);
	expect(n, 0x3ff000, 0x401ff000, NPT_PAGE_2M, NPT_W | NPT_X);
	expect(n, 0x212345, 0x40012345, NPT_PAGE_2M, NPT_W | NPT_X);
	expect_none(n, 0x1ff000);
	expect_none(n, 0x400000);

	int level = 0;
	uint64_t e = raw_walk(n, 0x200000, &level);
	assert_int_equal(level, 2);
	assert_int_equal(e, 0x40000000 | E_P | E_RW | E_US | E_PS);

	assert_true(npt_map(n, 0x400000, 0x600000, NPT_PAGE_2M, NPT_R));
	expect(n, 0x400000, 0x600000, NPT_PAGE_2M, 0);
	e = raw_walk(n, 0x400000, &level);
	assert_int_equal(e, 0x600000 | E_P | E_US | E_PS | E_NX);
	assert_int_equal(n->tables, 3);
	check_tree(n);
}

static void test_misaligned_and_bad_args(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	assert_false(npt_map(n, 0x1001, 0x2000, NPT_PAGE_4K, NPT_W));
	assert_false(npt_map(n, 0x1000, 0x2800, NPT_PAGE_4K, NPT_W));
	assert_false(npt_map(n, 0x201000, 0x400000, NPT_PAGE_2M, NPT_W));
	assert_false(npt_map(n, 0x200000, 0x401000, NPT_PAGE_2M, NPT_W));
	assert_false(npt_map(n, 0x0, 0x0, 8192, NPT_W));          /* bad size */
	assert_false(npt_map(n, 0x0, 0x0, 1ull << 30, NPT_W));     /* no 1 GiB */
	assert_false(npt_map(n, 0x0, 0x0, 0, NPT_W));
	/* gpa >= 2^48 cannot be reached by a 4-level walk. */
	assert_false(npt_map(n, 1ull << 48, 0x1000, NPT_PAGE_4K, NPT_W));
	assert_false(npt_map(n, 1ull << 63, 0x1000, NPT_PAGE_4K, NPT_W));
	assert_false(npt_map(n, 1ull << 48, 0x200000, NPT_PAGE_2M, NPT_W));
	expect_none(n, 1ull << 48);
	/* hpa beyond the 52-bit address field. */
	assert_false(npt_map(n, 0x1000, 1ull << 52, NPT_PAGE_4K, NPT_W));
	/* Nothing was allocated by the failed calls. */
	assert_int_equal(n->tables, 1);
	expect_none(n, 0x1000);
	expect_none(n, 0x0);
	check_tree(n);
}

static void test_split_2m(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;
	const uint64_t g = 0x40000000, h = 0x80000000;

	assert_true(npt_map(n, g, h, NPT_PAGE_2M, NPT_W));
	assert_int_equal(n->tables, 3);
	/* A 4 KiB mapping in the middle splits the 2 MiB page. */
	assert_true(npt_map(n, g + 5 * PAGE, 0x123000, NPT_PAGE_4K, NPT_X));
	assert_int_equal(n->tables, 4);
	for (uint64_t i = 0; i < 512; i++) {
		if (i == 5)
			expect(n, g + i * PAGE, 0x123000, NPT_PAGE_4K, NPT_X);
		else
			expect(n, g + i * PAGE, h + i * PAGE, NPT_PAGE_4K, NPT_W);
	}
	expect_none(n, g - PAGE);
	expect_none(n, g + NPT_PAGE_2M);
	check_tree(n);
}

static void test_2m_over_4k_frees_table(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	for (uint64_t i = 0; i < 8; i++)
		assert_true(npt_map(n, 0x600000 + i * PAGE, 0x1000000 + i * PAGE,
				    NPT_PAGE_4K, NPT_W));
	assert_int_equal(n->tables, 4);
	unsigned frees = f->a.frees;
	assert_true(npt_map(n, 0x600000, 0x2000000, NPT_PAGE_2M, NPT_X));
	assert_int_equal(n->tables, 3);
	assert_int_equal(f->a.frees, frees + 1);
	for (uint64_t i = 0; i < 512; i += 37)
		expect(n, 0x600000 + i * PAGE, 0x2000000 + i * PAGE, NPT_PAGE_2M, NPT_X);
	check_tree(n);

	/* And back: a 4 KiB map splits it again. */
	assert_true(npt_map(n, 0x600000, 0x5000, NPT_PAGE_4K, NPT_W));
	assert_int_equal(n->tables, 4);
	expect(n, 0x600000, 0x5000, NPT_PAGE_4K, NPT_W);
	expect(n, 0x601000, 0x2001000, NPT_PAGE_4K, NPT_X);
	check_tree(n);
}

static void test_unmap(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	/* Unmapping what is not mapped is fine and allocates nothing. */
	assert_true(npt_unmap(n, 0x5000));
	assert_int_equal(n->tables, 1);

	assert_true(npt_map(n, 0x1000, 0x2000, NPT_PAGE_4K, NPT_W));
	assert_true(npt_map(n, 0x2000, 0x3000, NPT_PAGE_4K, NPT_W));
	assert_true(npt_unmap(n, 0x1000));
	expect_none(n, 0x1000);
	expect(n, 0x2000, 0x3000, NPT_PAGE_4K, NPT_W);
	int level;
	assert_int_equal(raw_walk(n, 0x1000, &level), 0);

	/* 4 KiB inside a 2 MiB page: split, one hole, 511 kept. */
	assert_true(npt_map(n, 0xa00000, 0xc00000, NPT_PAGE_2M, NPT_W | NPT_X));
	assert_true(npt_unmap(n, 0xa00000 + 100 * PAGE));
	for (uint64_t i = 0; i < 512; i++) {
		if (i == 100)
			expect_none(n, 0xa00000 + i * PAGE);
		else
			expect(n, 0xa00000 + i * PAGE, 0xc00000 + i * PAGE,
			       NPT_PAGE_4K, NPT_W | NPT_X);
	}
	/* Unaligned gpa: the page holding it. */
	assert_true(npt_unmap(n, 0xa00000 + 7 * PAGE + 0x123));
	expect_none(n, 0xa00000 + 7 * PAGE);
	expect(n, 0xa00000 + 8 * PAGE, 0xc00000 + 8 * PAGE, NPT_PAGE_4K, NPT_W | NPT_X);
	check_tree(n);
}

static void test_destroy_frees_all(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	/* Spread over several PML4 and PDPT slots, with 2 MiB and 4 KiB pages. */
	const uint64_t gpas[] = { 0, 0x40000000, 0x8000000000ull,
				  0x7f8000000000ull, 0xffffffc00000ull };
	for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		assert_true(npt_map(n, gpas[i], 0x200000, NPT_PAGE_2M, NPT_W));
		assert_true(npt_map(n, gpas[i] + NPT_PAGE_2M, 0x1000, NPT_PAGE_4K, 0));
	}
	check_tree(n);
	assert_true(f->a.allocs > 10);
	/* teardown() destroys and checks allocs == frees, in_use == 0. */
}

static void test_destroy_on_empty(void **state)
{
	struct fixture *f = *state;
	npt_destroy(&f->n);
	assert_int_equal(f->a.in_use, 0);
	assert_int_equal(f->n.tables, 0);
	npt_destroy(&f->n);   /* twice: harmless */
	assert_int_equal(f->a.bad_frees, 0);
}

static void test_init_oom(void **state)
{
	struct arena *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	a->fail_after = 0;
	a->base = aligned_alloc(PAGE, ARENA_PAGES * PAGE);
	struct npt n = { .alloc_table = a_alloc, .free_table = a_free,
			 .phys_to_virt = a_p2v, .ctx = a };
	assert_false(npt_init(&n));
	assert_int_equal(n.tables, 0);
	npt_destroy(&n);          /* nothing to free */
	assert_int_equal(a->frees, 0);
	assert_int_equal(a->bad_frees, 0);
	free(a->base);
	free(a);
}

static void test_oom(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;

	/* Every depth at which the allocator can run dry. */
	for (int budget = 0; budget < 3; budget++) {
		uint64_t gpa = (uint64_t)(budget + 1) << 39;   /* fresh PML4 slot */
		f->a.fail_after = budget;
		assert_false(npt_map(n, gpa, 0x1000, NPT_PAGE_4K, NPT_W));
		expect_none(n, gpa);
		check_tree(n);
	}
	f->a.fail_after = -1;

	/* A split that cannot get its page leaves the 2 MiB page intact. */
	assert_true(npt_map(n, 0x200000, 0x800000, NPT_PAGE_2M, NPT_W));
	unsigned tables = n->tables;
	f->a.fail_after = 0;
	assert_false(npt_map(n, 0x201000, 0x5000, NPT_PAGE_4K, NPT_W));
	assert_false(npt_unmap(n, 0x201000));
	assert_int_equal(n->tables, tables);
	for (uint64_t i = 0; i < 512; i += 17)
		expect(n, 0x200000 + i * PAGE, 0x800000 + i * PAGE, NPT_PAGE_2M, NPT_W);
	f->a.fail_after = -1;
	check_tree(n);

	/* Once memory is back, it works. */
	assert_true(npt_map(n, 0x201000, 0x5000, NPT_PAGE_4K, NPT_W));
	expect(n, 0x201000, 0x5000, NPT_PAGE_4K, NPT_W);
	expect(n, 0x202000, 0x802000, NPT_PAGE_4K, NPT_W);
	check_tree(n);
}

/* ---- randomized, against a reference model ------------------------------ */

/* The model: for each 4 KiB guest page in a small window, its host page and
 * flags, or not mapped. The window spans two PD entries' worth of 2 MiB
 * pages in each of two far-apart regions, so splits, merges and table frees
 * all happen often. */
#define REGION_PAGES 2048u         /* 8 MiB: four 2 MiB pages */
#define REGIONS 2
static const uint64_t region_base[REGIONS] = { 0x3fc00000ull, 0x7fffff800000ull };

struct model_page {
	bool mapped;
	uint64_t hpa, flags;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void test_random(void **state)
{
	struct fixture *f = *state;
	struct npt *n = &f->n;
	static struct model_page m[REGIONS][REGION_PAGES];
	const uint64_t flag_sets[] = { 0, NPT_W, NPT_X, NPT_W | NPT_X };

	memset(m, 0, sizeof(m));
	for (int op = 0; op < 20000; op++) {
		unsigned r = rnd() % REGIONS;
		unsigned pg = rnd() % REGION_PAGES;
		uint64_t fl = flag_sets[rnd() % 4];
		unsigned kind = rnd() % 10;
		if (kind < 4) {                      /* map 4 KiB */
			uint64_t hpa = (rnd() % (1ull << 28)) << 12;
			assert_true(npt_map(n, region_base[r] + pg * PAGE, hpa,
					    NPT_PAGE_4K, fl));
			m[r][pg] = (struct model_page){ true, hpa, fl };
		} else if (kind < 6) {               /* map 2 MiB */
			pg &= ~511u;
			uint64_t hpa = (rnd() % (1ull << 19)) << 21;
			assert_true(npt_map(n, region_base[r] + pg * PAGE, hpa,
					    NPT_PAGE_2M, fl));
			for (unsigned i = 0; i < 512; i++)
				m[r][pg + i] = (struct model_page){
					true, hpa + i * PAGE, fl };
		} else if (kind < 9) {               /* unmap */
			assert_true(npt_unmap(n, region_base[r] + pg * PAGE));
			m[r][pg].mapped = false;
		} else {                             /* bad map: no effect */
			assert_false(npt_map(n, region_base[r] + pg * PAGE + 0x800,
					     0, NPT_PAGE_4K, fl));
		}

		/* Check a few random pages every time, all of them now and then. */
		unsigned checks = (op % 1000 == 999) ? REGIONS * REGION_PAGES : 8;
		for (unsigned c = 0; c < checks; c++) {
			unsigned cr = checks > 8 ? c / REGION_PAGES : rnd() % REGIONS;
			unsigned cp = checks > 8 ? c % REGION_PAGES : rnd() % REGION_PAGES;
			uint64_t gpa = region_base[cr] + cp * PAGE;
			uint64_t h, s, fl2;
			bool found = npt_lookup(n, gpa, &h, &s, &fl2);
			assert_int_equal(found, m[cr][cp].mapped);
			if (found) {
				assert_int_equal(h, m[cr][cp].hpa);
				assert_int_equal(fl2, m[cr][cp].flags);
				if (s == NPT_PAGE_2M) {
					/* A 2 MiB leaf must agree with all 512. */
					unsigned b = cp & ~511u;
					for (unsigned i = 0; i < 512; i++) {
						assert_true(m[cr][b + i].mapped);
						assert_int_equal(m[cr][b + i].flags, fl2);
						assert_int_equal(m[cr][b + i].hpa,
							h - (uint64_t)(cp - b) * PAGE + i * PAGE);
					}
				} else {
					assert_int_equal(s, NPT_PAGE_4K);
				}
			}
		}
		if (op % 1000 == 999)
			check_tree(n);
	}
	/* Outside the windows nothing was ever mapped. */
	expect_none(n, 0);
	expect_none(n, region_base[0] - PAGE);
	expect_none(n, region_base[0] + REGION_PAGES * PAGE);
	expect_none(n, region_base[1] - PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaligned_and_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_2m_over_4k_frees_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_frees_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_on_empty, setup, teardown),
		cmocka_unit_test(test_init_oom),
		cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
