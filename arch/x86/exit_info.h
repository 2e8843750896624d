/*
 * arch/x86/exit_info.h - one exit as common code sees it, in no vendor's
 * layout. The SVM side fills it from the VMCB (svm_exit_info(),
 * arch/x86/svm/exit.h); the diagnostics (core/diag: the exit ring, the
 * trace) read only this, never the VMCB.
 */
#ifndef YAKVM_ARCH_X86_EXIT_INFO_H
#define YAKVM_ARCH_X86_EXIT_INFO_H

#include <stdint.h>

struct exit_info {
	uint64_t code;          /* why: SVM's EXITCODE (APM vol. 2, appendix C) */
	uint64_t info1, info2;  /* its details: SVM's EXITINFO1 and EXITINFO2 */
	uint64_t rip;           /* the guest's RIP at the exit */
	uint64_t intinfo;       /* an event the exit interrupted (EXITINTINFO) */
};

/* Events (intinfo above, and what a handler injects) are in the format of
 * SVM's EVENTINJ (APM vol. 2, 15.20): vector in bits 7:0, type in 10:8,
 * valid in bit 31. */
#define EXIT_EVENT_VALID     (1ull << 31)
#define EXIT_EVENT_TYPE_MASK (7ull << 8)
#define EXIT_EVENT_TYPE_EXC  (3ull << 8)	/* an exception */

#endif
