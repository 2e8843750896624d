/*
 * tests/fuzz/fuzz_decode.c - arch/x86/insn/decode.c against any bytes.
 *
 * Input: one byte choosing the mode (16, 32, 64), then instruction bytes.
 * Properties: the result is OK, TRUNC or INVALID; an OK instruction is
 * 1..15 bytes with sane fields, decodes the same from exactly its bytes,
 * and every shorter buffer is TRUNC; 15 bytes or more are never TRUNC.
 * Differential against Capstone, legacy, VEX, EVEX and XOP encodings alike:
 * where Capstone decodes, we must decode the same length, outside the
 * Capstone 4 defects listed in capstone_wrong() (tests/unit/test_decode.c
 * documents each).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>

#include "arch/x86/insn/decode.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_decode: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

static bool one_of(unsigned v, unsigned a, unsigned b, unsigned c, unsigned d)
{
	return v == a || v == b || v == c || v == d;
}

static void check_fields(const struct insn *in, unsigned mode)
{
	CHECK(in->len >= 1 && in->len <= INSN_MAX_LEN);
	CHECK(in->mode_bits == mode);
	CHECK(in->encoding <= INSN_ENC_XOP && in->map <= INSN_MAP_XOPA);
	CHECK(one_of(in->opsize, 1, 2, 4, 8));
	CHECK(in->addrsize == 2 || in->addrsize == 4 || in->addrsize == 8);
	CHECK(in->addrsize != 8 || mode == 64);
	CHECK(in->rep <= INSN_REP_F2);
	CHECK(in->opcode_offset < in->len);
	CHECK(in->rex == 0 || (mode == 64 && (in->rex & 0xf0) == 0x40));
	CHECK(in->seg == INSN_SEG_NONE || in->seg < 6);
	if (in->has_modrm) {
		CHECK(in->mod == in->modrm >> 6 || in->mod == 3);	/* MOV CRn/DRn */
		CHECK(in->reg < 16 && in->rm < 16);
		if (in->mod != 3) {
			CHECK(in->base < 16 || in->base == INSN_NO_REG);
			CHECK(in->index < 32 || in->index == INSN_NO_REG);
			CHECK(one_of(in->scale, 1, 2, 4, 8));
			CHECK(one_of(in->disp_size, 0, 1, 2, 4));
			CHECK(!in->rip_relative || mode == 64);
		}
	}
	CHECK(in->imm_size <= 8 && in->imm2_size <= 2);
	CHECK(in->imm_size == 8 || in->imm >> (8 * in->imm_size) == 0);
}

/* Legacy prefixes and REX before the opcode. */
struct prefixes {
	unsigned n;
	bool p66, p67, rep, lock, rex, rexw;
};

static struct prefixes scan(const uint8_t *b, size_t len, unsigned mode)
{
	struct prefixes p = { 0 };
	for (; p.n < len && p.n < 15; p.n++) {
		uint8_t x = b[p.n];
		if (x == 0x66) p.p66 = true;
		else if (x == 0x67) p.p67 = true;
		else if (x == 0xf2 || x == 0xf3) p.rep = true;
		else if (x == 0xf0) p.lock = true;
		else if (x == 0x26 || x == 0x2e || x == 0x36 || x == 0x3e ||
			 x == 0x64 || x == 0x65) ;
		else if (mode == 64 && (x & 0xf0) == 0x40) {
			p.rex = true;
			p.rexw = x & 8;
		} else
			break;
	}
	return p;
}

/* True where Capstone 4.0.2 is known to be wrong (by the SDM/APM rules). */
static bool capstone_wrong(const uint8_t *b, unsigned mode, const struct prefixes *p,
			   int rc, const struct insn *in, const cs_insn *ci)
{
	const uint8_t *op = b + p->n;
	bool vex = op[0] == 0xc4 || op[0] == 0xc5 || op[0] == 0x62 ||
		   (op[0] == 0x8f && (op[1] & 0x1f) >= 8);
	if (vex && (mode == 64 || op[1] >= 0xc0 || op[0] == 0x8f) &&
	    (p->p66 || p->rep || p->lock || p->rex) && rc != INSN_OK)
		return true;		/* legacy prefix before VEX/EVEX/XOP: #UD */
	if (rc == INSN_OK && in->encoding == INSN_ENC_EVEX &&
	    (strstr(ci->op_str, "sae}") || strstr(ci->op_str, "{k0} {z}")))
		return true;		/* #UD EVEX forms with a bogus extra byte */
	if (rc == INSN_OK && mode == 16 && in->map == INSN_MAP_XOPA && ci->size == in->len - 2)
		return true;		/* XOP map A's imm32 read as imm16 */
	if (op[0] == 0x0f && (op[1] == 0xb9 || op[1] == 0xff))
		return true;		/* UD1/UD0 without their ModRM */
	if (op[0] == 0x0f && op[1] == 0x78 && (p->p66 || p->rep))
		return true;		/* SSE4a EXTRQ/INSERTQ read as VMREAD */
	if (op[0] == 0x0f && (op[1] == 0xa6 || op[1] == 0xa7))
		return true;		/* VIA PadLock: #UD on AMD */
	if (rc == INSN_OK && p->p66 && (p->rep || p->rexw) && in->imm_size)
		return true;		/* 66 dropped next to F2/F3/REX.W */
	if ((op[0] == 0xc2 || op[0] == 0xca) && p->rexw)
		return true;		/* RET imm16 read as imm32 */
	if (mode == 64 && (p->p66 || p->p67) &&
	    (op[0] == 0xe8 || op[0] == 0xe9 || (op[0] == 0x0f && (op[1] & 0xf0) == 0x80)))
		return true;		/* branch size by prefix order; AMD: 66 = rel16 */
	return false;
}

static csh cs[3];

static void capstone_open(void)
{
	static const cs_mode modes[] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
	for (int i = 0; i < 3; i++)
		CHECK(cs_open(CS_ARCH_X86, modes[i], &cs[i]) == CS_ERR_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[] = { 16, 32, 64 };
	if (size < 1)
		return 0;
	if (!cs[0])
		capstone_open();
	unsigned m = data[0] % 3, mode = modes[m];
	const uint8_t *bytes = data + 1;
	size_t avail = size - 1;
	struct insn in, again;

	int rc = insn_decode(&in, bytes, avail, mode);
	CHECK(rc == INSN_OK || rc == INSN_E_TRUNC || rc == INSN_E_INVALID);
	if (rc == INSN_E_TRUNC)
		CHECK(avail < INSN_MAX_LEN);
	if (rc == INSN_OK) {
		check_fields(&in, mode);
		CHECK(in.len <= avail);
		/* Exactly its own bytes (copied: ASan sees any over-read). */
		uint8_t *exact = malloc(in.len);
		memcpy(exact, bytes, in.len);
		CHECK(insn_decode(&again, exact, in.len, mode) == INSN_OK);
		CHECK(memcmp(&again, &in, sizeof(in)) == 0);
		for (size_t n = 0; n < in.len; n++)
			CHECK(insn_decode(&again, exact, n, mode) == INSN_E_TRUNC);
		free(exact);
	}

	/* Capstone on the same bytes, padded with NOPs to 16. */
	uint8_t pad[16];
	memset(pad, 0x90, sizeof(pad));
	memcpy(pad, bytes, avail < 16 ? avail : 16);
	rc = insn_decode(&in, pad, 16, mode);
	struct prefixes p = scan(pad, 16, mode);
	if (p.n >= 15)
		return 0;
	const uint8_t *code = pad;
	size_t cs_size = sizeof(pad);
	uint64_t addr = 0x1000;
	cs_insn *ci = cs_malloc(cs[m]);
	bool cs_ok = cs_disasm_iter(cs[m], &code, &cs_size, &addr, ci);
	if (cs_ok && !(rc == INSN_OK && in.len == ci->size) &&
	    !capstone_wrong(pad, mode, &p, rc, &in, ci)) {
		fprintf(stderr, "fuzz_decode: mode %u: ours rc %d len %u, capstone %u (%s %s)\n",
			mode, rc, rc == INSN_OK ? in.len : 0, ci->size, ci->mnemonic, ci->op_str);
		abort();
	}
	cs_free(ci, 1);
	return 0;
}
