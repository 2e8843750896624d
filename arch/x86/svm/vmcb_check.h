/*
 * arch/x86/svm/vmcb_check.h - the VMRUN consistency checks of AMD APM vol. 2,
 * 15.5.1 ("Basic Operation": the conditions under which VMRUN exits with
 * VMEXIT_INVALID), done in software so yakvm can name the failing one.
 */
#ifndef YAKVM_ARCH_X86_SVM_VMCB_CHECK_H
#define YAKVM_ARCH_X86_SVM_VMCB_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include "arch/x86/svm/vmcb.h"

/* True if the VMCB passes every check; otherwise false with the first failing
 * check, in words, in why[]. phys_bits is the host's address width. */
bool vmcb_check_state(const struct vmcb *vmcb, unsigned phys_bits,
		      char *why, size_t whylen);
/* The same with this CPU's address width. */
bool vmcb_check_guest_state(const struct vmcb *vmcb, char *why, size_t whylen);

#endif
