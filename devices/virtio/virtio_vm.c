/*
 * devices/virtio/virtio_vm.c - a VM's virtio devices from its description
 * (docs/vm-config.md): one instance per device asked for, each a PCI
 * function in its own slot from 00:02.0 up, with BAR 0 and INTA#'s GSI
 * from devices/pci_layout.h (virtio_pci.h). A device that cannot be made
 * is one error line; the VM boots without it.
 */
#include "devices/virtio/virtio_vm.h"
#include "devices/virtio/virtio_pci.h"
#include "devices/virtio/virtio_rng.h"
#include "devices/virtio/virtio_console.h"
#include "devices/virtio/virtio_blk_vm.h"
#include "devices/bus.h"
#include "core/vm/vm.h"
#include "lib/log.h"

/* The instances and their bus rows, per VM (by id): the bus keeps a
 * pointer to the row, the row to the instance. */
struct virtio_vm {
	struct virtio_instance inst[VIRTIO_PCI_MAX_DEVICES];
	struct device_decl decl[VIRTIO_PCI_MAX_DEVICES + 1];
	unsigned n;
};

static struct virtio_vm per_vm[MAX_VMS];

/* Adds an instance of `type` with `arg`; false (and a line) if the VM has
 * no slot left. */
static bool add(struct vm *vm, struct virtio_vm *v, const struct virtio_type *type,
		const void *arg)
{
	if (v->n == VIRTIO_PCI_MAX_DEVICES) {
		log_error("vm %s: %s: at most %u virtio devices per VM; not added", vm->name,
			  type->name, VIRTIO_PCI_MAX_DEVICES);
		return false;
	}
	struct virtio_instance *in = &v->inst[v->n];
	*in = (struct virtio_instance){ .type = type, .arg = arg,
					.slot = (uint8_t)(VIRTIO_PCI_FIRST_SLOT + v->n) };
	v->decl[v->n] = (struct device_decl){ .name = type->name, .model = &virtio_pci_model,
					      .arg = in };
	v->n++;
	return true;
}

bool virtio_add_devices(struct vm *vm)
{
	if (vm->id >= MAX_VMS)
		return false;
	struct virtio_vm *v = &per_vm[vm->id];
	*v = (struct virtio_vm){ 0 };
	if (vm->desc.rng) {
		if (virtio_rng_host_ok())
			add(vm, v, &virtio_rng_type, NULL);
		else
			log_error("vm %s: rng=on: the host CPU has no RDRAND; no virtio-rng",
				  vm->name);
	}
	for (unsigned i = 0; i < vm->desc.ndisks; i++) {
		const void *arg;
		const struct virtio_type *t = virtio_blk_vm_disk(vm, i, &vm->desc.disks[i], &arg);
		if (t)
			add(vm, v, t, arg);
	}
	if (vm->desc.hvc)
		add(vm, v, &virtio_console_type, &vm->console);	/* after the disks: vda... keep their slots */
	v->decl[v->n] = (struct device_decl){ 0 };
	return bus_add_devices(vm, v->decl);
}
