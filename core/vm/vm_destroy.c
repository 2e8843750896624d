/*
 * core/vm/vm_destroy.c - the monitor's destroy, as the last state of a VM's
 * life cycle. vm_destroy() marks the VM destroying under its lock, stops it
 * (vm_stop, which a reset in progress sees at its next step and abandons)
 * and returns, so the monitor answers at once. A timer then looks every
 * 10 ms until all of the VM's work is over: no reset of it running (on any
 * CPU, from a vCPU or from the scheduler), and each of its vCPUs taken off
 * its CPU's run queue by that CPU (core/run/sched.c), which is also where its
 * LAPIC timer lives. Only then is its memory freed: RAM, nested page tables,
 * intercept bitmaps, devices, vCPUs. There is no deadline: after a second it
 * says once what it waits for. What stays is the struct vm (static), for
 * `list`.
 */
#include "core/vm/vm.h"
#include "core/run/vcpu.h"
#include "lib/log.h"
#include "core/run/timer.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/tsc.h"
#include "devices/bus.h"
#include "devices/virtio/virtio_blk_vm.h"
#include "devices/virtio/virtio_net_vm.h"
#include "devices/irq.h"
#include "mm/pmm.h"
#include "mm/npt/npt_vm.h"
#include "lib/format.h"

#define POLL_NS 10000000ull

/* What the destroy still waits for, in words; NULL once nothing. */
static const char *waits_for(struct vm *vm, char *buf, size_t len)
{
	if (__atomic_load_n(&vm->resetting, __ATOMIC_ACQUIRE)) {
		vm->destroy_saw_reset = true;
		snprintf(buf, len, "its reset on CPU %u", vm->reset_cpu->id);
		return buf;
	}
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		/* Never placed on a CPU (a start that failed): nothing to wait for. */
		if (v->home && !__atomic_load_n(&v->dropped, __ATOMIC_ACQUIRE)) {
			snprintf(buf, len, "vCPU %u on CPU %u", v->id, v->home ? v->home->id : 0);
			vcpu_kick(v);	/* its CPU looks at its run queue again */
			return buf;
		}
	}
	return NULL;
}

static uint64_t free_memory(struct vm *vm)
{
	uint64_t freed = guest_ram_free(&vm->ram);
	freed += (uint64_t)vm->npt.tables * PAGE_SIZE;
	npt_destroy(&vm->npt);
	freed += vendor_vm_free(vm);	/* the IOPM and MSRPM */
	pmm_free_pages(virt_to_phys(vm->pio_unowned_logged), 2);
	vm->pio_unowned_logged = NULL;
	freed += 2 * PAGE_SIZE;
	freed += bus_free_devices(vm);
	freed += virtio_blk_vm_free(vm);	/* after the devices that used them */
	freed += virtio_net_vm_free(vm);
	/* With gdb= the stub keeps pointers to the vCPUs: they stay. */
	if (!vm->gdb) {
		unsigned n = vm->nvcpus;
		vm->nvcpus = 0;
		for (unsigned i = 0; i < n; i++) {
			freed += vcpu_free(vm->vcpus[i]);
			vm->vcpus[i] = NULL;
		}
	}
	return freed;
}

static void poll(struct vtimer *t)
{
	struct vm *vm = t->data;
	char buf[64];
	const char *what = waits_for(vm, buf, sizeof(buf));
	if (what) {
		if (!vm->wait_logged && time_us() - vm->wait_since_us > 1000000) {
			vm->wait_logged = true;
			log_warn("vm %s: its destroy waits for %s", vm->name, what);
		}
		vtimer_arm(t, time_ns() + POLL_NS);
		return;
	}
	uint64_t freed = free_memory(vm);
	vm->pages = 0;
	__atomic_store_n(&vm->destroyed, true, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->destroying, false, __ATOMIC_RELEASE);
	kprintf("  vm %s: destroyed, %lu MiB freed\n", vm->name, freed >> 20);
	log_info("vm %s: destroyed: %lu pages freed, %lu pages free now%s", vm->name,
		 freed / PAGE_SIZE, pmm_free_bytes() / PAGE_SIZE,
		 vm->destroy_saw_reset ? " (it waited for a reset of it to stop)" : "");
}

bool vm_destroy(struct vm *vm)
{
	uint64_t f = spin_lock(&vm->lock);
	bool go = vm->state != VM_CREATED && !vm->destroying && !vm->destroyed;
	if (go) {
		vm->destroying = true;
		vm->wait_since_us = time_us();
		vm->wait_logged = false;
	}
	spin_unlock(&vm->lock, f);
	if (!go)
		return false;
	vm_stop(vm, NULL, "destroyed from the monitor");	/* if it still runs */
	vm->destroy_timer.fire = poll;
	vm->destroy_timer.data = vm;
	vtimer_arm(&vm->destroy_timer, time_ns() + POLL_NS);
	return true;
}
