/*
 * arch/x86/smp.h - bringing up the other CPUs: find them in the ACPI MADT,
 * start each with INIT-SIPI-SIPI through the real-mode trampoline, and give
 * each its own tables, stacks, LAPIC and SVM state.
 */
#ifndef YAKVM_ARCH_X86_SMP_H
#define YAKVM_ARCH_X86_SMP_H

#include "boot/bootinfo.h"

/* Starts every CPU the MADT lists; returns how many CPUs run (the boot CPU
 * included). Each AP ends in ap_loop (the scheduler's, core/run/sched.c). */
unsigned smp_start_aps(const struct boot_info *bi, void (*ap_loop)(void) __attribute__((noreturn)));

#endif
