/*
 * arch/x86/insn/decode.c - x86 instruction decoder.
 *
 * Instruction format: Intel SDM vol. 2 chapter 2 (prefixes, REX, VEX, EVEX,
 * ModRM/SIB tables 2-1..2-3); opcode maps: SDM vol. 2 appendix A and AMD
 * APM vol. 3 appendix A (XOP maps in APM vol. 6 / vol. 4). The tables below
 * give, per opcode, what follows the opcode byte, so the length is exact for
 * every defined encoding.
 */
#include "arch/x86/insn/decode.h"
#include "arch/x86/regs.h"
#include "lib/string.h"

/* Per-opcode attributes. */
#define M	0x0001		/* has a ModRM byte */
#define IMASK	0x000e		/* immediate kind: */
#define IB	0x0002		/*   imm8 */
#define IW	0x0004		/*   imm16 */
#define IZ	0x0006		/*   imm16/32 by operand size */
#define IV	0x0008		/*   imm16/32/64 by operand size */
#define IWB	0x000a		/*   imm16 then imm8 (ENTER) */
#define AP	0x000c		/*   far pointer: offset16/32 then selector16 */
#define MO	0x000e		/*   moffs, address-size wide */
#define BY	0x0010		/* byte operand size */
#define D64	0x0020		/* operand size defaults to 64 in 64-bit mode */
#define I64	0x0040		/* invalid in 64-bit mode */
#define UD	0x0080		/* undefined */

static const uint8_t one_byte_alu[8] = { M | BY, M, M | BY, M, IB | BY, IZ, 0, 0 };

/* The one-byte map; 00-3F rows 0-5 of each group of 8 are the ALU pattern
 * above and are filled in by primary_attr(). */
static const uint16_t primary[256] = {
	[0x06] = I64, [0x07] = I64, [0x0e] = I64,
	[0x16] = I64, [0x17] = I64, [0x1e] = I64, [0x1f] = I64,
	[0x27] = I64, [0x2f] = I64, [0x37] = I64, [0x3f] = I64,
	[0x50 ... 0x5f] = D64,
	[0x60] = I64, [0x61] = I64, [0x62] = M | I64, [0x63] = M,
	[0x68] = IZ | D64, [0x69] = M | IZ, [0x6a] = IB | D64, [0x6b] = M | IB,
	[0x6c] = BY, [0x6e] = BY,
	[0x70 ... 0x7f] = IB | D64,
	[0x80] = M | IB | BY, [0x81] = M | IZ, [0x82] = M | IB | BY | I64,
	[0x83] = M | IB, [0x84] = M | BY, [0x85] = M, [0x86] = M | BY,
	[0x87] = M, [0x88] = M | BY, [0x89] = M, [0x8a] = M | BY, [0x8b] = M,
	[0x8c] = M, [0x8d] = M, [0x8e] = M, [0x8f] = M | D64,
	[0x9a] = AP | I64, [0x9c] = D64, [0x9d] = D64,
	[0xa0] = MO | BY, [0xa1] = MO, [0xa2] = MO | BY, [0xa3] = MO,
	[0xa4] = BY, [0xa6] = BY, [0xa8] = IB | BY, [0xa9] = IZ,
	[0xaa] = BY, [0xac] = BY, [0xae] = BY,
	[0xb0 ... 0xb7] = IB | BY, [0xb8 ... 0xbf] = IV,
	[0xc0] = M | IB | BY, [0xc1] = M | IB, [0xc2] = IW | D64, [0xc3] = D64,
	[0xc4] = M | I64, [0xc5] = M | I64, [0xc6] = M | IB | BY, [0xc7] = M | IZ,
	[0xc8] = IWB | D64, [0xc9] = D64, [0xca] = IW, [0xcd] = IB, [0xce] = I64,
	[0xd0] = M | BY, [0xd1] = M, [0xd2] = M | BY, [0xd3] = M,
	[0xd4] = IB | I64, [0xd5] = IB | I64, [0xd6] = I64,
	[0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe3] = IB | D64, [0xe4] = IB | BY, [0xe5] = IB,
	[0xe6] = IB | BY, [0xe7] = IB, [0xe8] = IZ | D64, [0xe9] = IZ | D64,
	[0xea] = AP | I64, [0xeb] = IB | D64, [0xec] = BY, [0xee] = BY,
	[0xf6] = M | BY, [0xf7] = M, [0xfe] = M | BY, [0xff] = M,
};

/* The two-byte map (0F xx). */
static const uint16_t secondary[256] = {
	[0x00 ... 0x03] = M, [0x04] = UD, [0x0a] = UD, [0x0c] = UD,
	[0x0d] = M, [0x0f] = M | IB,		/* 3DNow!: the imm8 is the opcode */
	[0x10 ... 0x23] = M, [0x24 ... 0x27] = UD, [0x28 ... 0x2f] = M,
	[0x36] = UD, [0x39] = UD, [0x3b ... 0x3f] = UD,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = M | IB, [0x74 ... 0x76] = M,
	[0x78] = M, [0x79] = M, [0x7a] = UD, [0x7b] = UD, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = IZ | D64,
	[0x90 ... 0x9f] = M | BY,
	[0xa0] = D64, [0xa1] = D64, [0xa3] = M, [0xa4] = M | IB, [0xa5] = M,
	[0xa6] = UD, [0xa7] = UD, [0xa8] = D64, [0xa9] = D64,
	[0xab] = M, [0xac] = M | IB, [0xad] = M, [0xae] = M, [0xaf] = M,
	[0xb0] = M | BY, [0xb1 ... 0xb9] = M, [0xba] = M | IB, [0xbb ... 0xbf] = M,
	[0xc0] = M | BY, [0xc1] = M, [0xc2] = M | IB, [0xc3] = M,
	[0xc4 ... 0xc6] = M | IB, [0xc7] = M,
	[0xd0 ... 0xff] = M,
};

/* Defined legacy-encoded opcodes of the 0F38 and 0F3A maps (bit per opcode). */
#define BIT(op) (1u << ((op) & 31))
static const uint32_t map_0f38_defined[8] = {
	[0] = 0xfff | BIT(0x10) | BIT(0x14) | BIT(0x15) | BIT(0x17) |
	      BIT(0x1c) | BIT(0x1d) | BIT(0x1e),
	[1] = 0x3f | BIT(0x28) | BIT(0x29) | BIT(0x2a) | BIT(0x2b) |
	      BIT(0x30) | BIT(0x31) | BIT(0x32) | BIT(0x33) | BIT(0x34) |
	      BIT(0x35) | BIT(0x37) | BIT(0x38) | BIT(0x39) | BIT(0x3a) |
	      BIT(0x3b) | BIT(0x3c) | BIT(0x3d) | BIT(0x3e) | BIT(0x3f),
	[2] = BIT(0x40) | BIT(0x41),
	[4] = BIT(0x80) | BIT(0x81) | BIT(0x82),
	[6] = BIT(0xc8) | BIT(0xc9) | BIT(0xca) | BIT(0xcb) | BIT(0xcc) |
	      BIT(0xcd) | BIT(0xcf) | BIT(0xdb) | BIT(0xdc) | BIT(0xdd) |
	      BIT(0xde) | BIT(0xdf),
	[7] = BIT(0xf0) | BIT(0xf1) | BIT(0xf5) | BIT(0xf6) | BIT(0xf8) |
	      BIT(0xf9),
};
static const uint32_t map_0f3a_defined[8] = {
	[0] = BIT(0x08) | BIT(0x09) | BIT(0x0a) | BIT(0x0b) | BIT(0x0c) |
	      BIT(0x0d) | BIT(0x0e) | BIT(0x0f) | BIT(0x14) | BIT(0x15) |
	      BIT(0x16) | BIT(0x17),
	[1] = BIT(0x20) | BIT(0x21) | BIT(0x22),
	[2] = BIT(0x40) | BIT(0x41) | BIT(0x42) | BIT(0x44),
	[3] = BIT(0x60) | BIT(0x61) | BIT(0x62) | BIT(0x63),
	[6] = BIT(0xcc) | BIT(0xce) | BIT(0xcf) | BIT(0xdf),
};

static bool bit_set(const uint32_t *bits, uint8_t op)
{
	return bits[op >> 5] & BIT(op);
}

static uint16_t primary_attr(uint8_t op)
{
	if (op < 0x40 && (op & 7) < 6)
		return one_byte_alu[op & 7];
	return primary[op];
}

/* Reads bytes in order, enforcing the 15-byte limit before the buffer end. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

static int take(struct cursor *c, unsigned n, uint64_t *val)
{
	uint64_t v = 0;

	if (c->pos + n > INSN_MAX_LEN)
		return INSN_E_INVALID;
	if (c->pos + n > c->avail)
		return INSN_E_TRUNC;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*val = v;
	return INSN_OK;
}

static int take8(struct cursor *c, uint8_t *val)
{
	uint64_t v = 0;
	int rc = take(c, 1, &v);

	*val = (uint8_t)v;
	return rc;
}

static int peek8(const struct cursor *c, uint8_t *val)
{
	struct cursor tmp = *c;

	return take8(&tmp, val);
}

/* Register-extension bits from REX or a VEX-style prefix. */
struct ext {
	bool w, r, x, b;
};

static int decode_modrm(struct insn *in, struct cursor *c, const struct ext *e,
			bool force_reg)
{
	uint64_t v = 0;
	int rc = take8(c, &in->modrm);

	if (rc)
		return rc;
	in->has_modrm = true;
	in->mod = in->modrm >> 6;
	in->reg = ((in->modrm >> 3) & 7) | (e->r ? 8 : 0);
	in->rm = (in->modrm & 7) | (e->b ? 8 : 0);
	in->base = in->index = INSN_NO_REG;
	in->scale = 1;
	if (force_reg)		/* MOV CRn/DRn: mod is ignored, always registers */
		in->mod = 3;
	if (in->mod == 3)
		return INSN_OK;

	unsigned disp_size = in->mod == 1 ? 1 : 0;
	if (in->addrsize == 2) {
		static const uint8_t base16[8] = { GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP,
						   INSN_NO_REG, INSN_NO_REG, GPR_RBP, GPR_RBX };
		static const uint8_t index16[8] = { GPR_RSI, GPR_RDI, GPR_RSI, GPR_RDI,
						    GPR_RSI, GPR_RDI, INSN_NO_REG, INSN_NO_REG };
		unsigned rm = in->modrm & 7;

		in->rm = rm;		/* REX.B does not apply to 16-bit forms */
		in->base = base16[rm];
		in->index = index16[rm];
		if (in->mod == 2 || (in->mod == 0 && rm == 6))
			disp_size = 2;
		if (in->mod == 0 && rm == 6)
			in->base = INSN_NO_REG;
	} else {
		if (in->mod == 2)
			disp_size = 4;
		if ((in->modrm & 7) == 4) {
			rc = take8(c, &in->sib);
			if (rc)
				return rc;
			in->has_sib = true;
			in->scale = 1 << (in->sib >> 6);
			unsigned index = ((in->sib >> 3) & 7) | (e->x ? 8 : 0);
			in->index = index == GPR_RSP ? INSN_NO_REG : index;
			if ((in->sib & 7) == 5 && in->mod == 0)
				disp_size = 4;
			else
				in->base = (in->sib & 7) | (e->b ? 8 : 0);
		} else if ((in->modrm & 7) == 5 && in->mod == 0) {
			disp_size = 4;
			in->rip_relative = in->mode_bits == 64;
		} else {
			in->base = in->rm;
		}
	}
	if (disp_size) {
		rc = take(c, disp_size, &v);
		if (rc)
			return rc;
		in->disp_size = disp_size;
		in->disp = disp_size == 1 ? (int8_t)v : disp_size == 2 ? (int16_t)v : (int32_t)v;
	}
	return INSN_OK;
}

static int take_imm(struct insn *in, struct cursor *c, unsigned size)
{
	int rc = take(c, size, &in->imm);

	if (!rc)
		in->imm_size = size;
	return rc;
}

static int take_imm2(struct insn *in, struct cursor *c, unsigned size)
{
	uint64_t v = 0;
	int rc = take(c, size, &v);

	if (!rc) {
		in->imm2 = (uint16_t)v;
		in->imm2_size = size;
	}
	return rc;
}

static int decode_imm(struct insn *in, struct cursor *c, uint16_t attr)
{
	unsigned z = in->opsize == 2 ? 2 : 4;
	int rc;

	switch (attr & IMASK) {
	case IB: return take_imm(in, c, 1);
	case IW: return take_imm(in, c, 2);
	case IZ: return take_imm(in, c, z);
	case IV: return take_imm(in, c, in->opsize);
	case IWB:
		rc = take_imm(in, c, 2);
		return rc ? rc : take_imm2(in, c, 1);
	case AP:
		rc = take_imm(in, c, z);
		return rc ? rc : take_imm2(in, c, 2);
	case MO: return take_imm(in, c, in->addrsize);
	}
	return INSN_OK;
}

/* Operand size of a legacy-encoded instruction (SDM vol. 1 3.6, table 3-4). */
static void set_opsize(struct insn *in, uint16_t attr, bool rex_w)
{
	bool o16 = in->opsize_prefix;

	if (attr & BY)
		in->opsize = 1;
	else if (in->mode_bits == 64)
		in->opsize = rex_w ? 8 : o16 ? 2 : (attr & D64) ? 8 : 4;
	else
		in->opsize = (in->mode_bits == 16) != o16 ? 2 : 4;
}

/* VEX (C4/C5), EVEX (62) and XOP (8F) prefixed instructions: everything after
 * the prefix is opcode, ModRM, SIB/displacement and an optional immediate. */
static int decode_vex_like(struct insn *in, struct cursor *c, uint8_t esc,
			   bool mode64)
{
	struct ext e = { 0 };
	uint8_t p0, p1 = 0, p2, map_sel;
	unsigned imm = 0;
	int rc;

	if (in->rex || in->opsize_prefix || in->rep || in->lock)
		return INSN_E_INVALID;	/* #UD: VEX after 66/F2/F3/F0/REX */
	if ((rc = take8(c, &p0)))
		return rc;
	if (esc == 0xc5) {
		in->encoding = INSN_ENC_VEX;
		e.r = !(p0 & 0x80);
		in->vex_vvvv = (~p0 >> 3) & 15;
		in->vex_l = (p0 >> 2) & 1;
		in->vex_pp = p0 & 3;
		map_sel = 1;
	} else {
		if ((rc = take8(c, &p1)))
			return rc;
		e.r = !(p0 & 0x80);
		e.x = !(p0 & 0x40);
		e.b = !(p0 & 0x20);
		e.w = p1 & 0x80;
		in->vex_vvvv = (~p1 >> 3) & 15;
		in->vex_pp = p1 & 3;
		if (esc == 0x62) {
			in->encoding = INSN_ENC_EVEX;
			map_sel = p0 & 7;
			if ((p0 & 0x08) || !(p1 & 0x04))
				return INSN_E_INVALID;	/* reserved bits */
			if ((rc = take8(c, &p2)))
				return rc;
			in->evex_z = p2 & 0x80;
			in->vex_l = (p2 >> 5) & 3;
			in->evex_b = p2 & 0x10;
			in->evex_aaa = p2 & 7;
			in->vex_vvvv |= (p2 & 0x08) ? 0 : 16;
		} else {
			in->encoding = esc == 0xc4 ? INSN_ENC_VEX : INSN_ENC_XOP;
			map_sel = p0 & 0x1f;
			in->vex_l = (p1 >> 2) & 1;
		}
	}
	in->vex_w = e.w;
	if (!mode64)
		e.x = e.b = false;	/* ignored outside 64-bit mode */

	switch (in->encoding) {
	case INSN_ENC_VEX:
	case INSN_ENC_EVEX:
		if (map_sel == 1)
			in->map = INSN_MAP_0F;
		else if (map_sel == 2)
			in->map = INSN_MAP_0F38;
		else if (map_sel == 3)
			in->map = INSN_MAP_0F3A;
		else if (in->encoding == INSN_ENC_EVEX && map_sel == 5)
			in->map = INSN_MAP_EVEX5;
		else if (in->encoding == INSN_ENC_EVEX && map_sel == 6)
			in->map = INSN_MAP_EVEX6;
		else
			return INSN_E_INVALID;
		break;
	default:
		if (map_sel < 8 || map_sel > 10)
			return INSN_E_INVALID;
		in->map = INSN_MAP_XOP8 + (map_sel - 8);
		break;
	}

	in->opcode_offset = (uint8_t)c->pos;
	if ((rc = take8(c, &in->opcode)))
		return rc;

	switch (in->map) {
	case INSN_MAP_0F:
		if (in->opcode == 0x77 && in->encoding == INSN_ENC_VEX) {
			in->opsize = 4;
			return INSN_OK;		/* VZEROUPPER / VZEROALL */
		}
		if ((in->opcode >= 0x70 && in->opcode <= 0x73) ||
		    in->opcode == 0xc2 || (in->opcode >= 0xc4 && in->opcode <= 0xc6))
			imm = 1;
		break;
	case INSN_MAP_0F3A:
	case INSN_MAP_XOP8:
		imm = 1;
		break;
	case INSN_MAP_XOPA:
		imm = 4;
		break;
	}
	in->opsize = mode64 && e.w ? 8 : 4;
	if ((rc = decode_modrm(in, c, &e, false)))
		return rc;
	return imm ? take_imm(in, c, imm) : INSN_OK;
}

int insn_decode(struct insn *in, const uint8_t *bytes, size_t avail, unsigned mode_bits)
{
	struct cursor c = { bytes, avail, 0 };
	bool mode64 = mode_bits == 64;
	struct ext e = { 0 };
	uint16_t attr;
	uint8_t b;
	int rc;

	memset(in, 0, sizeof(*in));
	in->mode_bits = (uint8_t)mode_bits;
	in->seg = INSN_SEG_NONE;
	in->base = in->index = INSN_NO_REG;
	in->scale = 1;
	if (mode_bits != 16 && mode_bits != 32 && mode_bits != 64)
		return INSN_E_INVALID;

	/* Legacy prefixes and REX (REX counts only right before the opcode). */
	for (;;) {
		if ((rc = take8(&c, &b)))
			return rc;
		switch (b) {
		case 0x26: in->seg = SEG_ES; break;
		case 0x2e: in->seg = SEG_CS; break;
		case 0x36: in->seg = SEG_SS; break;
		case 0x3e: in->seg = SEG_DS; break;
		case 0x64: in->seg = SEG_FS; break;
		case 0x65: in->seg = SEG_GS; break;
		case 0x66: in->opsize_prefix = true; break;
		case 0x67: in->addrsize_prefix = true; break;
		case 0xf0: in->lock = true; break;
		case 0xf2: in->rep = INSN_REP_F2; break;
		case 0xf3: in->rep = INSN_REP_F3; break;
		default:
			if (mode64 && (b & 0xf0) == 0x40) {
				in->rex = b;
				continue;
			}
			goto opcode;
		}
		in->rex = 0;
	}
opcode:
	if (mode64)
		in->addrsize = in->addrsize_prefix ? 4 : 8;
	else
		in->addrsize = (mode_bits == 16) != in->addrsize_prefix ? 2 : 4;
	e.w = in->rex & 8;
	e.r = in->rex & 4;
	e.x = in->rex & 2;
	e.b = in->rex & 1;
	in->opcode_offset = (uint8_t)(c.pos - 1);
	in->opcode = b;

	/* VEX/EVEX/XOP escapes; outside 64-bit mode C4/C5/62 are LES/LDS/BOUND
	 * unless the next byte looks like a register ModRM (mod == 11). */
	if (b == 0xc4 || b == 0xc5 || b == 0x62 || b == 0x8f) {
		uint8_t next;

		if ((rc = peek8(&c, &next)))
			return rc;
		bool escape = b == 0x8f ? (next & 0x1f) >= 8 :
			      mode64 || (next >> 6) == 3;
		if (escape) {
			rc = decode_vex_like(in, &c, b, mode64);
			if (rc)
				return rc;
			in->len = (uint8_t)c.pos;
			return INSN_OK;
		}
	}

	bool force_reg = false;
	if (b != 0x0f) {
		in->map = INSN_MAP_PRIMARY;
		attr = primary_attr(b);
	} else {
		if ((rc = take8(&c, &b)))
			return rc;
		in->opcode = b;
		if (b == 0x38 || b == 0x3a) {
			uint8_t op;

			if ((rc = take8(&c, &op)))
				return rc;
			in->opcode = op;
			in->map = b == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
			if (!bit_set(b == 0x38 ? map_0f38_defined : map_0f3a_defined, op))
				return INSN_E_INVALID;
			attr = b == 0x38 ? M : M | IB;
		} else {
			in->map = INSN_MAP_0F;
			attr = secondary[b];
			force_reg = b >= 0x20 && b <= 0x23;
		}
	}
	if ((attr & UD) || (mode64 && (attr & I64)))
		return INSN_E_INVALID;

	set_opsize(in, attr, e.w);
	if (in->map == INSN_MAP_0F && force_reg)
		in->opsize = mode64 ? 8 : 4;

	if (attr & M) {
		if ((rc = decode_modrm(in, &c, &e, force_reg)))
			return rc;
	}

	/* Opcodes whose ModRM.reg changes the operands. */
	if (in->map == INSN_MAP_PRIMARY) {
		unsigned r = in->reg & 7;

		switch (in->opcode) {
		case 0xf6:
			if (r < 2)
				attr |= IB;	/* TEST Eb, Ib (/1 is an alias) */
			break;
		case 0xf7:
			if (r < 2)
				attr |= IZ;
			break;
		case 0xc6:
		case 0xc7:
			/* MOV /0; XABORT/XBEGIN are C6 F8 / C7 F8 */
			if (r != 0 && in->modrm != 0xf8)
				return INSN_E_INVALID;
			break;
		case 0x8f:
			if (r != 0)
				return INSN_E_INVALID;
			break;
		case 0xfe:
			if (r > 1)
				return INSN_E_INVALID;
			break;
		case 0xff:
			if (r == 7)
				return INSN_E_INVALID;
			if (mode64 && (r == 2 || r == 4 || r == 6))
				set_opsize(in, D64, e.w);	/* near CALL/JMP, PUSH */
			/* far CALL/JMP need memory operands */
			if ((r == 3 || r == 5) && in->mod == 3)
				return INSN_E_INVALID;
			break;
		case 0x8d:		/* LEA needs a memory operand */
		case 0xc4:
		case 0xc5:
		case 0x62:
			if (in->mod == 3)
				return INSN_E_INVALID;
			break;
		}
	} else if (in->map == INSN_MAP_0F && in->opcode == 0x78 &&
		   (in->rep == INSN_REP_F2 || in->opsize_prefix)) {
		/* SSE4a EXTRQ (66) / INSERTQ (F2): registers only, two imm8 */
		if (in->mod != 3)
			return INSN_E_INVALID;
		if ((rc = take_imm(in, &c, 1)) || (rc = take_imm2(in, &c, 1)))
			return rc;
		in->len = (uint8_t)c.pos;
		return INSN_OK;
	}

	if ((rc = decode_imm(in, &c, attr)))
		return rc;
	in->len = (uint8_t)c.pos;
	return INSN_OK;
}
