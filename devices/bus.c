/* devices/bus.c - one bus for PIO and MMIO: the range table, its lookup and
 * the lock-and-call into a device model (see bus.h). */
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
		for (unsigned k = 0; k < DEVICE_MAX_PIO && d->pio[k].len; k++)
			if (!bus_map(vm, dev, BUS_PIO, d->pio[k].base, d->pio[k].len))
				return false;
		if (d->mmio_len && !bus_map(vm, dev, BUS_MMIO, d->mmio_base, d->mmio_len))
			return false;
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
	vm->ndevices = 0;
	vm->pic = vm->ioapic = vm->lapic_mmio = vm->pci = NULL;
	memset(vm->bus.range, 0, sizeof(vm->bus.range));
	memset(vm->bus.pio_fast, 0, sizeof(vm->bus.pio_fast));
	vm->bus.nrange = 0;
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

/* ---- the range table ------------------------------------------------------ */

static bool holds(const struct bus_range *r, enum bus_space space, uint64_t addr)
{
	uint64_t len = __atomic_load_n(&r->len, __ATOMIC_ACQUIRE);
	return r->space == space && addr >= r->base && addr - r->base < len;
}

static struct bus_range *scan(struct bus *b, enum bus_space space, uint64_t addr)
{
	unsigned n = __atomic_load_n(&b->nrange, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++)
		if (holds(&b->range[i], space, addr))
			return &b->range[i];
	return NULL;
}

/* The exit path's lookup of a port (inlined into it). */
static inline __attribute__((always_inline)) struct bus_range *find_pio(struct bus *b,
									uint16_t port)
{
	if (port < BUS_PIO_FAST_PORTS) {
		/* The table is kept in step with the ranges (pio_fast_update);
		 * a lookup racing with a move may still reach the device at
		 * its old port, which a device with movable ranges ignores. */
		unsigned i = __atomic_load_n(&b->pio_fast[port], __ATOMIC_ACQUIRE);
		return i ? &b->range[i - 1] : NULL;
	}
	return scan(b, BUS_PIO, port);
}

static struct bus_range *find_range(struct bus *b, enum bus_space space, uint64_t addr)
{
	return space == BUS_PIO ? find_pio(b, (uint16_t)addr) : scan(b, space, addr);
}

struct device *bus_find(struct vm *vm, enum bus_space space, uint64_t addr)
{
	struct bus_range *r = find_range(&vm->bus, space, addr);
	return r ? r->dev : NULL;
}

/* The fast port table for ports [base, base+len): the first enabled range
 * that holds each (called with the bus lock held, after a change). */
static void pio_fast_update(struct bus *b, uint64_t base, uint64_t len)
{
	for (uint64_t port = base; port < BUS_PIO_FAST_PORTS && port - base < len; port++) {
		uint8_t owner = 0;
		for (unsigned i = 0; i < b->nrange && !owner; i++)
			if (holds(&b->range[i], BUS_PIO, port))
				owner = (uint8_t)(i + 1);
		__atomic_store_n(&b->pio_fast[port], owner, __ATOMIC_RELEASE);
	}
}

bool bus_map(struct vm *vm, struct device *d, enum bus_space space, uint64_t base,
	     uint64_t len)
{
	struct bus *b = &vm->bus;
	if (!len)
		return true;
	uint64_t f = spin_lock(&b->lock);
	unsigned i = 0;
	while (i < b->nrange && (b->range[i].len || b->range[i].dev))
		i++;	/* a slot never used, or freed by bus_unmap */
	bool ok = i < BUS_MAX_RANGES;
	if (ok) {
		struct bus_range *r = &b->range[i];
		r->dev = d;
		r->space = (uint8_t)space;
		r->base = base;
		__atomic_store_n(&r->len, len, __ATOMIC_RELEASE);
		if (i == b->nrange)
			__atomic_store_n(&b->nrange, i + 1, __ATOMIC_RELEASE);
		if (space == BUS_PIO)
			pio_fast_update(b, base, len);
	}
	spin_unlock(&b->lock, f);
	return ok;
}

static struct bus_range *range_of(struct bus *b, struct device *d, enum bus_space space,
				  uint64_t base)
{
	for (unsigned i = 0; i < b->nrange; i++) {
		struct bus_range *r = &b->range[i];
		if (r->dev == d && r->space == space && r->base == base && r->len)
			return r;
	}
	return NULL;
}

bool bus_move(struct vm *vm, struct device *d, enum bus_space space, uint64_t old_base,
	      uint64_t new_base)
{
	struct bus *b = &vm->bus;
	uint64_t f = spin_lock(&b->lock);
	struct bus_range *r = range_of(b, d, space, old_base);
	if (r && old_base != new_base) {
		uint64_t len = r->len;
		__atomic_store_n(&r->len, 0, __ATOMIC_RELEASE);
		r->base = new_base;
		__atomic_store_n(&r->len, len, __ATOMIC_RELEASE);
		if (space == BUS_PIO) {
			pio_fast_update(b, old_base, len);
			pio_fast_update(b, new_base, len);
		}
	}
	spin_unlock(&b->lock, f);
	return r != NULL;
}

void bus_unmap(struct vm *vm, struct device *d, enum bus_space space, uint64_t base)
{
	struct bus *b = &vm->bus;
	uint64_t f = spin_lock(&b->lock);
	struct bus_range *r = range_of(b, d, space, base);
	if (r) {
		uint64_t len = r->len;
		__atomic_store_n(&r->len, 0, __ATOMIC_RELEASE);
		r->dev = NULL;	/* free: bus_map may take the slot again */
		if (space == BUS_PIO)
			pio_fast_update(b, base, len);
	}
	spin_unlock(&b->lock, f);
}

/* ---- the lock-and-call ------------------------------------------------------ */

uint64_t device_lock(struct device *d)
{
	return (d->decl->model->flags & DEVICE_SELF_LOCKING) ? 0 : spin_lock(&d->lock);
}

bool device_trylock(struct device *d, uint64_t *flags)
{
	*flags = 0;
	return (d->decl->model->flags & DEVICE_SELF_LOCKING) || spin_trylock(&d->lock, flags);
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
	struct bus_range *r = find_pio(&vm->bus, port);
	if (!r || !r->dev->decl->model->pio_read) {
		log_unowned(vm, port, false);
		return 0xffffffffu;
	}
	return (uint32_t)bus_call(r->dev, BUS_PIO, port, size, 0, false);
}

void bus_pio_write(struct vm *vm, uint16_t port, unsigned size, uint32_t val)
{
	struct bus_range *r = find_pio(&vm->bus, port);
	if (!r || !r->dev->decl->model->pio_write) {
		log_unowned(vm, port, true);
		return;
	}
	bus_call(r->dev, BUS_PIO, port, size, val, true);
}

bool bus_io_retry(void)
{
	struct pcpu *p = pcpus[0] ? this_cpu() : NULL;
	if (!p || !p->current)
		return false;
	p->io_retry = true;
	return true;
}
