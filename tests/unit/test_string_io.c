/*
 * tests/unit/test_string_io.c - INS and OUTS through the emulator's one
 * string engine (arch/x86/insn/emulate.c): REP, DF, address sizes, segment
 * bases, the cap per call, a busy device, and INS probing its destination
 * before it reads the port (a #PF there loses no byte of the device).
 *
 * The fake port hands out a counter sequence (as tests/guests/strio_pf.c's
 * testdev port does), so a lost or repeated byte shows as a gap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/emulate.h"
#include "tests/unit/hex_bytes.h"

#define MEM_BASE 0x10000ull
#define MEM_SIZE 0x3000
#define RIP0 0x401000ull
#define PORT 0x1234

struct fake {
	uint8_t mem[MEM_SIZE];		/* linear MEM_BASE.. */
	uint64_t absent_page;		/* accesses to this page fault (0: none) */
	unsigned faults;		/* EMU_FAULTs returned */
	uint32_t next;			/* the port's next value */
	unsigned port_reads;
	uint8_t out[64];		/* bytes written to the port */
	unsigned outs;
	unsigned busy_after;		/* port_out: EMU_RETRY after this many (0: never) */
	unsigned mem_writes;
};

static bool absent(struct fake *f, uint64_t la, unsigned size)
{
	return f->absent_page && (la & ~0xfffull) <= f->absent_page &&
	       ((la + size - 1) & ~0xfffull) >= f->absent_page;
}

static uint8_t *at(struct fake *f, uint64_t la, unsigned size)
{
	if (la < MEM_BASE || la - MEM_BASE + size > MEM_SIZE)
		fail_msg("access at 0x%llx outside the fake memory", (unsigned long long)la);
	return f->mem + (la - MEM_BASE);
}

static int f_probe(void *ctx, uint64_t la, unsigned size)
{
	struct fake *f = ctx;
	if (absent(f, la, size)) {
		f->faults++;
		return EMU_FAULT;
	}
	at(f, la, size);
	return EMU_OK;
}

static int f_read(void *ctx, uint64_t la, unsigned size, uint64_t *val)
{
	struct fake *f = ctx;
	if (f_probe(ctx, la, size))
		return EMU_FAULT;
	*val = 0;
	memcpy(val, at(f, la, size), size);
	return EMU_OK;
}

static int f_write(void *ctx, uint64_t la, unsigned size, uint64_t val)
{
	struct fake *f = ctx;
	if (f_probe(ctx, la, size))
		return EMU_FAULT;
	memcpy(at(f, la, size), &val, size);
	f->mem_writes++;
	return EMU_OK;
}

static int f_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	struct fake *f = ctx;
	assert_int_equal(port, PORT);
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		*val |= (f->next++ & 0xffu) << (8 * i);
	f->port_reads++;
	return EMU_OK;
}

static int f_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	struct fake *f = ctx;
	assert_int_equal(port, PORT);
	if (f->busy_after && f->outs / size >= f->busy_after)
		return EMU_RETRY;
	for (unsigned i = 0; i < size && f->outs < sizeof(f->out); i++)
		f->out[f->outs++] = (uint8_t)(val >> (8 * i));
	return EMU_OK;
}

struct env {
	struct gprs regs;
	struct emu_state st;
	struct fake f;
	struct emu_ops ops;
	struct insn in;
};

static void env_init(struct env *v, unsigned mode)
{
	memset(v, 0, sizeof(*v));
	v->st.regs = &v->regs;
	v->st.mode_bits = mode;
	v->st.rip = RIP0;
	v->st.rflags = 0x2;
	v->regs.r[GPR_RDX] = PORT;
	v->st.ctx = &v->f;
	v->ops = (struct emu_ops){ .read = f_read, .write = f_write,
		.probe_write = f_probe, .port_in = f_in, .port_out = f_out };
}

static int run(struct env *v, const char *hex)
{
	uint8_t b[16];
	size_t n = hex_bytes(hex, b, sizeof(b));
	int rc = insn_decode(&v->in, b, n, v->st.mode_bits);
	if (rc != INSN_OK || v->in.len != n)
		fail_msg("%s: decode failed", hex);
	return insn_emulate(&v->st, &v->in, &v->ops);
}

/* REP INSB, DF=0: three counter bytes at ES:EDI upwards. */
static void test_rep_insb(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 32);
	v.st.seg_base[SEG_ES] = 0x1000;
	v.st.seg_base[SEG_DS] = 0x7000;	/* not used by INS, even with an override */
	v.regs.r[GPR_RDI] = MEM_BASE - 0x1000 + 0x10;
	v.regs.r[GPR_RCX] = 3;
	v.f.next = 0x41;
	assert_int_equal(run(&v, "3e f3 6c"), EMU_OK);	/* DS override: ignored */
	assert_memory_equal(v.f.mem + 0x10, "ABC", 3);
	assert_int_equal(v.regs.r[GPR_RCX], 0);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE - 0x1000 + 0x13);
	assert_int_equal(v.st.rip, RIP0 + 3);
	assert_int_equal(v.st.rep_done, 3);
	assert_int_equal(v.f.port_reads, 3);
}

/* REP INSW with DF=1 fills downwards; 16-bit address size wraps DI and CX
 * at 64 KiB and keeps the upper bits. */
static void test_rep_insw_df_a16(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 16);
	v.st.rflags |= RFLAGS_DF;
	v.st.seg_base[SEG_ES] = MEM_BASE;
	v.regs.r[GPR_RDI] = 0xabcd0000ull | 0x0104;
	v.regs.r[GPR_RCX] = 0x55550002ull;
	v.f.next = 1;
	assert_int_equal(run(&v, "f3 6d"), EMU_OK);
	assert_int_equal(v.f.mem[0x104], 1);
	assert_int_equal(v.f.mem[0x105], 2);
	assert_int_equal(v.f.mem[0x102], 3);
	assert_int_equal(v.f.mem[0x103], 4);
	assert_int_equal(v.regs.r[GPR_RDI], 0xabcd0100ull);
	assert_int_equal(v.regs.r[GPR_RCX], 0x55550000ull);
	assert_int_equal(v.st.rip, RIP0 + 2);
}

/* The #PF on INS: the destination faults before the port is read, so the
 * element is not lost; after the "mapping" the retry continues the
 * sequence without a gap. */
static void test_ins_pf_loses_nothing(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 64);
	uint64_t buf = MEM_BASE + 0x1000 - 4;	/* 4 bytes, then the absent page */
	v.regs.r[GPR_RDI] = buf;
	v.regs.r[GPR_RCX] = 12;
	v.f.absent_page = MEM_BASE + 0x1000;
	assert_int_equal(run(&v, "f3 6c"), EMU_FAULT);
	assert_int_equal(v.f.port_reads, 4);
	assert_int_equal(v.f.faults, 1);
	assert_int_equal(v.regs.r[GPR_RCX], 8);
	assert_int_equal(v.regs.r[GPR_RDI], buf + 4);
	assert_int_equal(v.st.rip, RIP0);
	assert_int_equal(v.st.rep_done, 4);
	v.f.absent_page = 0;	/* the guest's #PF handler maps it */
	assert_int_equal(run(&v, "f3 6c"), EMU_OK);
	for (unsigned i = 0; i < 12; i++)
		assert_int_equal(v.f.mem[0x1000 - 4 + i], i);
	assert_int_equal(v.f.port_reads, 12);
	assert_int_equal(v.st.rip, RIP0 + 2);
}

/* INSD across a page boundary into an absent second page: no port read. */
static void test_insd_cross_page_probe(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 64);
	v.regs.r[GPR_RDI] = MEM_BASE + 0x1000 - 2;
	v.f.absent_page = MEM_BASE + 0x1000;
	assert_int_equal(run(&v, "6d"), EMU_FAULT);
	assert_int_equal(v.f.port_reads, 0);
	assert_int_equal(v.f.mem_writes, 0);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + 0x1000 - 2);
	assert_int_equal(v.st.rip, RIP0);
}

/* OUTSB from FS:RSI in 64-bit mode (the only bases there are FS and GS;
 * a DS base is ignored). */
static void test_outs_fs_64(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 64);
	v.st.seg_base[SEG_FS] = MEM_BASE;
	v.st.seg_base[SEG_DS] = 0x5000;
	memcpy(v.f.mem + 0x20, "hello", 5);
	v.regs.r[GPR_RSI] = 0x20;
	v.regs.r[GPR_RCX] = 5;
	assert_int_equal(run(&v, "64 f3 6e"), EMU_OK);
	assert_memory_equal(v.f.out, "hello", 5);
	assert_int_equal(v.regs.r[GPR_RSI], 0x25);
	assert_int_equal(v.regs.r[GPR_RCX], 0);
	/* Without the override DS's base is 0 in 64-bit mode. */
	env_init(&v, 64);
	v.st.seg_base[SEG_DS] = 0x5000;
	memcpy(v.f.mem, "x", 1);
	v.regs.r[GPR_RSI] = MEM_BASE;
	assert_int_equal(run(&v, "6e"), EMU_OK);
	assert_int_equal(v.f.out[0], 'x');
	assert_int_equal(v.st.rip, RIP0 + 1);
}

/* OUTSD with REX.W moves 32 bits; a 32-bit address size (67) in 64-bit
 * mode writes ESI and ECX zero-extended. */
static void test_outsd_rexw_a32(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 64);
	memcpy(v.f.mem, "ABCDEFGH", 8);
	v.regs.r[GPR_RSI] = 0xffffffff00000000ull | MEM_BASE;
	v.regs.r[GPR_RCX] = 0xffffffff00000002ull;
	assert_int_equal(run(&v, "67 f3 48 6f"), EMU_OK);
	assert_int_equal(v.f.outs, 8);
	assert_memory_equal(v.f.out, "ABCDEFGH", 8);
	assert_int_equal(v.regs.r[GPR_RSI], MEM_BASE + 8);
	assert_int_equal(v.regs.r[GPR_RCX], 0);
}

/* Outside 64-bit mode the linear address wraps at 4 GiB. */
static void test_linear_wrap_32(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 32);
	v.st.seg_base[SEG_ES] = 0xffff0000ull;
	v.regs.r[GPR_RDI] = MEM_BASE + 0x10000;
	v.f.next = 7;
	assert_int_equal(run(&v, "6c"), EMU_OK);
	assert_int_equal(v.f.mem[0], 7);
}

/* The cap: at most EMU_REP_MAX (or rep_max) iterations per call, RIP
 * stays until rCX is zero. */
static void test_rep_cap(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 32);
	v.regs.r[GPR_RSI] = MEM_BASE;
	v.regs.r[GPR_RCX] = 100000;
	v.st.rflags |= RFLAGS_DF;	/* walk down over the same bytes: keep in mem */
	v.regs.r[GPR_RSI] = MEM_BASE + MEM_SIZE - 1;
	v.f.busy_after = 0;
	assert_int_equal(run(&v, "f3 6e"), EMU_OK);
	assert_int_equal(v.st.rep_done, EMU_REP_MAX);
	assert_int_equal(v.regs.r[GPR_RCX], 100000 - EMU_REP_MAX);
	assert_int_equal(v.st.rip, RIP0);
	v.st.rep_max = 1;	/* single-stepped: one per call */
	assert_int_equal(run(&v, "f3 6e"), EMU_OK);
	assert_int_equal(v.st.rep_done, 1);
	assert_int_equal(v.regs.r[GPR_RCX], 100000 - EMU_REP_MAX - 1);
	assert_int_equal(v.st.rip, RIP0);
	v.regs.r[GPR_RCX] = 1;
	assert_int_equal(run(&v, "f3 6e"), EMU_OK);
	assert_int_equal(v.st.rip, RIP0 + 2);
}

/* A busy device (EMU_RETRY): the element is not done, RIP stays, the
 * call itself succeeds. */
static void test_port_busy(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 32);
	memcpy(v.f.mem, "abcd", 4);
	v.regs.r[GPR_RSI] = MEM_BASE;
	v.regs.r[GPR_RCX] = 4;
	v.f.busy_after = 2;
	assert_int_equal(run(&v, "f3 6e"), EMU_OK);
	assert_int_equal(v.f.outs, 2);
	assert_int_equal(v.regs.r[GPR_RCX], 2);
	assert_int_equal(v.regs.r[GPR_RSI], MEM_BASE + 2);
	assert_int_equal(v.st.rip, RIP0);
	assert_int_equal(v.st.rep_done, 2);
	v.f.busy_after = 0;
	assert_int_equal(run(&v, "f3 6e"), EMU_OK);
	assert_memory_equal(v.f.out, "abcd", 4);
	assert_int_equal(v.st.rip, RIP0 + 2);
	/* Not REP: busy leaves it all as it was. */
	env_init(&v, 32);
	v.regs.r[GPR_RSI] = MEM_BASE;
	v.f.busy_after = 1;
	v.f.outs = 1;
	assert_int_equal(run(&v, "6e"), EMU_OK);
	assert_int_equal(v.regs.r[GPR_RSI], MEM_BASE);
	assert_int_equal(v.st.rip, RIP0);
}

/* OUTS whose source faults: no port write. REP with rCX 0: nothing, RIP
 * moves on. */
static void test_outs_fault_and_zero_count(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 32);
	v.f.absent_page = MEM_BASE;
	v.regs.r[GPR_RSI] = MEM_BASE;
	assert_int_equal(run(&v, "6e"), EMU_FAULT);
	assert_int_equal(v.f.outs, 0);
	assert_int_equal(v.st.rip, RIP0);
	env_init(&v, 32);
	assert_int_equal(run(&v, "f3 6c"), EMU_OK);
	assert_int_equal(v.f.port_reads, 0);
	assert_int_equal(v.st.rip, RIP0 + 2);
}

/* Without port callbacks (the MMIO path) INS/OUTS are not emulated. */
static void test_no_ports(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 32);
	v.ops.port_in = NULL;
	v.ops.port_out = NULL;
	v.ops.probe_write = NULL;
	v.regs.r[GPR_RDI] = MEM_BASE;
	assert_int_equal(run(&v, "6c"), EMU_UNSUPPORTED);
	assert_int_equal(run(&v, "6f"), EMU_UNSUPPORTED);
	assert_int_equal(v.st.rip, RIP0);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE);
}

/* MOVS through the same engine still works (source before destination). */
static void test_movs_same_engine(void **state)
{
	(void)state;
	struct env v;
	env_init(&v, 64);
	memcpy(v.f.mem, "wxyz", 4);
	v.regs.r[GPR_RSI] = MEM_BASE;
	v.regs.r[GPR_RDI] = MEM_BASE + 0x100;
	v.regs.r[GPR_RCX] = 2;
	assert_int_equal(run(&v, "f3 66 a5"), EMU_OK);
	assert_memory_equal(v.f.mem + 0x100, "wxyz", 4);
	assert_int_equal(v.regs.r[GPR_RSI], MEM_BASE + 4);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + 0x104);
	assert_int_equal(v.f.port_reads + v.f.outs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rep_insb),
		cmocka_unit_test(test_rep_insw_df_a16),
		cmocka_unit_test(test_ins_pf_loses_nothing),
		cmocka_unit_test(test_insd_cross_page_probe),
		cmocka_unit_test(test_outs_fs_64),
		cmocka_unit_test(test_outsd_rexw_a32),
		cmocka_unit_test(test_linear_wrap_32),
		cmocka_unit_test(test_rep_cap),
		cmocka_unit_test(test_port_busy),
		cmocka_unit_test(test_outs_fault_and_zero_count),
		cmocka_unit_test(test_no_ports),
		cmocka_unit_test(test_movs_same_engine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
