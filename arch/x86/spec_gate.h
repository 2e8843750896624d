/*
 * arch/x86/spec_gate.h - when yakvm uses which speculation and randomness
 * feature of the host CPU: pure decisions from CPUID values, unit-tested
 * (tests/unit/test_spec_gate.c) since no emulator here offers all of them.
 */
#ifndef YAKVM_ARCH_X86_SPEC_GATE_H
#define YAKVM_ARCH_X86_SPEC_GATE_H

#include <stdbool.h>
#include <stdint.h>

/* IBPB (a write of 1 to PRED_CMD, MSR 0x49) is offered when CPUID
 * 0x80000008 exists and its EBX bit 12 is set (APM vol. 3, E.4.17). */
bool ibpb_offered(uint32_t max_ext_leaf, uint32_t ext8_ebx);
/* An indirect branch prediction barrier is due when a CPU goes from one
 * VM's vCPU to another VM's: what one VM trained must not steer the
 * next's (or yakvm's on its behalf). Not for the first VM on a CPU, nor
 * between vCPUs of one VM. */
bool ibpb_needed(const void *last_vm, const void *next_vm, bool offered);

/* Where the stack-protector canary comes from: RDSEED (CPUID 7.0 EBX bit
 * 18), else RDRAND (CPUID 1 ECX bit 30), else the TSC, mixed. */
enum canary_source { CANARY_RDSEED, CANARY_RDRAND, CANARY_TSC };
enum canary_source canary_source(uint32_t cpuid1_ecx, uint32_t max_leaf,
				 uint32_t cpuid7_ebx);
const char *canary_source_name(enum canary_source s);
/* A 64-bit mix (splitmix64's finalizer) with the low byte cleared: a
 * string copy that runs over a buffer stops at the NUL before it can
 * write the canary's other bytes (as glibc does). */
uint64_t canary_mix(uint64_t x);

#endif
