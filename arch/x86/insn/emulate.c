/*
 * arch/x86/insn/emulate.c - emulation of memory-operand instructions (MMIO).
 *
 * Effective addresses: SDM vol. 2 2.1.5 / APM vol. 3 1.4 (ModRM/SIB) and
 * APM vol. 2 4.5 (segment bases; in 64-bit mode only FS and GS apply).
 * Instruction semantics and flags: APM vol. 3 chapter 3 / SDM vol. 2.
 * Memory writes are issued before register writes, so a faulting access
 * leaves the registers as they were (REP: as after the last finished
 * iteration). RMW forms are a read then a write through the callbacks; the
 * device model behind them serializes, so LOCK needs no extra work.
 */
#include "arch/x86/insn/emulate.h"

enum alu_op {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
	ALU_TEST, ALU_NEG, ALU_INC, ALU_DEC,
};

struct emu {
	struct emu_state *st;
	const struct insn *in;
	const struct emu_ops *ops;
};

/* An r/m operand: a register or a guest linear address. */
struct operand {
	bool mem;
	uint64_t linear;
	unsigned reg;
	unsigned size;
};

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	switch (size) {
	case 1: return (uint64_t)(int64_t)(int8_t)v;
	case 2: return (uint64_t)(int64_t)(int16_t)v;
	case 4: return (uint64_t)(int64_t)(int32_t)v;
	default: return v;
	}
}

/* ---- registers ---------------------------------------------------------- */

/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
static bool high_byte_reg(const struct insn *in, unsigned reg, unsigned size)
{
	return size == 1 && !in->rex && reg >= 4 && reg < 8;
}

static uint64_t reg_read(const struct emu *e, unsigned reg, unsigned size)
{
	if (high_byte_reg(e->in, reg, size))
		return (e->st->regs->r[reg - 4] >> 8) & 0xff;
	return e->st->regs->r[reg] & size_mask(size);
}

/* 8- and 16-bit writes merge; 32-bit writes zero-extend (what 64-bit mode
 * specifies; the upper half is architecturally invisible elsewhere). */
static void reg_write(const struct emu *e, unsigned reg, unsigned size, uint64_t val)
{
	uint64_t *r = &e->st->regs->r[reg];

	if (high_byte_reg(e->in, reg, size)) {
		r = &e->st->regs->r[reg - 4];
		*r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
	} else if (size < 4) {
		*r = (*r & ~size_mask(size)) | (val & size_mask(size));
	} else {
		*r = val & size_mask(size);
	}
}

static uint64_t addr_mask(const struct insn *in)
{
	return size_mask(in->addrsize);
}

/* rSI/rDI/rCX as sized by the address size. */
static uint64_t areg_read(const struct emu *e, unsigned reg)
{
	return e->st->regs->r[reg] & addr_mask(e->in);
}

static void areg_write(const struct emu *e, unsigned reg, uint64_t val)
{
	reg_write(e, reg, e->in->addrsize, val);
}

/* ---- addresses ---------------------------------------------------------- */

static uint64_t seg_linear(const struct emu *e, unsigned seg, uint64_t ea)
{
	const struct emu_state *st = e->st;

	if (st->mode_bits == 64)
		return (seg == SEG_FS || seg == SEG_GS) ? st->seg_base[seg] + ea : ea;
	return (st->seg_base[seg] + ea) & 0xffffffffull;
}

static unsigned data_seg(const struct insn *in, unsigned dflt)
{
	return in->seg != INSN_SEG_NONE ? in->seg : dflt;
}

/* Linear address of the ModRM memory operand, plus `adjust` bytes (BT). */
static uint64_t modrm_linear(const struct emu *e, int64_t adjust)
{
	const struct insn *in = e->in;
	const uint64_t *r = e->st->regs->r;
	unsigned seg = SEG_DS;
	uint64_t ea = (uint64_t)(int64_t)in->disp + (uint64_t)adjust;

	if (in->rip_relative) {
		ea += e->st->rip + in->len;
	} else {
		if (in->base != INSN_NO_REG) {
			ea += r[in->base];
			if (in->base == GPR_RSP || in->base == GPR_RBP)
				seg = SEG_SS;
		}
		if (in->index != INSN_NO_REG)
			ea += r[in->index] * in->scale;
	}
	return seg_linear(e, data_seg(in, seg), ea & addr_mask(in));
}

static struct operand rm_operand(const struct emu *e, unsigned size, int64_t adjust)
{
	struct operand op = { .size = size };

	if (e->in->mod == 3) {
		op.reg = e->in->rm;
	} else {
		op.mem = true;
		op.linear = modrm_linear(e, adjust);
	}
	return op;
}

static int op_read(const struct emu *e, const struct operand *op, uint64_t *val)
{
	if (!op->mem) {
		*val = reg_read(e, op->reg, op->size);
		return EMU_OK;
	}
	uint64_t v = 0;
	int rc = e->ops->read(e->st->ctx, op->linear, op->size, &v);
	*val = v & size_mask(op->size);
	return rc;
}

static int op_write(const struct emu *e, const struct operand *op, uint64_t val)
{
	if (!op->mem) {
		reg_write(e, op->reg, op->size, val);
		return EMU_OK;
	}
	return e->ops->write(e->st->ctx, op->linear, op->size, val & size_mask(op->size));
}

/* ---- flags -------------------------------------------------------------- */

static uint64_t szp_flags(uint64_t r, unsigned size)
{
	uint64_t f = 0;
	uint8_t p = (uint8_t)r;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= RFLAGS_PF;
	if (!(r & size_mask(size)))
		f |= RFLAGS_ZF;
	if ((r >> (size * 8 - 1)) & 1)
		f |= RFLAGS_SF;
	return f;
}

/* Computes a op b; returns the result and replaces the arithmetic flags of
 * *rflags as the instruction does (logic ops clear AF, which is undefined). */
static uint64_t alu(unsigned op, uint64_t a, uint64_t b, unsigned size, uint64_t *rflags)
{
	uint64_t mask = size_mask(size), msb = 1ull << (size * 8 - 1);
	uint64_t carry_in = *rflags & RFLAGS_CF ? 1 : 0;
	uint64_t r, f = 0, keep = *rflags & ~(uint64_t)RFLAGS_ARITH;
	bool add = false, sub = false;

	a &= mask;
	b &= mask;
	switch (op) {
	case ALU_ADC:
		r = a + b + carry_in;
		add = true;
		break;
	case ALU_ADD:
		r = a + b;
		add = true;
		break;
	case ALU_INC:
		b = 1;
		r = a + 1;
		add = true;
		break;
	case ALU_SBB:
		r = a - b - carry_in;
		sub = true;
		break;
	case ALU_SUB:
	case ALU_CMP:
		r = a - b;
		sub = true;
		break;
	case ALU_DEC:
		b = 1;
		r = a - 1;
		sub = true;
		break;
	case ALU_NEG:
		a = 0;
		r = -b;
		sub = true;
		break;
	case ALU_OR:
		r = a | b;
		break;
	case ALU_XOR:
		r = a ^ b;
		break;
	default:		/* AND, TEST */
		r = a & b;
		break;
	}
	r &= mask;
	if (add) {
		if (((a & b) | ((a | b) & ~r)) & msb)
			f |= RFLAGS_CF;
		if ((a ^ r) & (b ^ r) & msb)
			f |= RFLAGS_OF;
	} else if (sub) {
		if (((~a & b) | (~(a ^ b) & r)) & msb)
			f |= RFLAGS_CF;
		if ((a ^ b) & (a ^ r) & msb)
			f |= RFLAGS_OF;
	}
	if ((add || sub) && ((a ^ b ^ r) & 0x10))
		f |= RFLAGS_AF;
	f |= szp_flags(r, size);
	if (op == ALU_INC || op == ALU_DEC)	/* CF unaffected */
		f = (f & ~(uint64_t)RFLAGS_CF) | (*rflags & RFLAGS_CF);
	*rflags = keep | f;
	return r;
}

/* ---- instruction groups ------------------------------------------------- */

static int finish(const struct emu *e)
{
	e->st->rip += e->in->len;
	if (e->st->mode_bits != 64)
		e->st->rip &= 0xffffffffull;
	return EMU_OK;
}

/* dst = dst op src (or just flags for CMP/TEST); the r/m side is rm. */
static int alu_rm(const struct emu *e, unsigned op, bool rm_is_dst, uint64_t *imm)
{
	const struct insn *in = e->in;
	unsigned size = in->opsize;
	struct operand rm = rm_operand(e, size, 0);
	uint64_t a, b, val, rflags = e->st->rflags;
	int rc;

	if ((rc = op_read(e, &rm, &val)))
		return rc;
	if (imm) {
		a = val;
		b = *imm;
	} else if (rm_is_dst) {
		a = val;
		b = reg_read(e, in->reg, size);
	} else {
		a = reg_read(e, in->reg, size);
		b = val;
	}
	uint64_t r = alu(op, a, b, size, &rflags);
	if (op != ALU_CMP && op != ALU_TEST) {
		if (rm_is_dst) {
			if ((rc = op_write(e, &rm, r)))
				return rc;
		} else {
			reg_write(e, in->reg, size, r);
		}
	}
	e->st->rflags = rflags;
	return finish(e);
}

/* Unary r/m ops: NOT, NEG, INC, DEC. */
static int unary_rm(const struct emu *e, unsigned op, bool is_not)
{
	struct operand rm = rm_operand(e, e->in->opsize, 0);
	uint64_t val, rflags = e->st->rflags, r;
	int rc;

	if ((rc = op_read(e, &rm, &val)))
		return rc;
	r = is_not ? ~val : alu(op, val, val, rm.size, &rflags);
	if ((rc = op_write(e, &rm, r)))
		return rc;
	e->st->rflags = rflags;
	return finish(e);
}

/* MOV between r/m and a register; load also covers MOVZX/MOVSX/MOVSXD
 * (src_size is the r/m size, extended to the operand size). */
static int mov_load(const struct emu *e, unsigned src_size, bool sign)
{
	struct operand rm = rm_operand(e, src_size, 0);
	uint64_t val;
	int rc;

	if ((rc = op_read(e, &rm, &val)))
		return rc;
	if (sign)
		val = sign_extend(val, src_size);
	reg_write(e, e->in->reg, e->in->opsize, val);
	return finish(e);
}

static int mov_store(const struct emu *e, uint64_t val)
{
	struct operand rm = rm_operand(e, e->in->opsize, 0);
	int rc = op_write(e, &rm, val);

	return rc ? rc : finish(e);
}

/* MOV AL/rAX <-> moffs (A0-A3). */
static int mov_moffs(const struct emu *e, bool store)
{
	const struct insn *in = e->in;
	uint64_t linear = seg_linear(e, data_seg(in, SEG_DS), in->imm & addr_mask(in));
	uint64_t val = 0;
	int rc;

	if (store) {
		rc = e->ops->write(e->st->ctx, linear, in->opsize,
				   reg_read(e, GPR_RAX, in->opsize));
		return rc ? rc : finish(e);
	}
	if ((rc = e->ops->read(e->st->ctx, linear, in->opsize, &val)))
		return rc;
	reg_write(e, GPR_RAX, in->opsize, val);
	return finish(e);
}

static int xchg(const struct emu *e)
{
	struct operand rm = rm_operand(e, e->in->opsize, 0);
	uint64_t val;
	int rc;

	if ((rc = op_read(e, &rm, &val)))
		return rc;
	if ((rc = op_write(e, &rm, reg_read(e, e->in->reg, rm.size))))
		return rc;
	reg_write(e, e->in->reg, rm.size, val);
	return finish(e);
}

static int xadd(const struct emu *e)
{
	unsigned size = e->in->opsize;
	struct operand rm = rm_operand(e, size, 0);
	uint64_t dst, rflags = e->st->rflags;
	int rc;

	if ((rc = op_read(e, &rm, &dst)))
		return rc;
	uint64_t sum = alu(ALU_ADD, dst, reg_read(e, e->in->reg, size), size, &rflags);
	if (rm.mem) {
		if ((rc = op_write(e, &rm, sum)))
			return rc;
		reg_write(e, e->in->reg, size, dst);
	} else {			/* SRC <- DEST, then DEST <- sum */
		reg_write(e, e->in->reg, size, dst);
		op_write(e, &rm, sum);
	}
	e->st->rflags = rflags;
	return finish(e);
}

/* CMPXCHG: on a mismatch only the accumulator is written (no write-back of
 * the old value to the device, which could have side effects). */
static int cmpxchg(const struct emu *e)
{
	unsigned size = e->in->opsize;
	struct operand rm = rm_operand(e, size, 0);
	uint64_t dst, rflags = e->st->rflags;
	int rc;

	if ((rc = op_read(e, &rm, &dst)))
		return rc;
	alu(ALU_CMP, reg_read(e, GPR_RAX, size), dst, size, &rflags);
	if (rflags & RFLAGS_ZF) {
		if ((rc = op_write(e, &rm, reg_read(e, e->in->reg, size))))
			return rc;
	} else {
		reg_write(e, GPR_RAX, size, dst);
	}
	e->st->rflags = rflags;
	return finish(e);
}

/* BT/BTS/BTR/BTC (kind 0-3). With a register bit offset and a memory
 * operand the offset is signed and may address outside the operand: the
 * accessed unit is at ea + (offset / width) * size (SDM "BT"). */
static int bit_test(const struct emu *e, unsigned kind, bool imm)
{
	const struct insn *in = e->in;
	unsigned size = in->opsize, width = size * 8;
	int64_t adjust = 0;
	uint64_t off;

	if (imm) {
		off = in->imm & (width - 1);
	} else {
		off = reg_read(e, in->reg, size);
		if (in->mod != 3) {
			int64_t soff = (int64_t)sign_extend(off, size);
			int shift = width == 16 ? 4 : width == 32 ? 5 : 6;

			adjust = (soff >> shift) * (int64_t)size;
		}
		off &= width - 1;
	}

	struct operand rm = rm_operand(e, size, adjust);
	uint64_t val, bit = 1ull << off;
	int rc;

	if ((rc = op_read(e, &rm, &val)))
		return rc;
	if (kind) {
		uint64_t nv = kind == 1 ? val | bit : kind == 2 ? val & ~bit : val ^ bit;

		if ((rc = op_write(e, &rm, nv)))
			return rc;
	}
	e->st->rflags = (e->st->rflags & ~(uint64_t)RFLAGS_CF) | ((val & bit) ? RFLAGS_CF : 0);
	return finish(e);
}

/* The one string engine: MOVS, STOS, LODS, INS, OUTS, with optional REP
 * (F3 or F2 both repeat these; APM vol. 3, "REP", "INS", "OUTS"). Each
 * iteration moves one element from its source (seg:rSI, DS unless
 * overridden; rAX; or port DX) to its destination (ES:rDI, no override;
 * rAX; or port DX), then steps rSI/rDI by the operand size, backwards when
 * RFLAGS.DF=1; the address size sizes rSI, rDI and rCX. INS probes its
 * destination before it reads the port: a #PF there leaves the device's
 * byte where it was, for the retry after the guest's #PF handler. */
enum string_op { STR_MOVS, STR_STOS, STR_LODS, STR_INS, STR_OUTS };

static int string_op(const struct emu *e, enum string_op kind)
{
	const struct insn *in = e->in;
	const struct emu_ops *ops = e->ops;
	bool io = kind == STR_INS || kind == STR_OUTS;
	/* INS/OUTS move at most 32 bits, REX.W or not. */
	unsigned size = io && in->opsize == 8 ? 4 : in->opsize;
	bool rep = in->rep != INSN_REP_NONE;
	bool reads_mem = kind == STR_MOVS || kind == STR_LODS || kind == STR_OUTS;
	bool writes_mem = kind == STR_MOVS || kind == STR_STOS || kind == STR_INS;
	uint64_t count = rep ? areg_read(e, GPR_RCX) : 1;
	uint64_t step = (e->st->rflags & RFLAGS_DF) ? -(uint64_t)size : size;
	unsigned src_seg = data_seg(in, SEG_DS);
	uint16_t port = (uint16_t)e->st->regs->r[GPR_RDX];
	unsigned max = e->st->rep_max ? e->st->rep_max : EMU_REP_MAX, n = 0;
	int rc = EMU_OK;

	if (io && (!ops->probe_write || !ops->port_in || !ops->port_out))
		return EMU_UNSUPPORTED;
	for (; count && n < max; n++) {
		uint64_t val = 0, si = areg_read(e, GPR_RSI), di = areg_read(e, GPR_RDI);
		uint64_t dst = seg_linear(e, SEG_ES, di);

		if (kind == STR_INS) {
			uint32_t port_val = 0;
			if ((rc = ops->probe_write(e->st->ctx, dst, size)) ||
			    (rc = ops->port_in(e->st->ctx, port, size, &port_val)))
				break;
			val = port_val;
		} else if (reads_mem) {
			if ((rc = ops->read(e->st->ctx, seg_linear(e, src_seg, si), size, &val)))
				break;
		} else {
			val = reg_read(e, GPR_RAX, size);
		}
		if (kind == STR_OUTS &&
		    (rc = ops->port_out(e->st->ctx, port, size, (uint32_t)val)))
			break;
		if (writes_mem && (rc = ops->write(e->st->ctx, dst, size, val & size_mask(size))))
			break;
		if (kind == STR_LODS)
			reg_write(e, GPR_RAX, size, val);
		if (writes_mem)
			areg_write(e, GPR_RDI, di + step);
		if (reads_mem)
			areg_write(e, GPR_RSI, si + step);
		count--;
		if (rep)
			areg_write(e, GPR_RCX, count);
	}
	e->st->rep_done = n;
	if (rc == EMU_RETRY)
		return EMU_OK;		/* a busy device: this element again later */
	if (rc)
		return rc;
	if (count)
		return EMU_OK;		/* more to do: the guest re-executes it */
	return finish(e);
}

/* LOCK is allowed only on read-modify-write forms with a memory destination
 * (SDM "LOCK"); anything else is #UD. */
static bool lock_allowed(const struct insn *in)
{
	unsigned op = in->opcode, r = in->reg & 7;

	if (!in->has_modrm || in->mod == 3)
		return false;
	if (in->map == INSN_MAP_PRIMARY) {
		if (op < 0x40)
			return (op & 7) < 2 && (op >> 3) != ALU_CMP;
		if (op >= 0x80 && op <= 0x83)
			return r != ALU_CMP;
		if (op == 0x86 || op == 0x87)
			return true;
		if (op == 0xf6 || op == 0xf7)
			return r == 2 || r == 3;
		if (op == 0xfe || op == 0xff)
			return r < 2;
		return false;
	}
	if (in->map == INSN_MAP_0F) {
		switch (op) {
		case 0xab: case 0xb3: case 0xbb:
		case 0xb0: case 0xb1: case 0xc0: case 0xc1:
			return true;
		case 0xba:
			return r >= 5;
		case 0xc7:
			return r == 1;
		}
	}
	return false;
}

static int emulate_primary(const struct emu *e)
{
	const struct insn *in = e->in;
	unsigned op = in->opcode, r = in->reg & 7;
	uint64_t imm;

	if (op < 0x40 && (op & 7) < 4)		/* ADD..CMP r/m forms */
		return alu_rm(e, op >> 3, !(op & 2), NULL);

	switch (op) {
	case 0x80: case 0x81: case 0x82: case 0x83:
		if (op == 0x82 && e->st->mode_bits == 64)
			return EMU_UNSUPPORTED;
		imm = (uint64_t)insn_imm_sext(in);
		return alu_rm(e, r, true, &imm);
	case 0x84: case 0x85:
		return alu_rm(e, ALU_TEST, true, NULL);
	case 0x86: case 0x87:
		return xchg(e);
	case 0x88: case 0x89:
		return mov_store(e, reg_read(e, in->reg, in->opsize));
	case 0x8a: case 0x8b:
		return mov_load(e, in->opsize, false);
	case 0x63:			/* MOVSXD (64-bit mode only; else ARPL) */
		if (e->st->mode_bits != 64 || in->opsize == 2)
			return EMU_UNSUPPORTED;
		return mov_load(e, 4, true);
	case 0xa0: case 0xa1:
		return mov_moffs(e, false);
	case 0xa2: case 0xa3:
		return mov_moffs(e, true);
	case 0x6c: case 0x6d:
		return string_op(e, STR_INS);
	case 0x6e: case 0x6f:
		return string_op(e, STR_OUTS);
	case 0xa4: case 0xa5:
		return string_op(e, STR_MOVS);
	case 0xaa: case 0xab:
		return string_op(e, STR_STOS);
	case 0xac: case 0xad:
		return string_op(e, STR_LODS);
	case 0xc6: case 0xc7:
		if (r != 0 || in->modrm == 0xf8)
			return EMU_UNSUPPORTED;
		return mov_store(e, (uint64_t)insn_imm_sext(in));
	case 0xf6: case 0xf7:
		if (r < 2) {
			imm = (uint64_t)insn_imm_sext(in);
			return alu_rm(e, ALU_TEST, true, &imm);
		}
		if (r == 2 || r == 3)
			return unary_rm(e, ALU_NEG, r == 2);
		return EMU_UNSUPPORTED;
	case 0xfe: case 0xff:
		if (r < 2)
			return unary_rm(e, r ? ALU_DEC : ALU_INC, false);
		return EMU_UNSUPPORTED;
	}
	return EMU_UNSUPPORTED;
}

static int emulate_0f(const struct emu *e)
{
	const struct insn *in = e->in;
	unsigned r = in->reg & 7;

	switch (in->opcode) {
	case 0xb6: case 0xbe:
		return mov_load(e, 1, in->opcode == 0xbe);
	case 0xb7: case 0xbf:
		return mov_load(e, 2, in->opcode == 0xbf);
	case 0xa3: return bit_test(e, 0, false);
	case 0xab: return bit_test(e, 1, false);
	case 0xb3: return bit_test(e, 2, false);
	case 0xbb: return bit_test(e, 3, false);
	case 0xba:
		return r >= 4 ? bit_test(e, r - 4, true) : EMU_UNSUPPORTED;
	case 0xb0: case 0xb1:
		return cmpxchg(e);
	case 0xc0: case 0xc1:
		return xadd(e);
	}
	return EMU_UNSUPPORTED;
}

int insn_emulate(struct emu_state *st, const struct insn *in, const struct emu_ops *ops)
{
	const struct emu e = { st, in, ops };

	if (in->encoding != INSN_ENC_LEGACY || in->mode_bits != st->mode_bits)
		return EMU_UNSUPPORTED;
	if (in->lock && !lock_allowed(in))
		return EMU_UNSUPPORTED;
	/* Operand sizes the handlers rely on (MOVS etc. take theirs from it). */
	if (in->opsize != 1 && in->opsize != 2 && in->opsize != 4 && in->opsize != 8)
		return EMU_UNSUPPORTED;
	if (in->map == INSN_MAP_PRIMARY)
		return emulate_primary(&e);
	if (in->map == INSN_MAP_0F)
		return emulate_0f(&e);
	return EMU_UNSUPPORTED;
}
