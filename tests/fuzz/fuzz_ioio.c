/*
 * tests/fuzz/fuzz_ioio.c - IOIO exit decoding (arch/x86/svm/ioio_decode.c):
 * EXITINFO1 (8 bytes), then, for INS/OUTS whose EXITINFO1 lacks the address
 * size or segment, the instruction bytes decoded as ioio_string() does.
 * Properties: every field is in range and matches its bits (APM vol. 2,
 * 15.10.2, figure 15-2); the operands of a string access are a valid
 * address size and a segment register that exists, or a refusal.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/svm/ioio.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/regs.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_ioio: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t info1;
	if (size < 9)
		return 0;
	memcpy(&info1, data, 8);
	static const unsigned modes[] = { 16, 32, 64 };
	unsigned mode = modes[data[8] % 3];
	struct ioio io = ioio_decode(info1);

	CHECK(io.in == (info1 & 1));
	CHECK(io.string == ((info1 >> 2) & 1) && io.rep == ((info1 >> 3) & 1));
	CHECK(io.size == 0 || io.size == 1 || io.size == 2 || io.size == 4);
	CHECK((io.size == 0) == !(info1 & 0x70));
	CHECK(io.addr_size == 0 || io.addr_size == 2 || io.addr_size == 4 ||
	      io.addr_size == 8);
	CHECK((io.addr_size == 0) == !(info1 & 0x380));
	CHECK(io.seg < 8 && io.port == (uint16_t)(info1 >> 16));
	if (!io.string || io.size == 0)
		return 0;

	struct insn in, *inp = NULL;
	if (ioio_string_needs_insn(&io)) {
		if (insn_decode(&in, data + 9, size - 9, mode) != INSN_OK)
			return 0;	/* the VM is stopped */
		inp = &in;
	}
	unsigned asz = 0, seg = 0;
	bool ok = ioio_string_operands(&io, inp, &asz, &seg);
	CHECK(ok == (inp || io.in || io.seg < SEG_COUNT));
	if (ok) {
		CHECK(asz == 2 || asz == 4 || (asz == 8 && (mode == 64 || !inp)));
		CHECK(seg < SEG_COUNT);
		CHECK(!io.in || seg == SEG_ES);
	}
	return 0;
}
