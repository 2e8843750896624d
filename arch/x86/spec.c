/* arch/x86/spec.c - see spec.h; the decisions are in spec_gate.c. */
#include "arch/x86/spec.h"
#include "arch/x86/spec_gate.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "lib/log.h"

#define MSR_PRED_CMD 0x49
#define PRED_CMD_IBPB 1

bool spec_ibpb;
static enum canary_source canary_from;

extern uintptr_t __stack_chk_guard;	/* lib/log.c */

/* RDRAND and RDSEED may fail (CF=0) when their entropy is drained:
 * retried a few times, as Intel and AMD advise, then the TSC. */
static bool hw_random(enum canary_source s, uint64_t *out)
{
	for (int i = 0; i < 32; i++) {
		uint64_t v;
		bool ok;
		if (s == CANARY_RDSEED)
			__asm__ volatile("rdseed %0" : "=r"(v), "=@ccc"(ok));
		else
			__asm__ volatile("rdrand %0" : "=r"(v), "=@ccc"(ok));
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Runs with the constant canary of the image; the frames below it
 * (yakvm_main, the entry code) never return, so none compares the old
 * value with the new one. */
__attribute__((no_stack_protector)) void stack_canary_init(void)
{
	struct cpuid_regs r0 = cpuid(0, 0), r1 = cpuid(1, 0);
	uint32_t ebx7 = r0.eax >= 7 ? cpuid(7, 0).ebx : 0;
	canary_from = canary_source(r1.ecx, r0.eax, ebx7);
	uint64_t seed = 0;
	if (canary_from != CANARY_TSC && !hw_random(canary_from, &seed))
		canary_from = CANARY_TSC;
	if (canary_from == CANARY_TSC)	/* the boot's TSC and the image's guard */
		seed = rdtsc() ^ __stack_chk_guard;
	__stack_chk_guard = canary_mix(seed);
}

void spec_init(void)
{
	uint32_t max_ext = cpuid(0x80000000, 0).eax;
	uint32_t ebx8 = max_ext >= 0x80000008 ? cpuid(0x80000008, 0).ebx : 0;
	spec_ibpb = ibpb_offered(max_ext, ebx8);
	log_info("speculation: stack-protector canary from %s; IBPB between VMs %s; "
		 "return stack refilled and guest registers cleared after each #VMEXIT",
		 canary_source_name(canary_from),
		 spec_ibpb ? "on" : "not offered by this CPU");
}

void spec_switch_vm(struct pcpu *p, struct vm *next)
{
	if (ibpb_needed(p->last_vm, next, spec_ibpb))
		wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB);
	p->last_vm = next;
}
