/*
 * arch/x86/svm/paging_state.h - what the guest page walker's glue and
 * instruction fetch (arch/x86/insn/fetch.c) need of a vCPU, read from its
 * VMCB here so that the glue never touches the VMCB itself. Small separate
 * accessors, so that each exit path reads only what it uses.
 */
#ifndef YAKVM_ARCH_X86_SVM_PAGING_STATE_H
#define YAKVM_ARCH_X86_SVM_PAGING_STATE_H

#include <stdint.h>
#include <stddef.h>
#include "arch/x86/insn/walk.h"

struct vcpu;

/* The paging registers and where the guest's code is. */
struct code_state {
	struct walk_regs paging;
	uint64_t la;        /* CS.base + RIP, wrapped at 4 GiB outside 64-bit code */
};

/* CR0, CR3, CR4, EFER, CPL and MAXPHYADDR. */
void svm_paging_state(struct vcpu *v, struct walk_regs *r);
/* The same, and the linear address of CS:RIP. */
void svm_code_state(struct vcpu *v, struct code_state *c);
/* CS's default operand size: 16, 32 or 64 (APM vol. 2, 4.8.1). */
unsigned svm_code_bits(struct vcpu *v);
/* RIP after an instruction of len bytes (wrapping at 4 GiB outside 64-bit
 * code). */
uint64_t svm_rip_after(struct vcpu *v, unsigned len);
/* The bytes of the instruction that exited, when the CPU's decode assists
 * saved them (#NPF and #PF exits, APM vol. 2, 15.8.4): their number (up to
 * 15) copied to buf, or 0. */
size_t svm_exit_insn_bytes(struct vcpu *v, uint8_t *buf);

#endif
