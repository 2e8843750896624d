/* arch/x86/svm/ioio.h - the decoded form of an IOIO exit (see ioio.c). */
#ifndef YAKVM_ARCH_X86_SVM_IOIO_H
#define YAKVM_ARCH_X86_SVM_IOIO_H

#include <stdint.h>
#include <stdbool.h>

struct vcpu;

struct ioio {
	bool in, string, rep;
	unsigned size;        /* 1, 2, 4; 0 if EXITINFO1 names none */
	unsigned addr_size;   /* 2, 4, 8; 0 if not reported */
	unsigned seg;         /* as reported; QEMU reports 0 */
	uint16_t port;
};

struct ioio ioio_decode(uint64_t exitinfo1);

struct insn;
/* INS/OUTS need the instruction's own prefixes when EXITINFO1 lacks the
 * address size (QEMU), or the segment of an OUTS. */
bool ioio_string_needs_insn(const struct ioio *io);
/* The address size (2, 4, 8) and segment (enum seg) of INS/OUTS, from
 * EXITINFO1 or, where it lacks them, from `in` (NULL if not needed).
 * False if EXITINFO1 names a reserved segment (6 or 7). */
bool ioio_string_operands(const struct ioio *io, const struct insn *in,
			  unsigned *addr_size, unsigned *seg);
/* INS/OUTS, with or without REP (ioio_string.c). */
void ioio_string(struct vcpu *v, const struct ioio *io);

#endif
