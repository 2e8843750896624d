/*
 * core/run/vcpu.h - a virtual CPU: its VMCB, the registers VMRUN does not save,
 * its state, its pending event, and its ASID.
 */
#ifndef YAKVM_CORE_VCPU_H
#define YAKVM_CORE_VCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86/regs.h"
#include "arch/x86/cpu_model.h"
struct vmcb;
#include "arch/x86/fpu.h"
#include "core/diag/stats.h"
#include "core/diag/trace.h"
#include "core/diag/exit_ring.h"

struct vm;
struct pcpu;
struct vlapic;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,        /* HLT: waits for an interrupt */
	VCPU_WAIT_SIPI,     /* an AP before its start-up IPI */
	VCPU_STOPPED,
};

/* What the gdb stub (core/gdb/gdbstub.c) keeps per vCPU. */
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
	/* A second one: a reset builds the next VMCB here, then switches
	 * (core/vm/vm_reset.c), so no vCPU can run a half-built one. */
	struct vmcb *vmcb_aside;
	uint64_t vmcb_aside_pa;
	struct gprs regs;           /* RAX and RSP mirrored from the VMCB */
	struct vm *vm;
	unsigned id;                /* index in the VM; also its APIC ID */
	volatile enum vcpu_state state;

	struct pcpu *home;          /* the CPU it runs on (core/run/sched.c) */
	volatile bool dropped;      /* off its CPU's run queue for good (destroy) */

	/* ASID bookkeeping (core/run/asid.c). */
	struct pcpu *last_pcpu;
	uint32_t asid_generation;
	/* The VM's nested-page-table generation its ASID's translations are
	 * from, and whether it is in the guest now (core/run/npt_shootdown.c). */
	uint32_t npt_gen;
	volatile bool in_guest;

	/* MSRs kept per vCPU that the VMCB does not hold. */
	uint64_t apic_base, mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
	/* The CPU model's emulated MSRs (arch/x86/cpu_model.c): machine-check
	 * banks (CTL, STATUS, ADDR, MISC each) and HWCR. */
	uint64_t mcg_status, mcg_ctl, mc_bank[CPU_MODEL_MCA_BANKS][4], hwcr;

	struct vlapic *lapic;       /* devices/vlapic.c */
	uint64_t lapic_page;        /* where its LAPIC answers (core/run/lapic_window.c) */
	struct fpu_state fpu;
	volatile bool fpu_reinit;   /* reset: power-on FPU state before it runs */
	volatile bool events_pending; /* look for events before VMRUN */
	volatile bool kick_ipi_sent;  /* since its loop last looked (core/run/irq.c) */
	uint64_t kick_ipis;         /* IPIs sent to make it look (stats) */
	bool poll_window;           /* an event waits for the guest's IF or TPR:
				     * exit again soon (core/run/intr.c, TCG) */
	bool pic_turn;              /* the PIC's vector goes before the LAPIC's
				     * next time both wait (core/run/intr.c) */
	bool nmi_masked;            /* an NMI handler is running */
	bool nmi_iret_seen;         /* ... and has reached its IRET at nmi_iret_rip */
	uint64_t nmi_iret_rip;

	uint64_t exits;
	bool halted_reported;
	/* One iteration of a REP string instruction done, RIP still on it:
	 * the guest's single-step trap is due (core/run/single_step.c). */
	bool step_in_place;

	/* The last guest-physical code page the exit path read instructions
	 * from, and where it is in host memory: a VM's RAM never moves, so
	 * this cannot go stale (arch/x86/insn/fetch.c). */
	uint64_t code_page_gpa;
	const uint8_t *code_page_hva;

	struct vcpu_stats stats;        /* core/diag/stats.h */
	struct exit_ring ring;          /* core/diag/exit_ring.h */
	struct trace_mmio trace_mmio;   /* core/diag/trace.h, with trace=1 */
	struct vcpu_debug dbg;          /* core/gdb/gdbstub.c, with gdb= */
};

/* Allocates and initializes vCPU `id` of the VM (wait-for-SIPI unless 0). */
struct vcpu *yakvm_create_vcpu(struct vm *vm, unsigned id);
/* The pages of a struct vcpu. */
#define VCPU_PAGES (1 + sizeof(struct vcpu) / PAGE_SIZE)
/* Puts the VMCB in its power-on state for this VM (15.5-15.6 rules), and
 * the vCPU's registers, FPU and MSRs outside it too. */
void yakvm_vcpu_init_vmcb(struct vcpu *v);
/* The power-on VMCB for this vCPU, built in `vmcb` (its own or aside). */
void vcpu_build_vmcb(struct vcpu *v, struct vmcb *vmcb);
/* The power-on state of what is not in the VMCB: registers, FPU, MSRs. */
void vcpu_power_on(struct vcpu *v);
/* The VMCB built aside becomes the one it runs; the old one goes aside. */
void vcpu_switch_vmcb(struct vcpu *v);
/* Gives all of the vCPU's memory back; returns the bytes freed. */
uint64_t vcpu_free(struct vcpu *v);
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
/* The CPU model's emulated MSRs at their power-on values (svm/msr.c). */
void vcpu_msr_model_reset(struct vcpu *v);

#endif
