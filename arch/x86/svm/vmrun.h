/*
 * arch/x86/svm/vmrun.h - the world switch (vmrun.S), and where it finds each
 * guest register in struct gprs (arch/x86/regs.h): byte offsets shared by
 * the assembly and C. Every C file that includes this header checks them
 * against the struct, so a mismatch breaks the build.
 */
#ifndef YAKVM_ARCH_X86_SVM_VMRUN_H
#define YAKVM_ARCH_X86_SVM_VMRUN_H

/* RAX and RSP are switched through the VMCB (APM vol. 2, 15.5.1). */
#define GPRS_RCX 0x08
#define GPRS_RDX 0x10
#define GPRS_RBX 0x18
#define GPRS_RBP 0x28
#define GPRS_RSI 0x30
#define GPRS_RDI 0x38
#define GPRS_R8  0x40
#define GPRS_R9  0x48
#define GPRS_R10 0x50
#define GPRS_R11 0x58
#define GPRS_R12 0x60
#define GPRS_R13 0x68
#define GPRS_R14 0x70
#define GPRS_R15 0x78

#ifndef __ASSEMBLY__
#include <stdint.h>
#include "arch/x86/regs.h"

#define GPRS_CHECK(reg) _Static_assert(__builtin_offsetof(struct gprs, r[GPR_##reg]) == \
				       GPRS_##reg, "vmrun.h: GPRS_" #reg " is not where struct gprs keeps " #reg)
GPRS_CHECK(RCX); GPRS_CHECK(RDX); GPRS_CHECK(RBX); GPRS_CHECK(RBP);
GPRS_CHECK(RSI); GPRS_CHECK(RDI); GPRS_CHECK(R8);  GPRS_CHECK(R9);
GPRS_CHECK(R10); GPRS_CHECK(R11); GPRS_CHECK(R12); GPRS_CHECK(R13);
GPRS_CHECK(R14); GPRS_CHECK(R15);
#undef GPRS_CHECK

/* Runs the guest until #VMEXIT: loads the guest's registers from *regs,
 * VMLOAD + VMRUN + VMSAVE on vmcb_pa, saves them back, VMLOAD of the host's
 * state from host_vmcb_pa. guest_xcr0: the guest's XCR0, NULL without XSAVE. */
void _yakvm_vcpu_run(struct gprs *regs, uint64_t vmcb_pa, uint64_t host_vmcb_pa,
		     uint64_t *guest_xcr0);
#endif

#endif
