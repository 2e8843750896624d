/*
 * arch/x86/svm/exit.h - #VMEXIT dispatch: one handler per exit code, in a
 * table indexed by the code (exit.c), one file per family of exits.
 */
#ifndef YAKVM_ARCH_X86_SVM_EXIT_H
#define YAKVM_ARCH_X86_SVM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

void svm_handle_exit(struct vcpu *v);

void svm_handle_cpuid(struct vcpu *v);   /* cpuid.c */
void svm_handle_msr(struct vcpu *v);     /* msr.c */
void yakvm_cpu_handle_ioio(struct vcpu *v);    /* ioio.c */
void svm_handle_npf(struct vcpu *v);    /* npf.c */
void svm_handle_hlt(struct vcpu *v);           /* hlt.c */
void svm_handle_shutdown(struct vcpu *v);      /* shutdown.c */
void svm_handle_invalid(struct vcpu *v);       /* shutdown.c */
void svm_handle_vmmcall(struct vcpu *v);       /* vmmcall.c */
void svm_handle_svm_insn(struct vcpu *v);      /* vmmcall.c */
void svm_handle_db(struct vcpu *v);            /* debug.c */
void svm_handle_bp(struct vcpu *v);            /* debug.c */
void svm_handle_swint(struct vcpu *v);         /* debug.c */
void svm_handle_xsetbv(struct vcpu *v);        /* xsetbv.c */
void svm_handle_cr4_write(struct vcpu *v);     /* cr.c */
void svm_handle_cr0_sel_write(struct vcpu *v); /* cr.c */
void svm_handle_rdpmc(struct vcpu *v);         /* rdpmc.c */
void svm_handle_rdpru(struct vcpu *v);         /* rdpmc.c */
void svm_handle_ac(struct vcpu *v);            /* reflect.c */
void svm_reflect_exception(struct vcpu *v, uint8_t vector, bool has_err,
			   uint32_t err);       /* reflect.c */

#endif
