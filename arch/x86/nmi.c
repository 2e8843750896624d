/*
 * arch/x86/nmi.c - host NMIs (see nmi.h). An NMI can arrive while this CPU
 * holds the console lock, so the handler only counts; nmi_report() prints.
 * While a guest runs, the NMI intercept (arch/x86/svm/run.c) turns the NMI into a
 * #VMEXIT; GIF=0 holds it pending until yakvm's STGI, and then it is taken
 * through yakvm's own IDT (APM vol. 2, 15.13.2 and 15.17). It never reaches
 * the guest's IDT.
 */
#include "arch/x86/nmi.h"
#include "arch/x86/acpi.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/pcpu.h"
#include "lib/log.h"

static void nmi_count(struct intr_frame *f)
{
	struct pcpu *p = this_cpu();
	p->nmi_count++;		/* NMIs do not nest: no atomics needed */
	p->nmi_last_rip = f->rip;
}

void nmi_cpu_init(uint8_t pin)
{
	irq_register(VEC_NMI, nmi_count);
	if (pin != ACPI_NO_NMI_LINT)
		lapic_set_lint_nmi(pin);
}

void nmi_report(void)
{
	struct pcpu *p = this_cpu();
	uint64_t n = __atomic_load_n(&p->nmi_count, __ATOMIC_RELAXED);
	if (n == p->nmi_reported)
		return;
	log_warn("NMI on CPU %u (%lu so far, last at rip=%lx); yakvm and its guests go on",
		 p->id, n, p->nmi_last_rip);
	p->nmi_reported = n;
}
