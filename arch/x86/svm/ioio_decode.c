/*
 * arch/x86/svm/ioio_decode.c - ioio_decode(): EXITINFO1 of an IOIO exit, as
 * laid out in AMD APM vol. 2, 15.10.2, figure 15-2:
 *   bit 0 TYPE (1 = IN)   bit 2 STR   bit 3 REP
 *   bits 4-6 operand size (SZ8, SZ16, SZ32)
 *   bits 7-9 address size (A16, A32, A64)
 *   bits 10-12 effective segment (Bochs fills it, QEMU leaves 0)
 *   bits 16-31 port
 * Also how INS/OUTS find their address size and segment. Pure, so it is
 * unit-tested and fuzzed on the host (tests/unit/test_ioio_decode.c,
 * tests/fuzz/fuzz_ioio.c).
 */
#include "arch/x86/svm/ioio.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/regs.h"

struct ioio ioio_decode(uint64_t info1)
{
	struct ioio io = {
		.in = info1 & 1,
		.string = (info1 >> 2) & 1,
		.rep = (info1 >> 3) & 1,
		.size = (info1 & (1u << 4)) ? 1 : (info1 & (1u << 5)) ? 2 : 4,
		.addr_size = (info1 & (1u << 7)) ? 2 : (info1 & (1u << 8)) ? 4 : 8,
		.seg = (info1 >> 10) & 7,
		.port = (uint16_t)(info1 >> 16),
	};
	if (!(info1 & (7u << 4)))
		io.size = 0;	/* no size bit: malformed */
	if (!(info1 & (7u << 7)))
		io.addr_size = 0;	/* not given (QEMU) */
	return io;
}

bool ioio_string_needs_insn(const struct ioio *io)
{
	return io->addr_size == 0 || (!io->in && io->seg == 0);
}

/* INS writes ES:rDI, no override possible; OUTS reads DS:rSI or the
 * override (APM vol. 3, "INS", "OUTS"). */
bool ioio_string_operands(const struct ioio *io, const struct insn *in,
			  unsigned *addr_size, unsigned *seg)
{
	*addr_size = io->addr_size;
	*seg = io->in ? SEG_ES : SEG_DS;
	if (ioio_string_needs_insn(io)) {
		*addr_size = in->addrsize;
		if (!io->in && in->seg != INSN_SEG_NONE)
			*seg = in->seg;
	} else if (!io->in) {
		*seg = io->seg;
	}
	return *seg < SEG_COUNT;
}
