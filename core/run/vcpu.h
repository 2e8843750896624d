/*
 * core/run/vcpu.h - a virtual CPU: the registers the world switch does not
 * save, its state, its events, its ASID, and the backend's own part (the
 * VMCB, opaque here: arch/x86/vendor.h is how common code reaches it).
 */
#ifndef YAKVM_CORE_VCPU_H
#define YAKVM_CORE_VCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86/regs.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/vendor.h"
struct vmcb;
#include "arch/x86/fpu.h"
#include "core/diag/stats.h"
#include "core/diag/trace.h"
#include "core/diag/exit_ring.h"

struct vm;
struct pcpu;
struct vlapic;
struct vmcb;                    /* the backend's (arch/x86/svm/vmcb.h) */

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
	/* The backend's: only arch/x86/svm/ looks inside. */
	struct vmcb *vmcb;          /* one page, 4 KiB aligned */
	uint64_t vmcb_pa;
	/* A second one: a reset builds the next VMCB here, then switches
	 * (vendor_vcpu_switch), so no vCPU can run a half-built one. */
	struct vmcb *vmcb_aside;
	uint64_t vmcb_aside_pa;
	/* The word in which the CPU keeps the guest's CR8 (TPR[7:4]) in bits
	 * 3:0, bits 7:4 zero: the backend points it at V_TPR in the VMCB
	 * (APM vol. 2, 15.21.4); devices/vlapic.c reads and writes the TPR
	 * through it, as fast as a field of its own. */
	uint64_t *cr8_word;
	struct gprs regs;           /* RAX and RSP mirrored from the VMCB */
	struct vm *vm;
	unsigned id;                /* index in the VM; also its APIC ID */
	volatile enum vcpu_state state;

	struct pcpu *home;          /* the CPU it runs on (core/run/sched.c) */
	volatile bool dropped;      /* off its CPU's run queue for good (destroy) */

	/* ASID bookkeeping (arch/x86/svm/asid.c). */
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
				     * exit again soon (arch/x86/svm/intr.c, TCG) */
	bool pic_turn;              /* the PIC's vector goes before the LAPIC's
				     * next time both wait (arch/x86/svm/intr.c) */
	bool nmi_masked;            /* an NMI handler is running */
	bool nmi_iret_seen;         /* ... and has reached its IRET at nmi_iret_rip */
	uint64_t nmi_iret_rip;

	uint64_t exits;
	bool halted_reported;
	/* One iteration of a REP string instruction done, RIP still on it:
	 * the guest's single-step trap is due (arch/x86/svm/single_step.c). */
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
/* The power-on state (APM vol. 2, 14.1.3) of everything in the vCPU: the
 * backend's (intercepts and registers; with `aside` in its spare VMCB, for
 * vendor_vcpu_switch()), the FPU, the MSRs kept here, NMI blocking. The one
 * sequence of creation, INIT and VM reset. */
void vcpu_reset(struct vcpu *v, bool aside);
/* The x86 power-on register state, which loaders start from. */
void vcpu_power_on_state(struct vcpu_boot_state *s);
/* Gives all of the vCPU's memory back; returns the bytes freed. */
uint64_t vcpu_free(struct vcpu *v);
/* With gdb= on the VM: the #DB, #BP and INTn intercepts, no debug state. */
void yakvm_vcpu_init_debug(struct vcpu *v);
/* Running it, event injection and instruction skip: arch/x86/vendor.h. */

/* The CPU model's emulated MSRs at their power-on values (svm/msr.c). */
void vcpu_msr_model_reset(struct vcpu *v);

#endif
