/*
 * arch/x86/regs.h - a vCPU's general-purpose registers.
 *
 * The order is the architectural register number (the ModRM/REX encoding),
 * so a decoded register field indexes gpr[] directly. VMRUN saves and
 * restores only RAX, RSP and RIP through the VMCB (APM vol. 2, 15.5.1); the
 * others live here and are switched by _yakvm_vcpu_run (vmrun.S, at the
 * offsets arch/x86/svm/vmrun.h names and checks against struct gprs). After
 * an exit, arch/x86/svm/run.c copies VMCB.RAX/RSP in, and back out before
 * the next run, so handlers can treat gpr[] as the whole register file.
 */
#ifndef YAKVM_ARCH_X86_REGS_H
#define YAKVM_ARCH_X86_REGS_H

#include <stdint.h>

enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT
};

struct gprs {
	uint64_t r[GPR_COUNT];
};

/* Segment registers in their encoding order (ModRM.reg of MOV Sreg). */
enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };

/* RFLAGS bits. */
#define RFLAGS_CF (1u << 0)
#define RFLAGS_PF (1u << 2)
#define RFLAGS_AF (1u << 4)
#define RFLAGS_ZF (1u << 6)
#define RFLAGS_SF (1u << 7)
#define RFLAGS_TF (1u << 8)
#define RFLAGS_IF (1u << 9)
#define RFLAGS_DF (1u << 10)
#define RFLAGS_OF (1u << 11)
#define RFLAGS_VM (1u << 17)
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | \
		      RFLAGS_SF | RFLAGS_OF)

#endif
