/*
 * devices/virtio/virtio_pci.c - a virtio device as a PCI function (virtio
 * 1.1, 4.1; layout in virtio_pci.h): its configuration header and
 * capabilities, BAR 0's regions, notifications, interrupts (MSI-X or
 * INTx + ISR, 4.1.4.5, 4.1.5.1.2) and reset. The common configuration's
 * registers are virtio_common.c's.
 */
#include <stddef.h>
#include "devices/virtio/virtio_pci.h"
#include "devices/virtio/virtq_guest_ram.h"
#include "devices/msi.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "lib/string.h"

static struct virtio_pci *st(struct device *d)
{
	return d->state;
}

static struct virtio_pci *of(struct virtio_dev *vd)
{
	return (struct virtio_pci *)((char *)vd - offsetof(struct virtio_pci, vd));
}

static const char *vm_name(const struct virtio_pci *p)
{
	return p->vd.vm ? p->vd.vm->name : "?";
}

/* ---- interrupts ------------------------------------------------------------- */

static void send_msi(void *vm, uint64_t addr, uint32_t data)
{
	msi_send(vm, addr, data);
}

/* INTA# follows the ISR while MSI-X is off (4.1.4.5), unless the command
 * register disables it (PCI LB 3.0, 6.2.2 bit 10). */
static void update_intx(struct virtio_pci *p)
{
	pci_intx_set(&p->pci, p->isr && msix_intx_allowed(&p->msix, &p->pci));
}

/* An interrupt for `isr_bit` through `vec`: the vector while MSI-X is on
 * (none for NO_VECTOR, 4.1.5.1.2.1), else the ISR bit and INTx. */
static void signal(struct virtio_pci *p, uint16_t vec, uint8_t isr_bit)
{
	if (p->msix.enabled) {
		if (vec != VIRTIO_MSI_NO_VECTOR)
			msix_raise(&p->msix, vec);
		return;
	}
	p->isr |= isr_bit;
	update_intx(p);
}

void virtio_used(struct virtio_dev *vd, unsigned q)
{
	struct virtio_pci *p = of(vd);
	if (q < VIRTIO_MAX_QUEUES && virtq_need_notify(&vd->vq[q]))
		signal(p, p->queue_vector[q], VIRTIO_ISR_QUEUE);
}

void virtio_config_changed(struct virtio_dev *vd)
{
	struct virtio_pci *p = of(vd);
	p->generation++;
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		signal(p, p->msix_config, VIRTIO_ISR_CONFIG);
}

void virtio_needs_reset(struct virtio_dev *vd, const char *why)
{
	struct virtio_pci *p = of(vd);
	if (vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	vd->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (!p->needs_reset_logged)
		log_warn("vm %s: %s 00:%02x.0 needs reset: %s", vm_name(p), vd->type->name,
			 p->pci.devfn >> 3, why);
	p->needs_reset_logged = true;	/* once per device: a driver may loop */
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		signal(p, p->msix_config, VIRTIO_ISR_CONFIG);	/* 2.1.2 */
}

/* ---- reset and DRIVER_OK ------------------------------------------------------ */

void virtio_pci_device_reset(struct virtio_pci *p)
{
	struct virtio_dev *vd = &p->vd;
	vd->status = 0;
	vd->driver_features = 0;
	p->dfselect = p->gfselect = 0;
	p->queue_select = 0;
	p->msix_config = VIRTIO_MSI_NO_VECTOR;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		virtq_reset(&vd->vq[q]);
		vd->vq[q].size = vd->type->queue_max;	/* 4.1.4.3.1: the maximum */
		p->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	}
	p->isr = 0;
	p->again_queues = 0;
	vtimer_cancel(&p->again);
	update_intx(p);
	if (vd->type->reset)
		vd->type->reset(vd);
}

void virtio_pci_driver_ok(struct virtio_pci *p)
{
	if (p->vd.type->driver_ok)
		p->vd.type->driver_ok(&p->vd);
}

/* ---- the PCI function ------------------------------------------------------- */

static void put16(uint8_t *c, uint16_t v)
{
	c[0] = (uint8_t)v;
	c[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, uint32_t v)
{
	put16(c, (uint16_t)v);
	put16(c + 2, (uint16_t)(v >> 16));
}

/* A virtio PCI capability (4.1.4): cfg_type, BAR 0, offset and length;
 * `extra` bytes after it (the notify capability's multiplier). */
static uint8_t add_virtio_cap(struct pci_function *f, uint8_t type, uint32_t off,
			      uint32_t len, unsigned extra)
{
	uint8_t at = pci_add_cap(f, PCI_CAP_ID_VENDOR, 16 + extra);
	if (!at)
		return 0;
	f->cfg[at + 2] = (uint8_t)(16 + extra);	/* cap_len */
	f->cfg[at + 3] = type;
	f->cfg[at + 4] = 0;			/* bar */
	put32(f->cfg + at + 8, off);
	put32(f->cfg + at + 12, len);
	return at;
}

static void config_written(struct pci_function *f, unsigned reg)
{
	struct device *d = f->dev;
	uint64_t flags = device_lock(d);
	struct virtio_pci *p = st(d);
	msix_config_written(&p->msix, f, reg);
	update_intx(p);
	device_unlock(d, flags);
}

static void again_fire(struct vtimer *t);

static void virtio_pci_init(struct device *d)
{
	struct virtio_pci *p = st(d);
	const struct virtio_instance *in = d->decl->arg;
	const struct virtio_type *t = in->type;
	struct pci_function *f = &p->pci;

	p->vd.type = t;
	p->vd.vm = d->vm;
	p->vd.dev = d;
	p->vd.type_state = p->type_area;
	p->again = (struct vtimer){ .fire = again_fire, .data = d,
				    .fire_count = d->vm ? &d->vm->timer_fires : NULL };
	if (d->vm)
		p->mem = virtq_mem_guest_ram(&d->vm->ram);

	f->devfn = (uint8_t)(in->slot << 3);
	f->dev = d;
	put16(f->cfg + PCI_VENDOR_ID, VIRTIO_PCI_VENDOR);
	put16(f->cfg + PCI_DEVICE_ID, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + t->device_id));
	f->cfg[PCI_REVISION] = VIRTIO_PCI_REVISION;
	f->cfg[PCI_CLASS_BASE] = t->pci_class[0];
	f->cfg[PCI_CLASS_SUB] = t->pci_class[1];
	f->cfg[PCI_CLASS_PROG] = t->pci_class[2];
	put16(f->cfg + 0x2c, VIRTIO_PCI_SUBSYS_VENDOR);	/* subsystem vendor, 4.1.2 */
	put16(f->cfg + 0x2e, (uint16_t)(0x40 + t->device_id));	/* subsystem ID */
	f->cfg[PCI_COMMAND] = PCI_COMMAND_MEMORY;
	f->cfg[PCI_INTERRUPT_PIN] = 1;			/* INTA# */
	f->config_written = config_written;
	pci_set_bar(f, 0, BUS_MMIO, VIRTIO_PCI_BAR_SIZE, VIRTIO_PCI_BAR_BASE(in->slot));

	unsigned nq = t->nqueues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES : t->nqueues;
	msix_init(&p->msix, nq + 1, 0, VIRTIO_PCI_MSIX_TABLE, VIRTIO_PCI_MSIX_PBA, send_msi,
		  d->vm);
	msix_add_cap(&p->msix, f);
	add_virtio_cap(f, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON, VIRTIO_PCI_COMMON_SIZE, 0);
	uint8_t n = add_virtio_cap(f, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY,
				   VIRTIO_PCI_NOTIFY_MULT * VIRTIO_MAX_QUEUES, 4);
	if (n)
		put32(f->cfg + n + 16, VIRTIO_PCI_NOTIFY_MULT);	/* notify_off_multiplier */
	add_virtio_cap(f, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR, 1, 0);
	if (t->config_size)
		add_virtio_cap(f, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVCFG,
			       t->config_size, 0);

	if (t->state_size > VIRTIO_TYPE_STATE_MAX) {
		log_error("vm %s: %s: its state (%u bytes) exceeds VIRTIO_TYPE_STATE_MAX; "
			  "not on the bus", vm_name(p), t->name, (unsigned)t->state_size);
		return;
	}
	if (t->init)
		t->init(&p->vd, in->arg);
	if (d->vm && !pci_register(d->vm, f))
		log_error("vm %s: %s: PCI slot %u taken or no room on the bus", vm_name(p),
			  t->name, in->slot);
}

static void virtio_pci_reset(struct device *d)
{
	struct virtio_pci *p = st(d);
	msix_reset(&p->msix);
	p->generation = 0;
	p->needs_reset_logged = false;
	virtio_pci_device_reset(p);
}

/* ---- BAR 0 ------------------------------------------------------------------ */

static uint64_t bar_offset(struct device *d, uint64_t gpa)
{
	return gpa - pci_bar_base(&st(d)->pci, 0);
}

/* The ISR (4.1.4.5.1): reading it clears it and INTA#. */
static uint8_t read_isr(struct virtio_pci *p)
{
	uint8_t v = p->isr;
	p->isr = 0;
	update_intx(p);
	return v;
}

/* The type's configuration space: naturally aligned 1, 2 or 4 bytes
 * inside it (4.1.3.1); anything else reads 0 and is ignored. */
static bool devcfg_ok(const struct virtio_pci *p, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off % size == 0 &&
	       off + size <= p->vd.type->config_size;
}

/* A driver's notification of queue q (4.1.4.4, 4.1.5.2): served while
 * the queue is enabled and unbroken and the device is live. */
static void notify(struct virtio_pci *p, uint64_t q)
{
	struct virtio_dev *vd = &p->vd;
	unsigned nq = vd->type->nqueues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES : vd->type->nqueues;
	if (q >= nq || !vd->vq[q].enabled || vd->vq[q].broken ||
	    !(vd->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		return;
	uint16_t before = vd->vq[q].last_avail_idx;
	if (vd->type->notify)
		vd->type->notify(vd, (unsigned)q);
	if (vd->vq[q].broken) {
		virtio_needs_reset(vd, virtq_error_name(vd->vq[q].broken));
		return;
	}
	if (vd->type->own_notify_queues >> q & 1)
		return;		/* the type's own (virtio_dev.h) */
	/* Serving again: a type serves at most the queue's size per call.
	 * Chains it left would wait for ever: with EVENT_IDX the driver
	 * notifies only when its new idx passes avail_event (2.6.7.2,
	 * 2.6.10.2), without it not while NO_NOTIFY is set. So notifications
	 * go back on (avail_event = last_avail_idx, or flags 0), and avail
	 * idx is read once after them: equal, the driver's next add notifies
	 * (the device's side of 2.6.13.4.1's fence); ahead, the transport
	 * calls the type again for them. Not in this exit but from a timer,
	 * with the lock released: one round per timers_run, so a driver that
	 * keeps adding chains cannot keep yakvm in one exit, and rounds stop
	 * once its vCPUs stop adding (at most size chains are ever ahead).
	 * A round that popped nothing is the type's choice (its backend is
	 * busy): it calls again itself, no timer spins for it. */
	if (virtq_set_notify(&vd->vq[q], true) && vd->vq[q].last_avail_idx != before) {
		p->again_queues |= (uint8_t)(1u << q);
		vtimer_arm(&p->again, time_ns());
	}
}

static void again_fire(struct vtimer *t)
{
	struct device *d = t->data;
	struct virtio_pci *p = st(d);
	uint64_t f = device_lock(d);
	uint8_t queues = p->again_queues;
	p->again_queues = 0;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (queues >> q & 1)
			notify(p, q);
	device_unlock(d, f);
}

static void virtio_pci_stop(struct device *d)
{
	struct virtio_pci *p = st(d);
	vtimer_freeze(&p->again);
	if (p->vd.type && p->vd.type->stop)
		p->vd.type->stop(&p->vd);
}

static uint64_t virtio_pci_read(struct device *d, uint64_t gpa, unsigned size)
{
	struct virtio_pci *p = st(d);
	uint64_t off = bar_offset(d, gpa);
	if (off < VIRTIO_PCI_COMMON + VIRTIO_PCI_COMMON_SIZE)
		return virtio_common_read(p, (unsigned)off, size);
	if (off == VIRTIO_PCI_ISR)
		return size == 1 ? read_isr(p) : 0;
	if (off >= VIRTIO_PCI_DEVCFG && off < VIRTIO_PCI_DEVCFG + VIRTIO_PCI_DEVCFG_SIZE) {
		off -= VIRTIO_PCI_DEVCFG;
		if (!devcfg_ok(p, off, size) || !p->vd.type->config_read)
			return 0;
		uint32_t v = p->vd.type->config_read(&p->vd, (uint32_t)off, size);
		return size == 4 ? v : v & ((1u << (8 * size)) - 1);
	}
	if (off >= VIRTIO_PCI_MSIX_TABLE && off < VIRTIO_PCI_BAR_SIZE)
		return msix_bar_read(&p->msix, off, size);
	return 0;
}

static void virtio_pci_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	struct virtio_pci *p = st(d);
	uint64_t off = bar_offset(d, gpa);
	if (off < VIRTIO_PCI_COMMON + VIRTIO_PCI_COMMON_SIZE) {
		virtio_common_write(p, (unsigned)off, size, val);
	} else if (off >= VIRTIO_PCI_DEVCFG && off < VIRTIO_PCI_DEVCFG + VIRTIO_PCI_DEVCFG_SIZE) {
		off -= VIRTIO_PCI_DEVCFG;
		if (devcfg_ok(p, off, size) && p->vd.type->config_write)
			p->vd.type->config_write(&p->vd, (uint32_t)off, size, (uint32_t)val);
	} else if (off >= VIRTIO_PCI_NOTIFY && off < VIRTIO_PCI_NOTIFY + 0x1000) {
		/* Any write at queue q's address notifies q; its value (the
		 * queue index, no NOTIFICATION_DATA) is not needed. */
		off -= VIRTIO_PCI_NOTIFY;
		if (off % VIRTIO_PCI_NOTIFY_MULT == 0)
			notify(p, off / VIRTIO_PCI_NOTIFY_MULT);
	} else if (off >= VIRTIO_PCI_MSIX_TABLE && off < VIRTIO_PCI_BAR_SIZE) {
		msix_bar_write(&p->msix, off, size, val);
	}
}

const struct device_model virtio_pci_model = {
	.name = "virtio-pci",
	.state_size = sizeof(struct virtio_pci),
	.init = virtio_pci_init,
	.reset = virtio_pci_reset,
	.stop = virtio_pci_stop,
	.mmio_read = virtio_pci_read,
	.mmio_write = virtio_pci_write,
};
