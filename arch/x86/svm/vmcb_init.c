/*
 * arch/x86/svm/vmcb_init.c - a vCPU's VMCBs: allocated with it, built by
 * yakvm_vcpu_init_vmcb() with the intercepts and a boot state, and
 * switched with the spare one after a VM reset.
 */
#include "arch/x86/vendor.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/vmcb_check.h"
#include "arch/x86/cpu.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "mm/pmm.h"
#include "lib/string.h"

/* V_INTR (offset 0x060), whose bits 7:0 are V_TPR: vcpu.cr8_word. */
static uint64_t *v_intr_word(struct vmcb *vmcb)
{
	_Static_assert(offsetof(struct vmcb, control.v_intr) % 8 == 0, "V_INTR aligned");
	return (uint64_t *)((uint8_t *)vmcb + offsetof(struct vmcb, control.v_intr));
}

bool vendor_vcpu_alloc(struct vcpu *v)
{
	uint64_t pa = pmm_alloc_page();
	uint64_t aside_pa = pmm_alloc_page();
	if (!pa || !aside_pa) {
		if (pa)
			pmm_free_pages(pa, 1);
		if (aside_pa)
			pmm_free_pages(aside_pa, 1);
		return false;
	}
	v->vmcb = phys_to_virt(pa);
	v->vmcb_pa = pa;
	v->vmcb_aside = phys_to_virt(aside_pa);
	v->vmcb_aside_pa = aside_pa;
	v->cr8_word = v_intr_word(v->vmcb);
	return true;
}

uint64_t vendor_vcpu_free(struct vcpu *v)
{
	pmm_free_pages(v->vmcb_pa, 1);
	pmm_free_pages(v->vmcb_aside_pa, 1);
	return 2 * PAGE_SIZE;
}

/* With gdb=: #BP (15.12; #DB is always intercepted), and INTn: QEMU's TCG
 * reports an INT3 as an INTn intercept, not as #BP (arch/x86/svm/debug.c). */
static void debug_intercepts(struct vmcb *vmcb)
{
	vmcb->control.intercept_exceptions |= 1u << 3;
	vmcb->control.intercept_misc1 |= INTERCEPT_SWINT;
}

void vendor_debug_intercepts(struct vcpu *v)
{
	debug_intercepts(v->vmcb);
}

static struct vmcb_seg seg_of(const struct x86_seg *s)
{
	return (struct vmcb_seg){ s->selector, s->attrib, s->limit, s->base };
}

/* The registers of `b`. EFER.SVME must be set in the guest's EFER or VMRUN
 * fails (15.5.1); the guest reads it as 0 (arch/x86/svm/msr.c). */
static void set_state(struct vmcb_save *s, const struct vcpu_boot_state *b)
{
	s->es = seg_of(&b->es);
	s->cs = seg_of(&b->cs);
	s->ss = seg_of(&b->ss);
	s->ds = seg_of(&b->ds);
	s->fs = seg_of(&b->fs);
	s->gs = seg_of(&b->gs);
	s->gdtr = seg_of(&b->gdtr);
	s->ldtr = seg_of(&b->ldtr);
	s->idtr = seg_of(&b->idtr);
	s->tr = seg_of(&b->tr);
	s->rip = b->rip;
	s->rflags = b->rflags;
	s->cr0 = b->cr0;
	s->cr3 = b->cr3;
	s->cr4 = b->cr4;
	s->efer = b->efer | EFER_SVME;
	s->dr6 = b->dr6;
	s->dr7 = b->dr7;
	s->g_pat = b->pat;
}

void yakvm_vcpu_init_vmcb(struct vcpu *v, struct vmcb *vmcb, const struct vcpu_boot_state *b)
{
	struct vmcb_control *c = &vmcb->control;
	memset(vmcb, 0, sizeof(*vmcb));

	/* What the guest may not do on its own (15.9-15.14). VMRUN must be
	 * intercepted, or VMRUN fails its consistency checks (15.5.1). */
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			     INTERCEPT_INVD | INTERCEPT_INVLPGA |
			     INTERCEPT_IOIO_PROT | INTERCEPT_MSR_PROT |
			     INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
			     INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			     INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
			     INTERCEPT_MONITOR | INTERCEPT_MWAIT |
			     INTERCEPT_MWAIT_ARMED | INTERCEPT_XSETBV |
			     INTERCEPT_WBINVD;
	/* The CPU model (arch/x86/cpu_model.c): CR4 and CR0 writes are checked
	 * against it (arch/x86/svm/cr.c); RDPMC reads its counters, RDPRU is
	 * not in it (arch/x86/svm/rdpmc.c). RDPRU's intercept bit is set only
	 * where the CPU has RDPRU; elsewhere the instruction is #UD anyway. */
	c->intercept_cr = INTERCEPT_CR_WRITE(4);
	c->intercept_misc1 |= INTERCEPT_CR0_SEL | INTERCEPT_RDPMC;
	if (cpuid(0x80000000, 0).eax >= 0x80000008 && (cpuid(0x80000008, 0).ebx & (1u << 4)))
		c->intercept_misc2 |= INTERCEPT_RDPRU;
	/* A machine check belongs to the host even when it strikes the guest.
	 * #AC and #DB are reflected (arch/x86/svm/reflect.c): intercepted so
	 * that one recurring during its own delivery cannot hold the CPU for
	 * ever (CVE-2015-5307, CVE-2015-8104). WBINVD/WBNOINVD are skipped. */
	c->intercept_exceptions = (1u << 18) | (1u << 17) | (1u << 1);	/* #MC #AC #DB */
	c->iopm_base_pa = v->vm->iopm_pa;
	c->msrpm_base_pa = v->vm->msrpm_pa;
	/* The guest's IF masks only virtual interrupts; physical ones always
	 * exit to yakvm through the INTR intercept (15.21.1), and physical NMIs
	 * through the NMI intercept, or they would go to the guest's IDT. */
	c->v_intr = V_INTR_MASKING;
	c->np_enable = NP_ENABLE;
	c->n_cr3 = v->vm->npt_root_pa;
	c->guest_asid = 1;	/* replaced by arch/x86/svm/asid.c before each run */

	set_state(&vmcb->save, b);
	if (v->vm->gdb)
		debug_intercepts(vmcb);
}

void vendor_vcpu_reset(struct vcpu *v, bool aside, const struct vcpu_boot_state *s)
{
	yakvm_vcpu_init_vmcb(v, aside ? v->vmcb_aside : v->vmcb, s);
	v->last_pcpu = NULL;	/* a fresh ASID: no stale translations */
}

void vendor_set_boot_state(struct vcpu *v, bool aside, const struct vcpu_boot_state *s)
{
	set_state(&(aside ? v->vmcb_aside : v->vmcb)->save, s);
}

void vendor_vcpu_switch(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	uint64_t pa = v->vmcb_pa;
	v->vmcb_pa = v->vmcb_aside_pa;
	__atomic_store_n(&v->vmcb, v->vmcb_aside, __ATOMIC_RELEASE);
	__atomic_store_n(&v->cr8_word, v_intr_word(v->vmcb), __ATOMIC_RELEASE);
	v->vmcb_aside = vmcb;
	v->vmcb_aside_pa = pa;
}

bool vendor_check_state(struct vcpu *v, char *why, size_t whylen)
{
	return vmcb_check_guest_state(v->vmcb, why, whylen);
}
