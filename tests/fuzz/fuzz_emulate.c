/*
 * tests/fuzz/fuzz_emulate.c - arch/x86/insn/emulate.c on whatever
 * arch/x86/insn/decode.c accepts, against a fake memory.
 *
 * Input: mode, RFLAGS bits, a fault pattern, register seeds, then the
 * instruction bytes. Memory reads return bytes derived from the input; an
 * access may fault or fail as the pattern says.
 * Properties: every access is 1, 2, 4 or 8 bytes, below 4 GiB outside
 * 64-bit mode; EMU_UNSUPPORTED changes nothing (no write, same registers);
 * EMU_OK moves RIP past the instruction (or keeps it on a REP with count
 * left) and changes no RFLAGS bit but the arithmetic ones; a fault or error
 * leaves RIP on the instruction; a REP does at most EMU_REP_MAX iterations.
 * INS/OUTS: ports get 1, 2 or 4 bytes at port DX; INS reads its port only
 * right after a successful probe of its destination (a fault there loses
 * no byte); a busy port (EMU_RETRY) ends the call with EMU_OK, RIP kept.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/emulate.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_emulate: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

struct fake_mem {
	unsigned mode;
	uint8_t fault_pattern;     /* access n faults if bit n%8 is set... */
	uint8_t fault_kind;        /* ...with EMU_FAULT (bit clear) or EMU_ERROR */
	uint64_t seed;
	unsigned reads, writes;
	uint16_t port;             /* DX at the start */
	bool probed;               /* the last callback was a successful probe */
	unsigned port_ins, port_outs, probes;
	bool retried;
};

static int access_check(struct fake_mem *m, uint64_t linear, unsigned size)
{
	unsigned n = m->reads + m->writes;
	CHECK(size == 1 || size == 2 || size == 4 || size == 8);
	if (m->mode != 64)
		CHECK(linear <= 0xffffffffull);
	if (n < 64 && (m->fault_pattern >> (n % 8)) & 1)
		return (m->fault_kind >> (n % 8)) & 1 ? EMU_ERROR : EMU_FAULT;
	return EMU_OK;
}

static int mem_read(void *ctx, uint64_t linear, unsigned size, uint64_t *val)
{
	struct fake_mem *m = ctx;
	int rc = access_check(m, linear, size);
	m->reads++;
	if (rc == EMU_OK)
		*val = (m->seed ^ (linear * 0x9e3779b97f4a7c15ull)) &
		       (size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
	return rc;
}

static int mem_write(void *ctx, uint64_t linear, unsigned size, uint64_t val)
{
	struct fake_mem *m = ctx;
	int rc = access_check(m, linear, size);
	m->writes++;
	if (size < 8)
		CHECK(val >> (8 * size) == 0);
	return rc;
}

static int probe_write(void *ctx, uint64_t linear, unsigned size)
{
	struct fake_mem *m = ctx;
	int rc = access_check(m, linear, size);
	m->probes++;
	m->probed = rc == EMU_OK;
	return rc;
}

static int port_access(struct fake_mem *m, uint16_t port, unsigned size)
{
	CHECK(size == 1 || size == 2 || size == 4);
	CHECK(port == m->port);
	unsigned n = m->port_ins + m->port_outs;
	if (n < 64 && (m->fault_kind >> (n % 8)) & (m->fault_pattern >> 4) & 1) {
		m->retried = true;
		return EMU_RETRY;
	}
	return EMU_OK;
}

static int port_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	struct fake_mem *m = ctx;
	CHECK(m->probed);	/* the destination was checked first */
	m->probed = false;
	int rc = port_access(m, port, size);
	m->port_ins++;
	*val = (uint32_t)(m->seed >> 7) & (size == 4 ? ~0u : (1u << (8 * size)) - 1);
	return rc;
}

static int port_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	struct fake_mem *m = ctx;
	m->probed = false;
	if (size < 4)
		CHECK(val >> (8 * size) == 0);
	int rc = port_access(m, port, size);
	m->port_outs++;
	return rc;
}

/* The input's header. */
struct header {
	uint8_t mode, rflags_lo, rflags_hi, fault_pattern, fault_kind;
	uint8_t reg_seed[8];
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[] = { 16, 32, 64 };
	struct header h;
	if (size < sizeof(h) + 1)
		return 0;
	memcpy(&h, data, sizeof(h));
	const uint8_t *bytes = data + sizeof(h);
	size_t avail = size - sizeof(h);
	unsigned mode = modes[h.mode % 3];
	struct insn in;
	if (insn_decode(&in, bytes, avail, mode) != INSN_OK)
		return 0;

	struct gprs regs, before;
	uint64_t seed;
	memcpy(&seed, h.reg_seed, 8);
	for (int i = 0; i < GPR_COUNT; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		/* Small counts now and then, so REP loops end. */
		regs.r[i] = (h.mode & 0x80) ? seed : seed >> (h.mode >> 3 & 15) * 4;
	}
	before = regs;
	struct emu_state st = {
		.regs = &regs, .mode_bits = mode,
		.rip = mode == 64 ? seed : (uint32_t)seed,
		.rflags = 0x2 | (((uint64_t)h.rflags_hi << 8 | h.rflags_lo) & 0xfd5),
	};
	for (int s = 0; s < SEG_COUNT; s++)
		st.seg_base[s] = mode == 64 ? 0 : (uint32_t)(seed >> (s * 5));
	uint64_t rip0 = st.rip, rflags0 = st.rflags;
	struct fake_mem m = { .mode = mode, .fault_pattern = h.fault_pattern,
			      .fault_kind = h.fault_kind, .seed = seed };
	m.port = (uint16_t)regs.r[GPR_RDX];
	static const struct emu_ops ops = { .read = mem_read, .write = mem_write,
		.probe_write = probe_write, .port_in = port_in, .port_out = port_out };
	st.ctx = &m;

	int rc = insn_emulate(&st, &in, &ops);
	CHECK(rc == EMU_OK || rc == EMU_UNSUPPORTED || rc == EMU_FAULT || rc == EMU_ERROR);
	CHECK(((st.rflags ^ rflags0) & ~(uint64_t)RFLAGS_ARITH) == 0);
	CHECK(m.reads + m.writes <= 2 * EMU_REP_MAX + 2);
	CHECK(m.port_ins + m.port_outs <= EMU_REP_MAX);
	CHECK(m.port_ins <= m.probes);
	switch (rc) {
	case EMU_UNSUPPORTED:
		CHECK(m.writes == 0);
		CHECK(memcmp(&regs, &before, sizeof(regs)) == 0);
		CHECK(st.rip == rip0 && st.rflags == rflags0);
		break;
	case EMU_OK: {
		uint64_t next = rip0 + in.len;
		if (mode != 64)
			next &= 0xffffffffull;
		CHECK(st.rip == next || (in.rep != INSN_REP_NONE && st.rip == rip0) ||
		      (m.retried && st.rip == rip0));
		break;
	}
	default:
		CHECK(st.rip == rip0);
		CHECK(m.reads + m.writes + m.probes + m.port_ins + m.port_outs > 0);
	}
	return 0;
}
