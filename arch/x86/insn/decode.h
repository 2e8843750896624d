/*
 * arch/x86/insn/decode.h - x86 instruction decoder (length and operand fields).
 *
 * Follows the encoding rules of Intel SDM vol. 2 chapter 2 and appendix A
 * (opcode maps) and AMD APM vol. 3 chapter 1 and appendix A. Where the two
 * vendors differ the AMD behaviour is chosen (yakvm runs on AMD-V): a 66
 * prefix on a near branch in 64-bit mode selects a 16-bit displacement.
 * Pure code: no global state, safe to call on several CPUs at once.
 */
#ifndef YAKVM_ARCH_X86_INSN_DECODE_H
#define YAKVM_ARCH_X86_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { INSN_OK = 0, INSN_E_INVALID = -1, INSN_E_TRUNC = -2 };

#define INSN_MAX_LEN 15

/* Opcode maps: legacy/VEX/EVEX maps 1-3 share the 0F, 0F38, 0F3A values. */
enum insn_map {
	INSN_MAP_PRIMARY,	/* one-byte opcodes */
	INSN_MAP_0F,
	INSN_MAP_0F38,
	INSN_MAP_0F3A,
	INSN_MAP_EVEX5,		/* AVX512-FP16 maps */
	INSN_MAP_EVEX6,
	INSN_MAP_XOP8,
	INSN_MAP_XOP9,
	INSN_MAP_XOPA,
};

enum insn_encoding { INSN_ENC_LEGACY, INSN_ENC_VEX, INSN_ENC_EVEX, INSN_ENC_XOP };

enum insn_rep { INSN_REP_NONE, INSN_REP_F3, INSN_REP_F2 };

#define INSN_SEG_NONE 0xff	/* insn.seg when there is no segment override */
#define INSN_NO_REG 0xff	/* insn.base / insn.index when absent */

struct insn {
	uint8_t len;		/* total length in bytes, 1..15 */
	uint8_t mode_bits;	/* 16, 32 or 64, as passed to insn_decode */
	uint8_t encoding;	/* enum insn_encoding */
	uint8_t map;		/* enum insn_map */
	uint8_t opcode;		/* the opcode byte within its map */
	uint8_t opsize;		/* operand size in bytes: 1, 2, 4 or 8 */
	uint8_t addrsize;	/* address size in bytes: 2, 4 or 8 */

	/* Legacy prefixes (the last one of each group wins). */
	uint8_t seg;		/* enum seg of the override, or INSN_SEG_NONE (recorded
				 * in 64-bit mode too, where only FS/GS matter) */
	uint8_t rep;		/* enum insn_rep */
	bool lock;
	bool opsize_prefix;	/* 66 present */
	bool addrsize_prefix;	/* 67 present */
	uint8_t rex;		/* the REX byte in effect (0x40-0x4f), 0 if none */
	uint8_t opcode_offset;	/* index of the opcode byte in the instruction */

	/* VEX / EVEX / XOP fields (vvvv un-inverted; l is L'L for EVEX). */
	uint8_t vex_vvvv, vex_l, vex_pp;
	bool vex_w;
	uint8_t evex_aaa;
	bool evex_z, evex_b;

	/* ModRM, with REX.R / REX.B (or VEX/EVEX equivalents) applied. */
	bool has_modrm;
	uint8_t modrm;		/* the raw byte */
	uint8_t mod, reg, rm;	/* reg, rm: 0..15 */

	/* Memory operand (valid when has_modrm and mod != 3), for every
	 * address size: base and index are register numbers or INSN_NO_REG
	 * (16-bit forms too: BX+SI gives base BX, index SI). */
	bool has_sib;
	uint8_t sib;		/* the raw byte */
	uint8_t base, index, scale;	/* scale: 1, 2, 4 or 8 */
	bool rip_relative;	/* base is the next instruction's rIP */
	uint8_t disp_size;	/* 0, 1, 2 or 4 */
	int32_t disp;		/* sign-extended */

	/* Immediates, zero-extended raw values. imm holds the first one (the
	 * moffs of A0-A3, the offset of a far pointer, ENTER's frame size);
	 * imm2 the second (far pointer selector, ENTER's level, EXTRQ/INSERTQ
	 * index). */
	uint8_t imm_size, imm2_size;
	uint64_t imm;
	uint16_t imm2;
};

/* Decodes one instruction from bytes[0..avail). mode_bits: 16, 32 or 64 — the
 * default operand/address size of the code segment (64 = 64-bit long mode).
 * Returns INSN_OK, INSN_E_TRUNC when more bytes are needed, INSN_E_INVALID
 * for an undefined (#UD) encoding or one longer than 15 bytes. */
int insn_decode(struct insn *in, const uint8_t *bytes, size_t avail, unsigned mode_bits);

/* The first immediate sign-extended from its size to 64 bits. */
static inline int64_t insn_imm_sext(const struct insn *in)
{
	switch (in->imm_size) {
	case 1: return (int8_t)in->imm;
	case 2: return (int16_t)in->imm;
	case 4: return (int32_t)in->imm;
	default: return (int64_t)in->imm;
	}
}

#endif
