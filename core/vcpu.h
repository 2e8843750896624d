/*
 * core/vcpu.h - a virtual CPU: its VMCB, the registers VMRUN does not save,
 * its state, its pending event, and its ASID.
 */
#ifndef YAKVM_CORE_VCPU_H
#define YAKVM_CORE_VCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86/regs.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/fpu.h"
#include "core/stats.h"
#include "core/trace.h"
#include "core/exit_ring.h"

struct vm;
struct pcpu;
struct vlapic;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,        /* HLT: waits for an interrupt */
	VCPU_WAIT_SIPI,     /* an AP before its start-up IPI */
	VCPU_STOPPED,
};

/* What the gdb stub (core/gdbstub.c) keeps per vCPU. */
struct vcpu_debug {
	bool step;              /* single-stepping for gdb: RFLAGS.TF is yakvm's */
	bool guest_tf;          /* the guest's own TF, put back after the step */
	uint64_t step_rip;      /* where the step began */
	volatile bool dr_dirty; /* load gdb's DR0-DR3/DR7 before the next VMRUN */
	bool dr_owned;          /* gdb's are loaded; the guest's are saved here */
	uint64_t guest_dr[4], guest_dr7;
};

struct vcpu {
	struct vmcb *vmcb;          /* one page, 4 KiB aligned */
	uint64_t vmcb_pa;
	struct gprs regs;           /* RAX and RSP mirrored from the VMCB */
	struct vm *vm;
	unsigned id;                /* index in the VM; also its APIC ID */
	volatile enum vcpu_state state;

	struct pcpu *home;          /* the CPU it runs on (core/sched.c) */

	/* ASID bookkeeping (core/asid.c). */
	struct pcpu *last_pcpu;
	uint32_t asid_generation;
	/* The VM's nested-page-table generation its ASID's translations are
	 * from, and whether it is in the guest now (core/npt_shootdown.c). */
	uint32_t npt_gen;
	volatile bool in_guest;

	/* MSRs kept per vCPU that the VMCB does not hold. */
	uint64_t apic_base, mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
	uint64_t misc_enable;

	struct vlapic *lapic;       /* devices/lapic.c */
	uint64_t lapic_page;        /* where its LAPIC answers (core/lapic_window.c) */
	struct fpu_state fpu;
	volatile bool fpu_reinit;   /* reset: power-on FPU state before it runs */
	volatile bool events_pending; /* look for events before VMRUN */
	bool poll_window;           /* an event waits for the guest's IF or TPR:
				     * exit again soon (core/intr.c, TCG) */
	bool pic_turn;              /* the PIC's vector goes before the LAPIC's
				     * next time both wait (core/intr.c) */
	bool nmi_masked;            /* an NMI handler is running */
	bool nmi_iret_seen;         /* ... and has reached its IRET at nmi_iret_rip */
	uint64_t nmi_iret_rip;

	uint64_t exits;
	bool halted_reported;
	/* One iteration of a REP string instruction done, RIP still on it:
	 * the guest's single-step trap is due (core/single_step.c). */
	bool step_in_place;

	/* The last guest-physical code page the exit path read instructions
	 * from, and where it is in host memory: a VM's RAM never moves, so
	 * this cannot go stale (arch/x86/insn/fetch.c). */
	uint64_t code_page_gpa;
	const uint8_t *code_page_hva;

	struct vcpu_stats stats;        /* core/stats.h */
	struct exit_ring ring;          /* core/exit_ring.h */
	struct trace_mmio trace_mmio;   /* core/trace.h, with trace=1 */
	struct vcpu_debug dbg;          /* core/gdbstub.c, with gdb= */
};

/* Allocates and initializes vCPU `id` of the VM (wait-for-SIPI unless 0). */
struct vcpu *yakvm_create_vcpu(struct vm *vm, unsigned id);
/* Puts the VMCB in its power-on state for this VM (15.5-15.6 rules). */
void yakvm_vcpu_init_vmcb(struct vcpu *v);
/* With gdb= on the VM: the #DB, #BP and INTn intercepts, no debug state. */
void yakvm_vcpu_init_debug(struct vcpu *v);
/* Runs the vCPU on this CPU until it blocks, stops or must yield. */
void yakvm_vcpu_run(struct vcpu *v);

/* Event injection (APM vol. 2, 15.20). */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err);
static inline void vcpu_inject_ud(struct vcpu *v) { vcpu_inject_exception(v, 6, false, 0); }
static inline void vcpu_inject_gp(struct vcpu *v) { vcpu_inject_exception(v, 13, true, 0); }
void vcpu_inject_pf(struct vcpu *v, uint64_t cr2, uint32_t err);

/* Moves RIP past the intercepted instruction: VMCB.next_rip where the CPU
 * provides it (nRIP-save), otherwise the decoder's length. False if the
 * instruction could not be read (the VM has been stopped or a #PF queued). */
bool vcpu_skip_instruction(struct vcpu *v);

#endif
