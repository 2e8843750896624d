/*
 * devices/virtio/virtio_dev.h - what a virtio device type (blk, console,
 * rng, net) gives the transport, and what the transport gives it back
 * (virtio 1.1, chapter 4.1 for the PCI transport, chapter 5 for the
 * device types). The transport (virtio over PCI, devices/virtio/) owns the
 * PCI function, the status and feature negotiation (3.1), the queues'
 * registers and their struct virtq, MSI-X or INTx and the ISR; a device
 * type only answers its configuration space and serves its queues.
 *
 * Locking: every callback runs under the transport's device lock (one
 * lock per virtio device), and so do the transport calls a type makes from
 * them. A type that works outside a callback (a host timer, host input)
 * takes that lock itself (device_lock, devices/device.h).
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_DEV_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "devices/virtio/virtqueue.h"

/* Feature bits of the transport (6, "Reserved Feature Bits"). */
#define VIRTIO_F_VERSION_1       32   /* virtio 1.x: what yakvm offers */
#define VIRTIO_F_ACCESS_PLATFORM 33   /* not offered: no IOMMU */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE        1
#define VIRTIO_STATUS_DRIVER             2
#define VIRTIO_STATUS_DRIVER_OK          4
#define VIRTIO_STATUS_FEATURES_OK        8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED             128

#define VIRTIO_MAX_QUEUES 8
/* The most bytes of a type's own state (virtio_type.state_size): the
 * transport keeps it beside its own, vd->type_state points at it. */
#define VIRTIO_TYPE_STATE_MAX 2048

struct virtio_dev;

/* A device type, as data (one per type, const). */
struct virtio_type {
	const char *name;              /* "virtio-blk", for logs and the monitor */
	uint16_t device_id;            /* 5, "Device Types": 2 blk, 3 console, 4 rng */
	uint8_t pci_class[3];          /* base, sub, prog-if of its PCI function */
	uint64_t features;             /* the type's own bits; VERSION_1 etc. are added */
	unsigned nqueues;              /* at most VIRTIO_MAX_QUEUES */
	uint16_t queue_max;            /* queue size offered (a power of 2) */
	uint32_t config_size;          /* bytes of its configuration space (<= 4096) */
	size_t state_size;             /* bytes of type_state, <= VIRTIO_TYPE_STATE_MAX */
	/* Queues (bit q) whose available buffer notifications the type turns
	 * on and off itself (virtq_set_notify): the transport neither turns
	 * them back on after notify() nor serves them again (a receive queue
	 * whose buffers the device takes only when it has something). */
	uint8_t own_notify_queues;

	/* Once, when the VM is built: type_state is zeroed; `arg` is the
	 * instance's argument (struct virtio_instance, virtio_pci.h: a disk's
	 * image, NULL for rng). May be NULL. */
	void (*init)(struct virtio_dev *vd, const void *arg);

	/* Its configuration space (4.1.4.6), bytes [off, off + size) within
	 * config_size: size 1, 2 or 4, naturally aligned (the transport
	 * checks). */
	uint32_t (*config_read)(struct virtio_dev *vd, uint32_t off, unsigned size);
	void (*config_write)(struct virtio_dev *vd, uint32_t off, unsigned size, uint32_t val);

	/* The driver notified queue q (4.1.4.4), which is enabled and not
	 * broken: pop (at most the queue's size per call), serve, push, and
	 * call virtio_used() once after the pushes. If it popped some and
	 * chains are left, the transport calls it again soon by itself (the
	 * driver may not notify for them: docs/virtio.md, "Serving again"). */
	void (*notify)(struct virtio_dev *vd, unsigned q);

	/* DRIVER_OK was set (the queues are ready; may be NULL). */
	void (*driver_ok)(struct virtio_dev *vd);

	/* A device reset (2.1.2, 4.1.4.3.1): everything but the backing
	 * store (a disk's data) returns to its power-on state. The transport
	 * resets the queues itself. May be NULL. */
	void (*reset)(struct virtio_dev *vd);

	/* The VM stopped for good (device_model.stop): let go of what
	 * outside it reaches the device through (a switch port), freeze its
	 * timers. Under the device lock. May be NULL. */
	void (*stop)(struct virtio_dev *vd);
};

/* One virtio device of a VM: the transport's state and the type's. */
struct virtio_dev {
	const struct virtio_type *type;
	struct vm *vm;
	struct device *dev;            /* the bus device that holds the lock */
	void *type_state;              /* the type's own state */
	uint64_t driver_features;      /* negotiated, valid once FEATURES_OK */
	uint8_t status;
	struct virtq vq[VIRTIO_MAX_QUEUES];
};

/* The transport's side, for a type. */

/* After pushes to queue q: interrupts the driver if the queue asks for
 * it (virtq_need_notify: EVENT_IDX or the NO_INTERRUPT flag), through
 * the queue's MSI-X vector, or INTx with the ISR's queue bit. */
void virtio_used(struct virtio_dev *vd, unsigned q);

/* The configuration space changed (a disk resized, a console's size):
 * the configuration-change interrupt (4.1.4.5). */
void virtio_config_changed(struct virtio_dev *vd);

/* The driver broke a rule (a queue's virtq_error, a malformed request
 * the type cannot answer with an error status): DEVICE_NEEDS_RESET and a
 * configuration-change interrupt (2.1.2), and one log line naming the VM,
 * the device and `why`. The device does nothing more until reset. */
void virtio_needs_reset(struct virtio_dev *vd, const char *why);

/* Whether feature bit `bit` was negotiated. */
static inline bool virtio_has(const struct virtio_dev *vd, unsigned bit)
{
	return (vd->driver_features >> bit) & 1;
}

/* `size` bytes at `off` of a type's configuration space, built as the
 * little-endian byte image cfg[cfg_size] (4.1.3.1); bytes past its end
 * read 0. For the types' config_read. */
static inline uint32_t virtio_config_bytes(const uint8_t *cfg, uint32_t cfg_size, uint32_t off,
					   unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size && off + i < cfg_size; i++)
		v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

#endif
