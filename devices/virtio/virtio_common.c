/*
 * devices/virtio/virtio_common.c - the common configuration structure of
 * the virtio PCI transport (virtio 1.1, 4.1.4.3): feature negotiation,
 * device status, MSI-X vectors and the queues' registers.
 *
 * Accesses: each field at its own width (4.1.3.1); the 64-bit queue
 * addresses also as two 32-bit halves (as Linux writes them) or one
 * 64-bit access. Any other size or alignment reads 0 and is ignored.
 *
 * Status (2.1, 3.1.1): writing 0 resets the device at once (no waiting,
 * 4.1.4.3.2: the reset is done when the write returns). Otherwise the
 * driver only adds bits: a write that clears one is ignored. FEATURES_OK
 * is kept only if the driver's features are a subset of the offered ones
 * and include VERSION_1 (3.1.1, 6.1); DRIVER_OK only after FEATURES_OK;
 * DEVICE_NEEDS_RESET is the device's. Features and queue registers change
 * only before FEATURES_OK and DRIVER_OK respectively (and a queue's only
 * while it is disabled).
 */
#include "devices/virtio/virtio_pci.h"

#define ST_SETUP (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)

static uint64_t offered(const struct virtio_pci *p)
{
	return p->vd.type->features | 1ull << VIRTIO_F_VERSION_1;
}

static unsigned nqueues(const struct virtio_pci *p)
{
	unsigned n = p->vd.type->nqueues;
	return n > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES : n;
}

/* The selected queue, or NULL (queue_select >= num_queues: its size reads
 * 0, 4.1.4.3.1). */
static struct virtq *sel_queue(struct virtio_pci *p)
{
	return p->queue_select < nqueues(p) ? &p->vd.vq[p->queue_select] : NULL;
}

/* The width of the field at off, 0 if none starts there. */
static unsigned field_width(unsigned off)
{
	switch (off) {
	case VIRTIO_CC_DFSELECT: case VIRTIO_CC_DF: case VIRTIO_CC_GFSELECT: case VIRTIO_CC_GF:
		return 4;
	case VIRTIO_CC_MSIX_CONFIG: case VIRTIO_CC_NUM_QUEUES: case VIRTIO_CC_Q_SELECT:
	case VIRTIO_CC_Q_SIZE: case VIRTIO_CC_Q_MSIX: case VIRTIO_CC_Q_ENABLE:
	case VIRTIO_CC_Q_NOTIFY_OFF:
		return 2;
	case VIRTIO_CC_STATUS: case VIRTIO_CC_GENERATION:
		return 1;
	case VIRTIO_CC_Q_DESC: case VIRTIO_CC_Q_DRIVER: case VIRTIO_CC_Q_DEVICE:
		return 8;
	default:
		return 0;
	}
}

/* The 64-bit queue address field at off & ~7 of q. */
static uint64_t *addr_field(struct virtq *q, unsigned off)
{
	switch (off & ~7u) {
	case VIRTIO_CC_Q_DESC:   return &q->desc;
	case VIRTIO_CC_Q_DRIVER: return &q->avail;
	default:                 return &q->used;
	}
}

/* Whether an access of size at off is one the transport answers: the
 * field's own width, or a 32-bit half of a 64-bit field. */
static bool valid(unsigned off, unsigned size)
{
	if (off >= VIRTIO_PCI_COMMON_SIZE)
		return false;
	if (off >= VIRTIO_CC_Q_DESC)
		return (size == 8 && off % 8 == 0) || (size == 4 && off % 4 == 0);
	return field_width(off) == size;
}

uint64_t virtio_common_read(struct virtio_pci *p, unsigned off, unsigned size)
{
	if (!valid(off, size))
		return 0;
	struct virtq *q = sel_queue(p);
	switch (off) {
	case VIRTIO_CC_DFSELECT:     return p->dfselect;
	case VIRTIO_CC_DF:
		return p->dfselect < 2 ? (uint32_t)(offered(p) >> (32 * p->dfselect)) : 0;
	case VIRTIO_CC_GFSELECT:     return p->gfselect;
	case VIRTIO_CC_GF:
		return p->gfselect < 2 ? (uint32_t)(p->vd.driver_features >> (32 * p->gfselect)) : 0;
	case VIRTIO_CC_MSIX_CONFIG:  return p->msix_config;
	case VIRTIO_CC_NUM_QUEUES:   return nqueues(p);
	case VIRTIO_CC_STATUS:       return p->vd.status;
	case VIRTIO_CC_GENERATION:   return p->generation;
	case VIRTIO_CC_Q_SELECT:     return p->queue_select;
	case VIRTIO_CC_Q_SIZE:       return q ? q->size : 0;
	case VIRTIO_CC_Q_MSIX:
		return q ? p->queue_vector[p->queue_select] : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_CC_Q_ENABLE:     return q ? q->enabled : 0;
	case VIRTIO_CC_Q_NOTIFY_OFF: return q ? p->queue_select : 0;
	default:
		break;
	}
	if (!q)
		return 0;
	uint64_t v = *addr_field(q, off);	/* a queue address, or its half */
	return size == 8 ? v : (uint32_t)(v >> (off % 8 ? 32 : 0));
}

/* An MSI-X vector the driver maps: one the function has, else
 * NO_VECTOR (4.1.5.1.2: reading it back tells the driver it failed). */
static uint16_t vector(const struct virtio_pci *p, uint64_t val)
{
	return (uint16_t)val < p->msix.nvec ? (uint16_t)val : VIRTIO_MSI_NO_VECTOR;
}

static void write_status(struct virtio_pci *p, uint8_t val)
{
	uint8_t old = p->vd.status;
	if (val == 0) {
		virtio_pci_device_reset(p);
		return;
	}
	val &= (uint8_t)~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	val |= old & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if ((old & ~val) != 0)
		return;				/* clears a bit: ignored */
	uint8_t add = (uint8_t)(val & ~old);
	if ((add & VIRTIO_STATUS_FEATURES_OK) &&
	    ((val & ST_SETUP) != ST_SETUP ||
	     (p->vd.driver_features & ~offered(p)) ||
	     !virtio_has(&p->vd, VIRTIO_F_VERSION_1)))
		val &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;	/* 3.1.1 step 6 reads it back */
	if ((add & VIRTIO_STATUS_DRIVER_OK) && !(val & VIRTIO_STATUS_FEATURES_OK))
		val &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
	p->vd.status = val;
	if ((val & ~old) & VIRTIO_STATUS_DRIVER_OK)
		virtio_pci_driver_ok(p);
}

/* Queue registers may change while the queue is disabled and the driver
 * has not set DRIVER_OK (4.1.4.3.2; 3.1.1 step 7 is before step 8). */
static struct virtq *setup_queue(struct virtio_pci *p)
{
	struct virtq *q = sel_queue(p);
	if (!q || q->enabled || q->broken || (p->vd.status & VIRTIO_STATUS_DRIVER_OK))
		return NULL;
	return q;
}

static void enable_queue(struct virtio_pci *p, struct virtq *q, uint64_t val)
{
	/* 4.1.4.3.2: the driver writes 1 only; FEATURES_OK first (3.1.1). */
	if (val != 1 || !(p->vd.status & VIRTIO_STATUS_FEATURES_OK))
		return;
	if (!virtq_enable(q, &p->mem, p->vd.driver_features))
		virtio_needs_reset(&p->vd, virtq_error_name(q->broken));
}

void virtio_common_write(struct virtio_pci *p, unsigned off, unsigned size, uint64_t val)
{
	if (!valid(off, size))
		return;
	struct virtq *q;
	switch (off) {
	case VIRTIO_CC_DFSELECT: p->dfselect = (uint32_t)val; return;
	case VIRTIO_CC_GFSELECT: p->gfselect = (uint32_t)val; return;
	case VIRTIO_CC_GF:
		if (p->gfselect < 2 && !(p->vd.status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * p->gfselect;
			p->vd.driver_features = (p->vd.driver_features & ~(0xffffffffull << sh)) |
						((uint64_t)(uint32_t)val << sh);
		}
		return;
	case VIRTIO_CC_MSIX_CONFIG: p->msix_config = vector(p, val); return;
	case VIRTIO_CC_STATUS:   write_status(p, (uint8_t)val); return;
	case VIRTIO_CC_Q_SELECT: p->queue_select = (uint16_t)val; return;
	case VIRTIO_CC_Q_MSIX:
		if (sel_queue(p))
			p->queue_vector[p->queue_select] = vector(p, val);
		return;
	case VIRTIO_CC_Q_SIZE:
		/* 4.1.4.3.2: a size the device takes (a power of 2 up to
		 * its maximum) or the write is ignored. */
		q = setup_queue(p);
		val = (uint16_t)val;
		if (q && val && !(val & (val - 1)) && val <= p->vd.type->queue_max)
			q->size = (uint16_t)val;
		return;
	case VIRTIO_CC_Q_ENABLE:
		if ((q = setup_queue(p)))
			enable_queue(p, q, (uint16_t)val);
		return;
	case VIRTIO_CC_DF: case VIRTIO_CC_NUM_QUEUES: case VIRTIO_CC_GENERATION:
	case VIRTIO_CC_Q_NOTIFY_OFF:
		return;				/* read-only */
	default:
		break;
	}
	if (!(q = setup_queue(p)))
		return;
	uint64_t *f = addr_field(q, off);
	if (size == 8)
		*f = val;
	else if (off % 8)
		*f = (*f & 0xffffffffull) | (uint64_t)(uint32_t)val << 32;
	else
		*f = (*f & ~0xffffffffull) | (uint32_t)val;
}
