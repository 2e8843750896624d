/*
 * arch/x86/spec.h - speculation barriers yakvm itself issues (docs/
 * security.md, speculation): IBPB when a CPU switches between VMs, and a
 * random stack-protector canary. The RSB fill and the clearing of guest
 * registers after #VMEXIT are in arch/x86/svm/vmrun.S.
 */
#ifndef YAKVM_ARCH_X86_SPEC_H
#define YAKVM_ARCH_X86_SPEC_H

#include <stdbool.h>

struct pcpu;
struct vm;

/* Once, on the boot CPU, before anything else: the canary. */
void stack_canary_init(void);
/* Once, on the boot CPU: what the CPU offers; logs it and the canary's
 * source. */
void spec_init(void);
/* Before a vCPU of next runs on p. */
void spec_switch_vm(struct pcpu *p, struct vm *next);

extern bool spec_ibpb;

#endif
