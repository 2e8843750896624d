/*
 * arch/x86/svm/cache.c - the cache-flushing instructions a guest must not
 * run on the host's caches: INVD, WBINVD and WBNOINVD (APM vol. 2, 15.9).
 */
#include "arch/x86/svm/exit.h"
#include "core/run/vcpu.h"

/* INVD would drop dirty cache lines, possibly yakvm's: treat it as WBINVD,
 * which the hardware keeps coherent anyway, so just skip it. */
void svm_handle_invd(struct vcpu *v) { vcpu_skip_instruction(v); }

/* WBINVD and WBNOINVD (one intercept bit, one exit code, APM vol. 2,
 * table B-1): a guest looping on them would flush the caches shared with
 * other VMs' CPUs. Guest memory is write-back and coherent (DMA is not
 * passed through), so there is nothing to write back for it: skip. A CPL
 * above 0 got #GP before the intercept (15.9). */
void svm_handle_wbinvd(struct vcpu *v) { vcpu_skip_instruction(v); }
