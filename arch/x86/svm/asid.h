/*
 * arch/x86/svm/asid.h - Address Space IDs (APM vol. 2, 15.16). Each vCPU runs with
 * an ASID of the physical CPU it runs on, so its TLB entries are tagged and
 * survive world switches. ASIDs are handed out per CPU in generations: when
 * a CPU runs out, it starts a new generation and flushes its whole TLB once,
 * so no two vCPUs ever share live TLB entries.
 */
#ifndef YAKVM_CORE_ASID_H
#define YAKVM_CORE_ASID_H

struct vcpu;
struct pcpu;

void asid_assign(struct vcpu *v, struct pcpu *p);

#endif
