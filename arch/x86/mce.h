/*
 * arch/x86/mce.h - machine checks in the host (AMD APM vol. 2, ch. 9): the
 * banks are enabled at boot, a #MC is decoded, a recoverable one is logged
 * and the machine goes on, an unrecoverable one stops yakvm with a report.
 */
#ifndef YAKVM_ARCH_X86_MCE_H
#define YAKVM_ARCH_X86_MCE_H

#include <stdbool.h>
#include <stdint.h>

/* This CPU: enable every bank, report what the banks held from before boot,
 * and set CR4.MCE (without it a machine check shuts the CPU down). */
void mce_cpu_init(void);

enum mce_result {
	MCE_NONE,         /* no bank held a valid error */
	MCE_RECOVERED,    /* logged; the interrupted code may go on */
	MCE_CONTEXT_LOST, /* RIPV=0 in a guest: that guest cannot go on */
};

/* Handles a machine check: from yakvm's #MC vector, or from the #MC
 * intercept when it struck a guest (in_guest). Panics if the processor
 * context is corrupt (PCC) or yakvm's own context was lost. */
enum mce_result mce_handle(bool in_guest);

/* Logs the machine checks recorded since the last call (ordinary context). */
void mce_report(void);

#endif
