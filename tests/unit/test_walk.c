/*
 * tests/unit/test_walk.c - unit tests for arch/x86/insn/walk.c, the guest
 * page walker: tables built by hand in a fake guest-physical memory, one
 * test per paging mode and per fault kind, the #PF error codes spelled out
 * from APM vol. 2, 8.4.2 (P = bit 0, W/R = 1, U/S = 2, RSVD = 3, I/D = 4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arch/x86/insn/walk.h"

/* Error code bits, independently of walk.h. */
#define E_P    (1u << 0)
#define E_W    (1u << 1)
#define E_U    (1u << 2)
#define E_RSVD (1u << 3)
#define E_ID   (1u << 4)

/* Entry bits (APM vol. 2, 5.3-5.4). */
#define P   1ull
#define RW  2ull
#define US  4ull
#define PS  0x80ull
#define NX  (1ull << 63)

#define T_CR0_PE (1ull << 0)
#define T_CR0_WP (1ull << 16)
#define T_CR0_PG (1ull << 31)
#define T_CR4_PSE (1ull << 4)
#define T_CR4_PAE (1ull << 5)
#define T_CR4_LA57 (1ull << 12)
#define T_EFER_LME (1ull << 8)
#define T_EFER_LMA (1ull << 10)
#define T_EFER_NXE (1ull << 11)

#define MEM_SIZE (64 * 4096)
static uint8_t mem[MEM_SIZE];
static unsigned reads;

/* The reader: guest RAM is mem[], everything else is not RAM. */
static bool read_mem(void *ctx, uint64_t gpa, unsigned size, uint64_t *e)
{
	assert_ptr_equal(ctx, mem);
	assert_true(size == 4 || size == 8);
	assert_int_equal(gpa % size, 0);	/* entries are naturally aligned */
	reads++;
	if (gpa >= MEM_SIZE || MEM_SIZE - gpa < size)
		return false;
	memcpy(e, mem + gpa, size);
	return true;
}

static void set64(uint64_t gpa, uint64_t v) { memcpy(mem + gpa, &v, 8); }
static void set32(uint64_t gpa, uint32_t v) { memcpy(mem + gpa, &v, 4); }

static int reset(void **state)
{
	memset(mem, 0, sizeof(mem));
	reads = 0;
	return 0;
}

struct result {
	enum walk_result r;
	uint64_t gpa;
	uint32_t err;
};

static struct result walk(const struct walk_regs *regs, uint64_t la, unsigned access)
{
	struct result res = { .gpa = 0xdead, .err = 0xdead };
	res.r = walk_translate(regs, la, access, read_mem, mem, &res.gpa, &res.err);
	return res;
}

static void expect_ok(const struct walk_regs *regs, uint64_t la, unsigned access,
		      uint64_t gpa)
{
	struct result res = walk(regs, la, access);
	assert_int_equal(res.r, WALK_OK);
	assert_int_equal(res.gpa, gpa);
}

static void expect_pf(const struct walk_regs *regs, uint64_t la, unsigned access,
		      uint32_t err)
{
	struct result res = walk(regs, la, access);
	assert_int_equal(res.r, WALK_PAGE_FAULT);
	assert_int_equal(res.err, err);
}

static void expect_not_ram(const struct walk_regs *regs, uint64_t la, unsigned access)
{
	assert_int_equal(walk(regs, la, access).r, WALK_NOT_RAM);
}

/* ---- no paging ---------------------------------------------------------- */

static void test_real_mode_identity(void **state)
{
	struct walk_regs r = { .cr0 = 0 };
	expect_ok(&r, 0xb8000, 0, 0xb8000);
	expect_ok(&r, 0xffff0, ACCESS_FETCH, 0xffff0);
	expect_ok(&r, 0x10ffef, ACCESS_WRITE, 0x10ffef);	/* A20 is not modelled */
	assert_int_equal(reads, 0);
}

static void test_protected_no_paging_wraps_at_4g(void **state)
{
	struct walk_regs r = { .cr0 = T_CR0_PE };
	expect_ok(&r, 0x1fee00030ull, ACCESS_WRITE | ACCESS_USER, 0xfee00030);
	assert_int_equal(reads, 0);
}

/* ---- 32-bit paging (APM vol. 2, 5.3) ------------------------------------ */

#define R32(c4) { .cr0 = T_CR0_PE | T_CR0_PG, .cr3 = 0x1000, .cr4 = (c4) }

/* PDE 0x1000 + 4*pdi -> PT at 0x2000. */
static void map32(uint32_t la, uint32_t pde_flags, uint32_t pte)
{
	set32(0x1000 + 4 * (la >> 22), 0x2000 | pde_flags);
	set32(0x2000 + 4 * ((la >> 12) & 0x3ff), pte);
}

static void test_32bit_4k(void **state)
{
	struct walk_regs r = R32(0);
	map32(0x00403123, P | RW | US, 0x00abc000 | P | RW | US);
	expect_ok(&r, 0x00403123, ACCESS_WRITE | ACCESS_USER, 0x00abc123);
	assert_int_equal(reads, 2);
	/* la is 32 bits: the upper half is ignored. */
	expect_ok(&r, 0x7700403123ull, 0, 0x00abc123);
	/* CR3 bits 11:0 are not part of the table address. */
	r.cr3 = 0x1018;
	expect_ok(&r, 0x00403fff, 0, 0x00abcfff);
}

static void test_32bit_top_entry(void **state)
{
	struct walk_regs r = R32(0);
	map32(0xfffff000, P, 0x00005000 | P);
	expect_ok(&r, 0xffffffff, 0, 0x5fff);
}

static void test_32bit_pse_4m(void **state)
{
	struct walk_regs r = R32(T_CR4_PSE);
	/* 4 MiB page at 0x12_00c00000 (PSE-36: PDE bits 20:13 are PA 39:32). */
	set32(0x1000 + 4 * 1, 0x00c00000 | (0x12u << 13) | PS | P | RW);
	expect_ok(&r, 0x00512345, ACCESS_WRITE, 0x1200d12345ull);
	assert_int_equal(reads, 1);
}

static void test_32bit_ps_without_pse_is_a_table(void **state)
{
	struct walk_regs r = R32(0);
	map32(0x00403000, P | PS, 0x00777000 | P);
	expect_ok(&r, 0x00403010, 0, 0x00777010);
	assert_int_equal(reads, 2);
}

static void test_32bit_not_present(void **state)
{
	struct walk_regs r = R32(0);
	expect_pf(&r, 0x00403000, 0, 0);		/* PDE */
	expect_pf(&r, 0x00403000, ACCESS_WRITE | ACCESS_USER, E_W | E_U);
	map32(0x00403000, P | RW | US, 0x00abc000);	/* PTE not present */
	expect_pf(&r, 0x00403000, ACCESS_WRITE, E_W);
	expect_pf(&r, 0x00403000, ACCESS_USER, E_U);
}

static void test_32bit_user_on_supervisor_page(void **state)
{
	struct walk_regs r = R32(0);
	map32(0x00403000, P | RW, 0x00abc000 | P | RW | US);	/* PDE: supervisor */
	expect_pf(&r, 0x00403000, ACCESS_USER, E_P | E_U);
	expect_ok(&r, 0x00403000, 0, 0x00abc000);
	map32(0x00403000, P | RW | US, 0x00abc000 | P | RW);	/* PTE: supervisor */
	expect_pf(&r, 0x00403000, ACCESS_USER | ACCESS_WRITE, E_P | E_W | E_U);
}

static void test_32bit_write_protect(void **state)
{
	struct walk_regs r = R32(0);
	map32(0x00403000, P | US, 0x00abc000 | P | RW | US);	/* PDE read-only */
	expect_pf(&r, 0x00403000, ACCESS_USER | ACCESS_WRITE, E_P | E_W | E_U);
	/* Supervisor writes ignore R/W unless CR0.WP (APM vol. 2, 5.6.4). */
	expect_ok(&r, 0x00403000, ACCESS_WRITE, 0x00abc000);
	r.cr0 |= T_CR0_WP;
	expect_pf(&r, 0x00403000, ACCESS_WRITE, E_P | E_W);
	expect_ok(&r, 0x00403000, 0, 0x00abc000);
}

/* ---- PAE (APM vol. 2, 5.4) ---------------------------------------------- */

#define RPAE(ef) { .cr0 = T_CR0_PE | T_CR0_PG, .cr3 = 0x1000, .cr4 = T_CR4_PAE, .efer = (ef) }

/* PDPT at 0x1000 (32 bytes), PD at 0x2000, PT at 0x3000. */
static void map_pae(uint32_t la, uint64_t pde_flags, uint64_t pte)
{
	set64(0x1000 + 8 * (la >> 30), 0x2000 | P);
	set64(0x2000 + 8 * ((la >> 21) & 511), 0x3000 | pde_flags);
	set64(0x3000 + 8 * ((la >> 12) & 511), pte);
}

static void test_pae_4k(void **state)
{
	struct walk_regs r = RPAE(0);
	map_pae(0xc0201abc, P | RW | US, 0x0000000fedcba000ull | P | RW | US);
	expect_ok(&r, 0xc0201abc, ACCESS_WRITE | ACCESS_USER, 0x0000000fedcbaabcull);
	assert_int_equal(reads, 3);
	expect_ok(&r, 0x12c0201abcull, 0, 0x0000000fedcbaabcull);	/* 32-bit la */
	/* CR3 bits 4:0 are not part of the PDPT address (APM vol. 2, 5.4.1). */
	r.cr3 = 0x1018;
	expect_ok(&r, 0xc0201abc, 0, 0x0000000fedcbaabcull);
}

static void test_pae_2m(void **state)
{
	struct walk_regs r = RPAE(0);
	set64(0x1000 + 8 * 1, 0x2000 | P);
	set64(0x2000 + 8 * 3, 0x0000000123400000ull | PS | P | RW);
	expect_ok(&r, 0x40654321, ACCESS_WRITE, 0x0000000123454321ull);
	assert_int_equal(reads, 2);
}

static void test_pae_not_present(void **state)
{
	struct walk_regs r = RPAE(0);
	expect_pf(&r, 0x40000000, ACCESS_WRITE, E_W);		/* PDPTE */
	set64(0x1000 + 8 * 1, 0x2000 | P);
	expect_pf(&r, 0x40000000, ACCESS_USER, E_U);		/* PDE */
	set64(0x2000, 0x3000 | P | RW | US);
	expect_pf(&r, 0x40000000, 0, 0);			/* PTE */
}

static void test_pae_nx(void **state)
{
	struct walk_regs r = RPAE(T_EFER_NXE);
	map_pae(0x00400000, P | RW | US, 0x00abc000 | P | RW | US | NX);
	expect_pf(&r, 0x00400000, ACCESS_FETCH, E_P | E_ID);
	expect_pf(&r, 0x00400000, ACCESS_FETCH | ACCESS_USER, E_P | E_U | E_ID);
	expect_ok(&r, 0x00400000, ACCESS_WRITE | ACCESS_USER, 0x00abc000);
	/* NX on a higher level forbids fetches from everything below. */
	map_pae(0x00400000, P | RW | US | NX, 0x00abc000 | P | RW | US);
	expect_pf(&r, 0x00400000, ACCESS_FETCH, E_P | E_ID);
}

/* ---- long mode, 4 and 5 levels (APM vol. 2, 5.3.3, 5.4) ----------------- */

#define R64(c4, ef) { .cr0 = T_CR0_PE | T_CR0_PG, .cr3 = 0x1000, \
	.cr4 = T_CR4_PAE | (c4), .efer = T_EFER_LME | T_EFER_LMA | (ef) }

#define IDX(la, level) (((la) >> (12 + 9 * ((level) - 1))) & 511)

/* PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000; flags per level. */
static void map4(uint64_t la, uint64_t f4, uint64_t f3, uint64_t f2, uint64_t pte)
{
	set64(0x1000 + 8 * IDX(la, 4), 0x2000 | f4);
	set64(0x2000 + 8 * IDX(la, 3), 0x3000 | f3);
	set64(0x3000 + 8 * IDX(la, 2), 0x4000 | f2);
	set64(0x4000 + 8 * IDX(la, 1), pte);
}

#define ALL (P | RW | US)

static void test_long_4k(void **state)
{
	struct walk_regs r = R64(0, 0);
	uint64_t la = 0xffff800012345678ull;
	map4(la, ALL, ALL, ALL, 0x000ffffffffff000ull | ALL);
	expect_ok(&r, la, ACCESS_WRITE | ACCESS_USER, 0x000ffffffffff678ull);
	assert_int_equal(reads, 4);
	/* The PTE's bits 62:52 and 11:0 are not part of the address. */
	set64(0x4000 + 8 * IDX(la, 1), 0x7ff0000000abc000ull | ALL | 0xf00);
	expect_ok(&r, la, 0, 0x0000000000abc678ull);
}

static void test_long_2m_and_1g(void **state)
{
	struct walk_regs r = R64(0, 0);
	uint64_t la = 0x0000004080654321ull;	/* PML4 0, PDPT 258, PD 3 */
	set64(0x1000 + 8 * IDX(la, 4), 0x2000 | ALL);
	set64(0x2000 + 8 * IDX(la, 3), 0x3000 | ALL);
	set64(0x3000 + 8 * IDX(la, 2), 0x0000000123400000ull | PS | ALL);
	expect_ok(&r, la, ACCESS_USER, 0x0000000123454321ull);
	assert_int_equal(reads, 3);
	set64(0x2000 + 8 * IDX(la, 3), 0x0000004c0000000ull | PS | ALL);
	reads = 0;
	expect_ok(&r, la, ACCESS_USER, 0x0000004c0654321ull);
	assert_int_equal(reads, 2);
}

static void test_long_not_present_each_level(void **state)
{
	struct walk_regs r = R64(0, 0);
	uint64_t la = 0x00007f0000201000ull;
	expect_pf(&r, la, ACCESS_USER | ACCESS_WRITE, E_U | E_W);	/* PML4E */
	set64(0x1000 + 8 * IDX(la, 4), 0x2000 | ALL);
	expect_pf(&r, la, 0, 0);					/* PDPTE */
	set64(0x2000 + 8 * IDX(la, 3), 0x3000 | ALL);
	expect_pf(&r, la, ACCESS_FETCH, 0);	/* PDE; I/D only with NXE */
	set64(0x3000 + 8 * IDX(la, 2), 0x4000 | ALL);
	expect_pf(&r, la, ACCESS_USER, E_U);				/* PTE */
	set64(0x4000 + 8 * IDX(la, 1), 0x9000 | ALL);
	expect_ok(&r, la, ACCESS_USER, 0x9000);
}

static void test_long_user_supervisor_each_level(void **state)
{
	struct walk_regs r = R64(0, 0);
	uint64_t la = 0x0000000000201000ull;
	for (int level = 4; level >= 1; level--) {
		map4(la, level == 4 ? P | RW : ALL, level == 3 ? P | RW : ALL,
		     level == 2 ? P | RW : ALL, 0x9000 | (level == 1 ? P | RW : ALL));
		expect_pf(&r, la, ACCESS_USER, E_P | E_U);
		expect_pf(&r, la, ACCESS_USER | ACCESS_FETCH, E_P | E_U);
		r.efer |= T_EFER_NXE;
		expect_pf(&r, la, ACCESS_USER | ACCESS_FETCH, E_P | E_U | E_ID);
		r.efer &= ~T_EFER_NXE;
		expect_ok(&r, la, ACCESS_WRITE, 0x9000);
	}
}

static void test_long_read_only_each_level(void **state)
{
	struct walk_regs r = R64(0, 0);
	uint64_t la = 0x0000000000201000ull;
	for (int level = 4; level >= 1; level--) {
		uint64_t ro = P | US;
		map4(la, level == 4 ? ro : ALL, level == 3 ? ro : ALL,
		     level == 2 ? ro : ALL, 0x9000 | (level == 1 ? ro : ALL));
		r.cr0 &= ~T_CR0_WP;
		expect_pf(&r, la, ACCESS_USER | ACCESS_WRITE, E_P | E_W | E_U);
		expect_ok(&r, la, ACCESS_WRITE, 0x9000);
		expect_ok(&r, la, ACCESS_USER, 0x9000);
		r.cr0 |= T_CR0_WP;
		expect_pf(&r, la, ACCESS_WRITE, E_P | E_W);
	}
}

static void test_long_nx(void **state)
{
	struct walk_regs r = R64(0, T_EFER_NXE);
	uint64_t la = 0x0000000000201000ull;
	for (int level = 4; level >= 1; level--) {
		map4(la, ALL | (level == 4 ? NX : 0), ALL | (level == 3 ? NX : 0),
		     ALL | (level == 2 ? NX : 0), 0x9000 | ALL | (level == 1 ? NX : 0));
		expect_pf(&r, la, ACCESS_FETCH, E_P | E_ID);
		expect_ok(&r, la, ACCESS_WRITE | ACCESS_USER, 0x9000);
	}
}

static void test_long_5_level(void **state)
{
	struct walk_regs r = R64(T_CR4_LA57, 0);
	uint64_t la = 0xff5a000000201abcull;	/* PML5 index 0x15a, PML4 0 */
	r.cr3 = 0x5000;
	set64(0x5000 + 8 * ((la >> 48) & 511), 0x1000 | ALL);
	map4(la, ALL, ALL, ALL, 0x9000 | ALL);
	expect_ok(&r, la, ACCESS_USER, 0x9abc);
	assert_int_equal(reads, 5);
	/* The same la with 4 levels starts at CR3 as the PML4. */
	set64(0x5000 + 8 * IDX(la, 4), 0);
	r.cr4 &= ~T_CR4_LA57;
	expect_pf(&r, la, ACCESS_USER, E_U);
	/* A PML5E that is not present, or supervisor-only. */
	r.cr4 |= T_CR4_LA57;
	set64(0x5000 + 8 * ((la >> 48) & 511), 0x1000 | P | RW);
	expect_pf(&r, la, ACCESS_USER, E_P | E_U);
	set64(0x5000 + 8 * ((la >> 48) & 511), 0);
	expect_pf(&r, la, 0, 0);
}

/* ---- fault kinds across levels (APM vol. 2, 5.6, 8.4.2) ----------------- */

static void test_not_present_wins_over_protection(void **state)
{
	/* A supervisor-only PML4E above a missing PTE: no translation, P = 0. */
	struct walk_regs r = R64(0, 0);
	uint64_t la = 0x201000;
	map4(la, P | RW, ALL, ALL, 0);
	expect_pf(&r, la, ACCESS_USER | ACCESS_WRITE, E_U | E_W);
	struct walk_regs r32 = R32(0);
	map32(0x00403000, P, 0);
	expect_pf(&r32, 0x00403000, ACCESS_USER | ACCESS_WRITE, E_U | E_W);
}

static void test_reserved_wins_over_protection(void **state)
{
	struct walk_regs r = R64(0, 0);
	r.maxphyaddr = 40;
	uint64_t la = 0x201000;
	map4(la, P | RW, ALL, ALL, (1ull << 45) | 0x9000 | ALL);
	expect_pf(&r, la, ACCESS_USER, E_P | E_RSVD | E_U);
}

static void test_id_bit_only_with_nx(void **state)
{
	/* 32-bit paging: never, even with EFER.NXE (it needs CR4.PAE). */
	struct walk_regs r32 = R32(0);
	r32.efer = T_EFER_NXE;
	expect_pf(&r32, 0x00403000, ACCESS_FETCH | ACCESS_USER, E_U);
	/* PAE and long mode: with EFER.NXE, whatever the fault. */
	struct walk_regs rp = RPAE(0);
	expect_pf(&rp, 0x00403000, ACCESS_FETCH, 0);
	rp.efer = T_EFER_NXE;
	expect_pf(&rp, 0x00403000, ACCESS_FETCH, E_ID);
	struct walk_regs r = R64(0, T_EFER_NXE);
	expect_pf(&r, 0x201000, ACCESS_FETCH | ACCESS_USER, E_ID | E_U);
	map4(0x201000, ALL, ALL, ALL, 0x9000 | P);
	expect_pf(&r, 0x201000, ACCESS_FETCH | ACCESS_USER, E_P | E_ID | E_U);
	expect_ok(&r, 0x201000, ACCESS_FETCH, 0x9000);
}

/* ---- reserved bits (APM vol. 2, 5.3-5.4; P = RSVD = 1) ------------------ */

#define RSVD_ERR (E_P | E_RSVD)

static void test_rsvd_long(void **state)
{
	struct walk_regs r = R64(0, 0);
	r.maxphyaddr = 40;
	uint64_t la = 0x0000004080654321ull;	/* PML4 0, PDPT 258, PD 3, PT 0x54 */
	map4(la, ALL, ALL, ALL, 0x000000ffffffe000ull | ALL);
	expect_ok(&r, la, 0, 0x000000ffffffe321ull);	/* bit 39: below 40 */
	/* A PTE address bit at MAXPHYADDR and above, up to 51. */
	for (unsigned b = 40; b <= 51; b++) {
		set64(0x4000 + 8 * IDX(la, 1), (1ull << b) | 0x9000 | ALL);
		expect_pf(&r, la, ACCESS_WRITE, RSVD_ERR | E_W);
	}
	/* Bits 62:52 are free for software. */
	set64(0x4000 + 8 * IDX(la, 1), 0x7ff0000000009000ull | ALL);
	expect_ok(&r, la, 0, 0x9321);
	/* NX without EFER.NXE, in any level. */
	set64(0x4000 + 8 * IDX(la, 1), NX | 0x9000 | ALL);
	expect_pf(&r, la, 0, RSVD_ERR);
	r.efer |= T_EFER_NXE;
	expect_ok(&r, la, 0, 0x9321);
	r.efer &= ~T_EFER_NXE;
	map4(la, ALL | NX, ALL, ALL, 0x9000 | ALL);
	expect_pf(&r, la, ACCESS_USER, RSVD_ERR | E_U);
	/* PS and bit 8 in a PML4E. */
	map4(la, ALL | PS, ALL, ALL, 0x9000 | ALL);
	expect_pf(&r, la, 0, RSVD_ERR);
	map4(la, ALL | 0x100, ALL, ALL, 0x9000 | ALL);
	expect_pf(&r, la, 0, RSVD_ERR);
	/* ...but bit 8 (G) in a PTE and in a PDE is not reserved. */
	map4(la, ALL, ALL, ALL | 0x100, 0x9000 | ALL | 0x100);
	expect_ok(&r, la, 0, 0x9321);
	/* A PML4E's table address above MAXPHYADDR. */
	set64(0x1000 + 8 * IDX(la, 4), (1ull << 44) | 0x2000 | ALL);
	expect_pf(&r, la, 0, RSVD_ERR);
	/* A MAXPHYADDR below 32 (no x86 CPU) counts as 32. */
	r.maxphyaddr = 20;
	map4(la, ALL, ALL, ALL, 0xffffe000ull | ALL);
	expect_ok(&r, la, 0, 0xffffe321ull);
	/* Without a MAXPHYADDR the walker allows all 52 bits. */
	r.maxphyaddr = 0;
	map4(la, ALL, ALL, ALL, (1ull << 51) | 0x9000 | ALL);
	expect_ok(&r, la, 0, (1ull << 51) | 0x9321);
}

static void test_rsvd_long_large_pages(void **state)
{
	struct walk_regs r = R64(0, 0);
	r.maxphyaddr = 48;
	uint64_t la = 0x0000004080654321ull;
	set64(0x1000 + 8 * IDX(la, 4), 0x2000 | ALL);
	set64(0x2000 + 8 * IDX(la, 3), 0x3000 | ALL);
	/* 2 MiB: bit 12 is PAT, bits 20:13 reserved. */
	set64(0x3000 + 8 * IDX(la, 2), 0x0000000123401000ull | PS | ALL);
	expect_ok(&r, la, 0, 0x0000000123454321ull);
	for (unsigned b = 13; b <= 20; b++) {
		set64(0x3000 + 8 * IDX(la, 2), 0x0000000123400000ull | (1ull << b) | PS | ALL);
		expect_pf(&r, la, 0, RSVD_ERR);
	}
	/* 1 GiB: bits 29:13 reserved. */
	set64(0x2000 + 8 * IDX(la, 3), 0x0000004c0001000ull | PS | ALL);
	expect_ok(&r, la, 0, 0x0000004c0654321ull);
	for (unsigned b = 13; b <= 29; b++) {
		set64(0x2000 + 8 * IDX(la, 3), 0x0000004c0000000ull | (1ull << b) | PS | ALL);
		expect_pf(&r, la, 0, RSVD_ERR);
	}
}

static void test_rsvd_5_level(void **state)
{
	struct walk_regs r = R64(T_CR4_LA57, 0);
	r.cr3 = 0x5000;
	uint64_t la = 0x0000000000201abcull;
	map4(la, ALL, ALL, ALL, 0x9000 | ALL);
	set64(0x5000, 0x1000 | ALL | PS);
	expect_pf(&r, la, 0, RSVD_ERR);
	set64(0x5000, 0x1000 | ALL | 0x100);
	expect_pf(&r, la, 0, RSVD_ERR);
	set64(0x5000, 0x1000 | ALL);
	expect_ok(&r, la, 0, 0x9abc);
}

static void test_rsvd_pae(void **state)
{
	struct walk_regs r = RPAE(0);
	r.maxphyaddr = 36;
	map_pae(0x00400000, ALL, 0x0000000fffff0000ull | ALL);
	expect_ok(&r, 0x00400123, 0, 0x0000000fffff0123ull);
	/* PDPTE: bit 63 and the address above MAXPHYADDR. */
	static const unsigned pdpte_bits[] = { 36, 51, 62, 63 };
	for (unsigned i = 0; i < sizeof(pdpte_bits) / sizeof(pdpte_bits[0]); i++) {
		set64(0x1000, 0x2000 | P | (1ull << pdpte_bits[i]));
		expect_pf(&r, 0x00400123, ACCESS_USER, RSVD_ERR | E_U);
	}
	/* Bit 5 of a PDPTE is not checked: QEMU's CPU sets it (accessed). */
	set64(0x1000, 0x2000 | P | 0x20);
	expect_ok(&r, 0x00400123, 0, 0x0000000fffff0123ull);
	set64(0x1000, 0x2000 | P);
	/* PDE, PTE: address bits 62:MAXPHYADDR, and NX without NXE. */
	map_pae(0x00400000, ALL | (1ull << 62), 0x9000 | ALL);
	expect_pf(&r, 0x00400123, 0, RSVD_ERR);
	map_pae(0x00400000, ALL, (1ull << 36) | 0x9000 | ALL);
	expect_pf(&r, 0x00400123, 0, RSVD_ERR);
	map_pae(0x00400000, ALL, NX | 0x9000 | ALL);
	expect_pf(&r, 0x00400123, 0, RSVD_ERR);
	r.efer = T_EFER_NXE;
	expect_ok(&r, 0x00400123, 0, 0x9123);
	/* A 2 MiB PDE: bits 20:13. */
	set64(0x2000 + 8 * 2, 0x00600000 | (1ull << 13) | PS | ALL);
	expect_pf(&r, 0x00400123, 0, RSVD_ERR);
	set64(0x2000 + 8 * 2, 0x00600000 | (1ull << 12) | PS | ALL);
	expect_ok(&r, 0x00400123, 0, 0x00600123);
}

static void test_rsvd_32bit(void **state)
{
	struct walk_regs r = R32(T_CR4_PSE);
	r.maxphyaddr = 36;
	/* 4 MiB PDE: bit 21, and bits 20:17 (PA 39:36) above MAXPHYADDR. */
	set32(0x1000 + 4, 0x00c00000 | (0xfu << 13) | PS | P);
	expect_ok(&r, 0x00512345, 0, 0x0f00d12345ull);
	set32(0x1000 + 4, 0x00c00000 | (1u << 21) | PS | P);
	expect_pf(&r, 0x00512345, 0, RSVD_ERR);
	set32(0x1000 + 4, 0x00c00000 | (1u << 17) | PS | P);
	expect_pf(&r, 0x00512345, ACCESS_WRITE, RSVD_ERR | E_W);
	r.maxphyaddr = 40;
	expect_ok(&r, 0x00512345, 0, 0x1000d12345ull);
	/* 4 KiB pages have no reserved bits. */
	map32(0x00403000, P | RW | US | 0xf00, 0xfffff000u | P | 0xf78);
	expect_ok(&r, 0x00403abc, 0, 0xfffffabcull);
}

/* ---- tables outside guest RAM, loops ------------------------------------ */

static void test_tables_outside_ram(void **state)
{
	struct walk_regs r = R64(0, 0);
	r.cr3 = 0x80000000;
	expect_not_ram(&r, 0x1000, 0);
	r.cr3 = 0x1000;
	set64(0x1000, 0x7fff000ull | ALL);		/* PDPT beyond mem[] */
	expect_not_ram(&r, 0x1000, 0);
	struct walk_regs r32 = R32(0);
	set32(0x1000, 0xfffff000u | P);
	expect_not_ram(&r32, 0x1000, 0);
	struct walk_regs rp = RPAE(0);
	rp.cr3 = 0xffffffe0;
	expect_not_ram(&rp, 0x1000, 0);
	/* The final page need not be RAM: the walker does not read it. */
	set64(0x1000, 0x2000 | ALL);
	set64(0x2000, 0x3000 | ALL);
	set64(0x3000, 0x4000 | ALL);
	set64(0x4000 + 8, 0xfee00000ull | ALL);
	expect_ok(&r, 0x1030, 0, 0xfee00030);
}

static void test_self_referencing_tables_end(void **state)
{
	struct walk_regs r = R64(0, 0);
	for (unsigned i = 0; i < 512; i++)
		set64(0x1000 + 8 * i, 0x1000 | ALL);	/* every entry: the PML4 */
	expect_ok(&r, 0x0000123456789abcull, ACCESS_USER, 0x1abc);
	assert_int_equal(reads, 4);
	struct walk_regs r5 = R64(T_CR4_LA57, 0);
	reads = 0;
	expect_ok(&r5, 0x0123456789abcdefull, 0, 0x1def);
	assert_int_equal(reads, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_real_mode_identity, reset),
		cmocka_unit_test_setup(test_protected_no_paging_wraps_at_4g, reset),
		cmocka_unit_test_setup(test_32bit_4k, reset),
		cmocka_unit_test_setup(test_32bit_top_entry, reset),
		cmocka_unit_test_setup(test_32bit_pse_4m, reset),
		cmocka_unit_test_setup(test_32bit_ps_without_pse_is_a_table, reset),
		cmocka_unit_test_setup(test_32bit_not_present, reset),
		cmocka_unit_test_setup(test_32bit_user_on_supervisor_page, reset),
		cmocka_unit_test_setup(test_32bit_write_protect, reset),
		cmocka_unit_test_setup(test_pae_4k, reset),
		cmocka_unit_test_setup(test_pae_2m, reset),
		cmocka_unit_test_setup(test_pae_not_present, reset),
		cmocka_unit_test_setup(test_pae_nx, reset),
		cmocka_unit_test_setup(test_long_4k, reset),
		cmocka_unit_test_setup(test_long_2m_and_1g, reset),
		cmocka_unit_test_setup(test_long_not_present_each_level, reset),
		cmocka_unit_test_setup(test_long_user_supervisor_each_level, reset),
		cmocka_unit_test_setup(test_long_read_only_each_level, reset),
		cmocka_unit_test_setup(test_long_nx, reset),
		cmocka_unit_test_setup(test_long_5_level, reset),
		cmocka_unit_test_setup(test_not_present_wins_over_protection, reset),
		cmocka_unit_test_setup(test_reserved_wins_over_protection, reset),
		cmocka_unit_test_setup(test_id_bit_only_with_nx, reset),
		cmocka_unit_test_setup(test_rsvd_long, reset),
		cmocka_unit_test_setup(test_rsvd_long_large_pages, reset),
		cmocka_unit_test_setup(test_rsvd_5_level, reset),
		cmocka_unit_test_setup(test_rsvd_pae, reset),
		cmocka_unit_test_setup(test_rsvd_32bit, reset),
		cmocka_unit_test_setup(test_tables_outside_ram, reset),
		cmocka_unit_test_setup(test_self_referencing_tables_end, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
