/*
 * core/run/lapic_window.h - where each vCPU's local APIC answers: the 4 KiB page
 * at its APIC_BASE (MSR 0x1b), moved by the guest (APM vol. 2, 16.3.1).
 *
 * The LAPIC is per vCPU but the nested page tables are per VM, so a page
 * that any vCPU's LAPIC covers is left not-present for the whole VM; each
 * #NPF there is routed per vCPU (arch/x86/svm/npf.c, core/run/mmio.c):
 * - the vCPU whose LAPIC is at that page gets its LAPIC (it wins over RAM
 *   and over another device's page, as the LAPIC claims its page first on
 *   hardware);
 * - another vCPU gets what is really there: RAM (its instruction emulated
 *   against RAM), another device, or for the default page 0xfee00000 with no
 *   LAPIC of its own there, nothing: reads all ones, writes ignored, as an
 *   unclaimed bus address. An instruction fetch or a guest page table in a
 *   RAM page another vCPU's LAPIC covers cannot be emulated: the VM stops.
 * A RAM page gets its mapping back once no LAPIC covers it.
 */
#ifndef YAKVM_CORE_LAPIC_WINDOW_H
#define YAKVM_CORE_LAPIC_WINDOW_H

#include <stdbool.h>
#include <stdint.h>
#include "core/run/vcpu.h"

struct vm;

#define LAPIC_NO_PAGE (~0ull)   /* vcpu.lapic_page of a globally disabled LAPIC */

/* WRMSR APIC_BASE: false (#GP) for reserved bits; otherwise moves, enables
 * or disables v's LAPIC (see lapic_window.c for the rules). */
bool vcpu_set_apic_base(struct vcpu *v, uint64_t val);
/* Puts v's LAPIC page where v->apic_base says (after a VM reset). False if
 * the nested page tables could not be changed (out of memory). */
bool lapic_window_sync(struct vcpu *v);
/* True if gpa is in v's own LAPIC page. */
static inline bool lapic_window_claims(const struct vcpu *v, uint64_t gpa)
{
	uint64_t page = __atomic_load_n(&v->lapic_page, __ATOMIC_ACQUIRE);
	return page != LAPIC_NO_PAGE && (gpa & ~0xfffull) == page;
}
/* True if the page of gpa is guest RAM (mapped or not right now). */
bool lapic_window_is_ram(struct vm *vm, uint64_t gpa);

#endif
