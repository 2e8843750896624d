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
/* INS/OUTS, with or without REP (ioio_string.c). */
void ioio_string(struct vcpu *v, const struct ioio *io);

#endif
