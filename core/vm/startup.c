/*
 * core/vm/startup.c - INIT and STARTUP IPIs to a vCPU, as a real CPU takes them
 * (APM vol. 2, 16.5 "Interprocessor Interrupts" and 14.1 on INIT; the SIPI
 * start state is the MP specification's): INIT puts an application processor
 * into wait-for-SIPI with its power-on state; a SIPI with vector V then
 * starts it in real mode at V000:0000, i.e. CS = V << 8, IP = 0.
 * An INIT to the boot vCPU resets the whole VM: there is no firmware in a
 * yakvm VM to run from the reset vector.
 */
#include "core/vm/startup.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "devices/vlapic.h"

/* Real mode at vector << 8 : 0. Not inlined: the exit path calls
 * vcpu_check_startup() for every event, and a local whose address is taken
 * would give it a stack-protector check. */
static __attribute__((noinline)) void start_at(struct vcpu *v, int vector)
{
	struct x86_seg cs;
	vendor_get_seg(v, SEG_CS, &cs);
	cs.selector = (uint16_t)(vector << 8);
	cs.base = (uint64_t)vector << 12;
	vendor_set_seg(v, SEG_CS, &cs);
	vendor_set_rip(v, 0);
}

bool vcpu_check_startup(struct vcpu *v)
{
	bool changed = false;
	if (vlapic_take_init(v->lapic)) {
		if (v->id == 0) {
			log_info("vm %s: INIT to the boot vCPU: resetting the VM", v->vm->name);
			vm_request_reset(v->vm);
			return true;
		}
		uint64_t apic_base = v->apic_base;
		vcpu_reset(v, false);	/* with a fresh ASID */
		v->apic_base = apic_base;	/* INIT keeps APIC_BASE (core/run/lapic_window.c) */
		v->state = VCPU_WAIT_SIPI;
		changed = true;
	}
	if (v->state == VCPU_WAIT_SIPI) {
		int vector = vlapic_take_sipi(v->lapic);
		if (vector >= 0) {
			start_at(v, vector);
			v->state = VCPU_RUNNABLE;
			changed = true;
		}
	}
	return changed;
}
