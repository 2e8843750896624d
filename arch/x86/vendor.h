/*
 * arch/x86/vendor.h - the seam between common code and the virtualization
 * backend: one backend (AMD SVM, arch/x86/svm/) is linked in, called
 * directly, no function pointers (as Jailhouse's vcpu_vendor_*).
 *
 * The backend owns the world switch and the hot exit path: the run loop
 * (yakvm_vcpu_run), exit dispatch and handlers, event injection, interrupt
 * windows, ASIDs, and the VMCB itself. Common code (core/, devices/) never
 * sees the VMCB: it asks through the accessors below, in neutral types.
 */
#ifndef YAKVM_ARCH_X86_VENDOR_H
#define YAKVM_ARCH_X86_VENDOR_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "arch/x86/seg.h"

struct vcpu;
struct vm;
struct pcpu;

/* The registers a boot protocol defines: the x86 power-on state (APM
 * vol. 2, 14.1.3, vcpu_power_on_state()), which a loader then changes to
 * its entry state (core/vm/vm.c). EFER as the guest sees it. */
struct vcpu_boot_state {
	struct x86_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint64_t rip, rflags, cr0, cr3, cr4, efer, dr6, dr7, pat;
};

/* ---- the host CPU (arch/x86/svm/svm.c) ----------------------------------- */

/* Everything the backend needs on CPU p (SVM: the host-save area, EFER.SVME,
 * the host state VMRUN does not restore). On failure why[] says why. */
bool vendor_cpu_init(struct pcpu *p, char *why, size_t whylen);
/* One log line: what the backend found on the boot CPU. */
void vendor_log_features(void);
/* QEMU's TCG: CPU 0 is unsafe for vCPUs beside other CPUs (core/run/sched.c). */
bool vendor_cpu0_racy(void);

/* ---- life cycle ---------------------------------------------------------- */

/* The VM's intercept bitmaps for port I/O and MSRs (all intercepted, but
 * the CPU model's pass-through MSRs). False if out of memory; what was
 * allocated is freed by vendor_vm_free(). */
bool vendor_vm_alloc(struct vm *vm);
/* Frees them; returns the bytes freed. */
uint64_t vendor_vm_free(struct vm *vm);
/* The vCPU's own pages (its VMCB and a spare). False if out of memory. */
bool vendor_vcpu_alloc(struct vcpu *v);
/* Frees them; returns the bytes freed. */
uint64_t vendor_vcpu_free(struct vcpu *v);
/* The intercepts and state `s`, in the vCPU's VMCB, or with `aside` in its
 * spare one, which vendor_vcpu_switch() makes current (a VM reset builds
 * every vCPU aside, so no vCPU can run a half-built one). A fresh ASID. */
void vendor_vcpu_reset(struct vcpu *v, bool aside, const struct vcpu_boot_state *s);
/* Only the registers of `s` (a loader's entry state). */
void vendor_set_boot_state(struct vcpu *v, bool aside, const struct vcpu_boot_state *s);
void vendor_vcpu_switch(struct vcpu *v);
/* Whether VMRUN would accept the vCPU's state (why[] says why not). */
bool vendor_check_state(struct vcpu *v, char *why, size_t whylen);
/* With gdb=: the #BP and INTn intercepts. */
void vendor_debug_intercepts(struct vcpu *v);
/* A fresh ASID on CPU p before the next VMRUN (nested TLB shootdown). */
void vendor_fresh_asid(struct vcpu *v, struct pcpu *p);

/* ---- running (arch/x86/svm/run.c, intr.c, skip.c) ----------------------- */

/* Runs the vCPU on this CPU until it blocks, stops or must yield. */
void yakvm_vcpu_run(struct vcpu *v);
/* Whether a halted vCPU has an event to take now (NMI, or IF=1 and an
 * interrupt). */
bool vcpu_has_wakeup(struct vcpu *v);
/* Event injection (APM vol. 2, 15.20). */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err);
static inline void vcpu_inject_ud(struct vcpu *v) { vcpu_inject_exception(v, 6, false, 0); }
static inline void vcpu_inject_gp(struct vcpu *v) { vcpu_inject_exception(v, 13, true, 0); }
void vcpu_inject_pf(struct vcpu *v, uint64_t cr2, uint32_t err);
/* Moves RIP past the intercepted instruction: VMCB.next_rip where the CPU
 * provides it (nRIP-save), otherwise the decoder's length. False if the
 * instruction could not be read (the VM has been stopped or a #PF queued). */
bool vcpu_skip_instruction(struct vcpu *v);

/* ---- the guest's registers (arch/x86/svm/vmcb_access.c) ----------------- */

uint64_t vendor_rip(const struct vcpu *v);
void vendor_set_rip(struct vcpu *v, uint64_t rip);
uint64_t vendor_rflags(const struct vcpu *v);
void vendor_set_rflags(struct vcpu *v, uint64_t rflags);
unsigned vendor_cpl(const struct vcpu *v);
/* Segment register `seg` (enum seg, arch/x86/regs.h). */
void vendor_get_seg(const struct vcpu *v, unsigned seg, struct x86_seg *out);
void vendor_set_seg(struct vcpu *v, unsigned seg, const struct x86_seg *s);
uint64_t vendor_cr0(const struct vcpu *v);
uint64_t vendor_cr3(const struct vcpu *v);
uint64_t vendor_cr4(const struct vcpu *v);
/* EFER as the guest sees it. */
uint64_t vendor_efer(const struct vcpu *v);
uint64_t vendor_dr7(const struct vcpu *v);
void vendor_set_dr7(struct vcpu *v, uint64_t dr7);
/* v->regs changed outside an exit (gdb): RAX and RSP go to the backend. */
void vendor_regs_written(struct vcpu *v);
/* Guest TSC = host TSC + this. */
uint64_t vendor_tsc_offset(const struct vcpu *v);
/* The TPR is no call: vcpu.cr8_word points at the backend's copy
 * (core/run/vcpu.h), as the LAPIC model reads it on every interrupt. */

/* ---- diagnostics (arch/x86/svm/vmcb_dump.c) ----------------------------- */

/* The monitor's `info vm`: the ASID, and lines of control registers, CS,
 * the last exit and the event state. */
unsigned vendor_asid(const struct vcpu *v);
void vendor_print_state(const struct vcpu *v);

#endif
