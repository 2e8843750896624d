/*
 * core/run/npt_shootdown.h - after a change to a VM's nested page tables at run
 * time, no vCPU of that VM may go on using a translation from before it.
 *
 * A vCPU's TLB entries are tagged with its ASID (APM vol. 2, 15.16); the
 * combined guest-virtual to host-physical entries include the nested
 * translation (15.25.9), so they must go. Each change bumps the VM's
 * npt_gen; before each VMRUN a vCPU compares it with the generation its
 * ASID was taken in and, if it is older, takes a fresh ASID (core/run/asid.c),
 * which no TLB entry carries: a flush without TLB_CONTROL, which also works
 * where flush-by-ASID is missing. A vCPU in the guest on another CPU right
 * now is made to exit by an IPI, and the change waits until it has.
 */
#ifndef YAKVM_CORE_NPT_SHOOTDOWN_H
#define YAKVM_CORE_NPT_SHOOTDOWN_H

struct vm;
struct vcpu;
struct pcpu;

/* Called after changing vm->npt (no lock held). Returns once no vCPU of the
 * VM is still in the guest with the old translations. */
void npt_shootdown(struct vm *vm);

/* The vCPU loop, with interrupts off, right before VMRUN: marks v in the
 * guest and takes a fresh ASID if the VM's tables changed since. */
void npt_enter_guest(struct vcpu *v, struct pcpu *p);
void npt_leave_guest(struct vcpu *v);

#endif
