/* arch/x86/svm/exitcodes.h - #VMEXIT codes, APM vol. 2, appendix C. */
#ifndef YAKVM_ARCH_X86_SVM_EXITCODES_H
#define YAKVM_ARCH_X86_SVM_EXITCODES_H

#include <stdint.h>

#define VMEXIT_CR0_READ   0x000	/* 0x000-0x00f: CRn reads, 0x010-0x01f: writes */
#define VMEXIT_CR4_WRITE  0x014
#define VMEXIT_DR0_READ   0x020
#define VMEXIT_EXCP_BASE  0x040	/* 0x040-0x05f: exception vector n */
#define VMEXIT_INTR       0x060
#define VMEXIT_NMI        0x061
#define VMEXIT_SMI        0x062
#define VMEXIT_INIT       0x063
#define VMEXIT_VINTR      0x064
#define VMEXIT_CR0_SEL_WRITE 0x065
#define VMEXIT_RDTSC      0x06e
#define VMEXIT_RDPMC      0x06f
#define VMEXIT_PUSHF      0x070
#define VMEXIT_POPF       0x071
#define VMEXIT_CPUID      0x072
#define VMEXIT_RSM        0x073
#define VMEXIT_IRET       0x074
#define VMEXIT_SWINT      0x075
#define VMEXIT_INVD       0x076
#define VMEXIT_PAUSE      0x077
#define VMEXIT_HLT        0x078
#define VMEXIT_INVLPG     0x079
#define VMEXIT_INVLPGA    0x07a
#define VMEXIT_IOIO       0x07b
#define VMEXIT_MSR        0x07c
#define VMEXIT_TASK_SWITCH 0x07d
#define VMEXIT_FERR_FREEZE 0x07e
#define VMEXIT_SHUTDOWN   0x07f
#define VMEXIT_VMRUN      0x080
#define VMEXIT_VMMCALL    0x081
#define VMEXIT_VMLOAD     0x082
#define VMEXIT_VMSAVE     0x083
#define VMEXIT_STGI       0x084
#define VMEXIT_CLGI       0x085
#define VMEXIT_SKINIT     0x086
#define VMEXIT_RDTSCP     0x087
#define VMEXIT_ICEBP      0x088
#define VMEXIT_WBINVD     0x089
#define VMEXIT_MONITOR    0x08a
#define VMEXIT_MWAIT      0x08b
#define VMEXIT_MWAIT_CONDITIONAL 0x08c
#define VMEXIT_XSETBV     0x08d
#define VMEXIT_RDPRU      0x08e
#define VMEXIT_NPF        0x400
/* VMEXIT_INVALID is -1: QEMU stores it as 0x00000000ffffffff and Bochs as
 * 0xffffffffffffffff, so compare the low 32 bits. */
#define VMEXIT_INVALID    0xffffffffu

static inline int vmexit_is_invalid(uint64_t code)
{
	return (uint32_t)code == VMEXIT_INVALID;
}

/* "CPUID", "IOIO", ...: the exit table's name (exit.c); "UNKNOWN" for a code it
 * does not list. */
const char *svm_exit_name(uint64_t code);

#endif
