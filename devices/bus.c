/* devices/bus.c - PIO and MMIO dispatch (see bus.h). */
#include "devices/bus.h"
#include "core/vm/vm.h"
#include "core/run/vcpu.h"
#include "devices/vlapic.h"
#include "lib/log.h"
#include "arch/x86/pcpu.h"
#include "mm/pmm.h"
#include "lib/string.h"

bool bus_add_devices(struct vm *vm, const struct device_decl *table)
{
	for (const struct device_decl *d = table; d->model; d++) {
		if (vm->ndevices == VM_MAX_DEVICES)
			return false;
		size_t bytes = sizeof(struct device) + d->model->state_size;
		size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t pa = pmm_alloc_pages(pages);
		if (!pa)
			return false;
		struct device *dev = phys_to_virt(pa);
		dev->decl = d;
		dev->vm = vm;
		dev->state = dev + 1;
		vm->devices[vm->ndevices++] = dev;
		if (d->mmio_len)
			vm->mmio[vm->nmmio++] = (struct vm_mmio){ d->mmio_base, d->mmio_len, dev };
		for (unsigned k = 0; k < DEVICE_MAX_PIO && d->pio[k].len; k++)
			for (uint32_t port = d->pio[k].base;
			     port < VM_PIO_FAST_PORTS && port - d->pio[k].base < d->pio[k].len; port++)
				if (!vm->pio_owner[port])	/* the first owner wins */
					vm->pio_owner[port] = (uint8_t)vm->ndevices;
		if (d->model->init)
			d->model->init(dev);
		if (d->model->reset)
			d->model->reset(dev);
	}
	return true;
}

void bus_reset_devices(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		struct device *d = vm->devices[i];
		if (d->decl->model->reset) {
			uint64_t f = device_lock(d);
			d->decl->model->reset(d);
			device_unlock(d, f);
		}
	}
}

void bus_stop_devices(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		struct device *d = vm->devices[i];
		if (d->decl->model->stop) {
			uint64_t f = device_lock(d);
			d->decl->model->stop(d);
			device_unlock(d, f);
		}
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vlapic_stop(vm->vcpus[i]->lapic);
}

uint64_t bus_free_devices(struct vm *vm)
{
	uint64_t freed = 0;
	unsigned n = vm->ndevices;
	vm->ndevices = vm->nmmio = 0;
	vm->pic = vm->ioapic = vm->lapic_mmio = NULL;
	memset(vm->pio_owner, 0, sizeof(vm->pio_owner));
	for (unsigned i = 0; i < n; i++) {
		struct device *d = vm->devices[i];
		size_t bytes = sizeof(struct device) + d->decl->model->state_size;
		size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
		vm->devices[i] = NULL;
		pmm_free_pages(virt_to_phys(d), pages);
		freed += pages * PAGE_SIZE;
	}
	return freed;
}

static struct device *find_pio(struct vm *vm, uint16_t port)
{
	if (port < VM_PIO_FAST_PORTS)
		return vm->pio_owner[port] ? vm->devices[vm->pio_owner[port] - 1] : NULL;
	for (unsigned i = 0; i < vm->ndevices; i++) {
		const struct pio_range *r = vm->devices[i]->decl->pio;
		for (unsigned k = 0; k < DEVICE_MAX_PIO && r[k].len; k++)
			if (port >= r[k].base && port - r[k].base < r[k].len)
				return vm->devices[i];
	}
	return NULL;
}

uint64_t device_lock(struct device *d)
{
	return (d->decl->model->flags & DEVICE_SELF_LOCKING) ? 0 : spin_lock(&d->lock);
}

void device_unlock(struct device *d, uint64_t flags)
{
	if (!(d->decl->model->flags & DEVICE_SELF_LOCKING))
		spin_unlock(&d->lock, flags);
}

static void log_unowned(struct vm *vm, uint16_t port, bool write)
{
	uint8_t *bit = &vm->pio_unowned_logged[port / 8];
	if (*bit & (1u << (port % 8)))
		return;
	*bit |= 1u << (port % 8);
	log_debug("vm %s: %s of port 0x%x, which no device owns",
		  vm->name, write ? "write" : "read", port);
}

uint32_t bus_pio_read(struct vm *vm, uint16_t port, unsigned size)
{
	struct device *d = find_pio(vm, port);
	if (!d || !d->decl->model->pio_read) {
		log_unowned(vm, port, false);
		return 0xffffffffu;
	}
	uint64_t f = device_lock(d);
	uint32_t v = d->decl->model->pio_read(d, port, size);
	device_unlock(d, f);
	return v;
}

void bus_pio_write(struct vm *vm, uint16_t port, unsigned size, uint32_t val)
{
	struct device *d = find_pio(vm, port);
	if (!d || !d->decl->model->pio_write) {
		log_unowned(vm, port, true);
		return;
	}
	uint64_t f = device_lock(d);
	d->decl->model->pio_write(d, port, size, val);
	device_unlock(d, f);
}

struct device *bus_find_mmio(struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nmmio; i++)
		if (gpa >= vm->mmio[i].base && gpa - vm->mmio[i].base < vm->mmio[i].len)
			return vm->mmio[i].dev;
	return NULL;
}

bool bus_io_retry(void)
{
	struct pcpu *p = pcpus[0] ? this_cpu() : NULL;
	if (!p || !p->current)
		return false;
	p->io_retry = true;
	return true;
}
