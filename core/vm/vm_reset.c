/*
 * core/vm/vm_reset.c - a VM back to its boot state, as a state machine under
 * the VM's lock. vm_reset() claims a requested reset for one CPU (never while
 * the VM is being stopped or destroyed); from then on no vCPU of the VM runs,
 * and that CPU's scheduler calls vm_reset_steps() between the time slices of
 * its other vCPUs, so a VM that resets itself in a loop cannot monopolise a
 * CPU, however large its RAM:
 *
 *   RESET_WAIT     until none of the VM's vCPUs is on a CPU (they were
 *                  kicked and leave at their next exit). No deadline: after
 *                  a second it says once which vCPU it waits for.
 *   RESET_CLEAR    its RAM, a slice at a time.
 *   RESET_REBUILD  devices and LAPICs reset, each vCPU's power-on state
 *                  built aside (vcpu_reset), the image loaded, then the switch.
 *
 * A stop or destroy meanwhile (vm->ending) abandons it at the next step.
 */
#include "core/vm/vm.h"
#include "core/run/vcpu.h"
#include "lib/log.h"
#include "core/run/lapic_window.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "devices/bus.h"
#include "devices/vlapic.h"
#include "devices/irq.h"
#include "arch/x86/tsc.h"
#include "core/run/timer.h"
#include "mm/pmm.h"
#include "lib/string.h"

enum { RESET_WAIT, RESET_CLEAR, RESET_REBUILD };

/* How long one step may clear RAM before the CPU goes back to its other
 * vCPUs: a fraction of their 5 ms slice (core/run/sched.h). */
#define CLEAR_SLICE_NS 1000000ull

void vm_request_reset(struct vm *vm)
{
	vm->reset_requested = true;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

void vm_reset(struct vm *vm)
{
	uint64_t f = spin_lock(&vm->lock);
	bool go = vm->reset_requested && vm->state == VM_RUNNING && !vm->ending &&
		  !vm->resetting;
	if (go) {
		vm->reset_requested = false;
		vm->reset_cpu = this_cpu();
		vm->reset_phase = RESET_WAIT;
		vm->reset_chunk = 0;
		vm->wait_since_us = time_us();
		vm->wait_logged = false;
		__atomic_store_n(&vm->resetting, true, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&vm->lock, f);
	if (!go)
		return;
	if (vm->resets < 10)	/* the end is logged too: rebuild() */
		log_info("vm %s: reset %u begins", vm->name, vm->resets + 1);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);	/* out of the guest, wherever */
}

static void finish(struct vm *vm)
{
	__atomic_store_n(&vm->resetting, false, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

static bool vcpus_gone(struct vm *vm)
{
	unsigned cpu;
	struct vcpu *v = vm_vcpu_on_cpu(vm, &cpu);
	if (!v)
		return true;
	if (!vm->wait_logged && time_us() - vm->wait_since_us > 1000000) {
		vm->wait_logged = true;
		log_warn("vm %s: its reset waits for vCPU %u to leave CPU %u", vm->name,
			 v->id, cpu);
	}
	return false;
}

static bool clear_some(struct vm *vm)
{
	uint64_t end = time_ns() + CLEAR_SLICE_NS;
	do {
		struct ram_chunk *c = &vm->ram.chunks[vm->reset_chunk++];
		memset(phys_to_virt(c->hpa), 0, c->size);
	} while (vm->reset_chunk < vm->ram.nchunks && time_ns() < end);
	return vm->reset_chunk == vm->ram.nchunks;
}

static void rebuild(struct vm *vm)
{
	vm->resets++;
	console_vm_flush(&vm->console, vm->name);
	if (vm->resets <= 10 || vm->resets % 1000 == 0)
		log_info("vm %s: reset (%u so far)", vm->name, vm->resets);
	bus_reset_devices(vm);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		vcpu_reset(v, true);	/* aside: switched below */
		vlapic_reset(v->lapic);
		vlapic_set_wait_sipi(v->lapic, i != 0);
		v->halted_reported = false;
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		lapic_window_sync(vm->vcpus[i]);	/* RAM under a moved LAPIC comes back */
	struct vcpu *bsp = vm->vcpus[0];
	struct vcpu_boot_state s;
	vcpu_power_on_state(&s);
	if (!vm_load_guest(vm, &s, &bsp->regs)) {
		vm_stop(vm, NULL, "its image could not be loaded again after a reset");
		return;
	}
	vendor_set_boot_state(bsp, true, &s);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vendor_vcpu_switch(vm->vcpus[i]);
	uint64_t f = spin_lock(&vm->lock);
	if (!vm->ending)
		for (unsigned i = 0; i < vm->nvcpus; i++)
			vm->vcpus[i]->state = i == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
	spin_unlock(&vm->lock, f);
}

/* One step of vm's reset; true while more remain. */
static bool step(struct vm *vm)
{
	if (__atomic_load_n(&vm->ending, __ATOMIC_ACQUIRE)) {
		finish(vm);	/* stopped or destroyed meanwhile: abandoned */
		return false;
	}
	switch (vm->reset_phase) {
	case RESET_WAIT:
		if (!vcpus_gone(vm))
			return true;
		vm->reset_phase = vm->ram.nchunks ? RESET_CLEAR : RESET_REBUILD;
		return true;
	case RESET_CLEAR:
		if (clear_some(vm))
			vm->reset_phase = RESET_REBUILD;
		return true;
	default:
		rebuild(vm);
		finish(vm);
		return false;
	}
}

bool vm_reset_steps(struct pcpu *p)
{
	bool more = false;
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vms[i];
		if (__atomic_load_n(&vm->resetting, __ATOMIC_ACQUIRE) && vm->reset_cpu == p)
			more |= step(vm);
	}
	return more;
}
