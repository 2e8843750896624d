/*
 * devices/virtio/virtio_pci.h - the virtio 1.x PCI transport, the "modern"
 * interface of virtio 1.1, section 4.1: one PCI function per virtio device
 * (vendor 0x1af4, device 0x1040 + the type's ID, revision 1; 4.1.2), its
 * virtio capabilities (4.1.4) all in memory BAR 0, and MSI-X (4.1.4.3,
 * 4.1.5.1.2) or INTx with the ISR status (4.1.4.5) while MSI-X is off.
 *
 * BAR 0 (VIRTIO_PCI_BAR_SIZE, 32-bit memory, placed by yakvm inside the
 * PCI memory window as firmware would, devices/pci_layout.h; the guest
 * may move it):
 *   0x0000  common configuration (4.1.4.3)
 *   0x1000  ISR status, one byte (4.1.4.5)
 *   0x2000  the type's configuration space (4.1.4.6)
 *   0x3000  notifications (4.1.4.4): queue q at 0x3000 + 4 q
 *           (queue_notify_off q, notify_off_multiplier 4)
 *   0x4000  the MSI-X table (queues + 1 vectors), 0x5000 its PBA
 *
 * A VM's virtio devices are instances (struct virtio_instance): a type,
 * a PCI slot (00:02.0 and up) and the type's argument; devices/virtio/
 * virtio_vm.c makes them from the VM's description.
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_PCI_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_PCI_H

#include "devices/device.h"
#include "devices/msix.h"
#include "devices/pci.h"
#include "devices/pci_layout.h"
#include "devices/virtio/virtio_dev.h"
#include "core/run/timer.h"

#define VIRTIO_PCI_VENDOR        0x1af4u
#define VIRTIO_PCI_DEVICE_BASE   0x1040u   /* + device_id (4.1.2) */
#define VIRTIO_PCI_REVISION      1         /* 4.1.2.1: modern only */
#define VIRTIO_PCI_SUBSYS_VENDOR 0x1af4u

#define VIRTIO_PCI_BAR_SIZE      0x8000u
#define VIRTIO_PCI_COMMON        0x0000u
#define VIRTIO_PCI_COMMON_SIZE   0x38u     /* up to queue_device (1.1) */
#define VIRTIO_PCI_ISR           0x1000u
#define VIRTIO_PCI_DEVCFG        0x2000u
#define VIRTIO_PCI_DEVCFG_SIZE   0x1000u
#define VIRTIO_PCI_NOTIFY        0x3000u
#define VIRTIO_PCI_NOTIFY_MULT   4u
#define VIRTIO_PCI_MSIX_TABLE    0x4000u
#define VIRTIO_PCI_MSIX_PBA      0x5000u

/* Where BAR 0 of the device in PCI slot s is put before boot: 1 MiB
 * apart from the window's start (the test device's BARs are at its top). */
#define VIRTIO_PCI_BAR_BASE(slot) (PCI_MMIO_WINDOW_BASE + (uint32_t)(slot) * 0x100000u)
#define VIRTIO_PCI_FIRST_SLOT    2         /* 00:01.0 is the test device */
#define VIRTIO_PCI_MAX_DEVICES   6         /* per VM: slots 2-7 */

/* The virtio PCI capability (4.1.4): cfg_type. */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5
#define PCI_CAP_ID_VENDOR         0x09

/* Common configuration registers (4.1.4.3). */
#define VIRTIO_CC_DFSELECT     0x00   /* le32 device_feature_select */
#define VIRTIO_CC_DF           0x04   /* le32 device_feature, RO */
#define VIRTIO_CC_GFSELECT     0x08   /* le32 driver_feature_select */
#define VIRTIO_CC_GF           0x0c   /* le32 driver_feature */
#define VIRTIO_CC_MSIX_CONFIG  0x10   /* le16 */
#define VIRTIO_CC_NUM_QUEUES   0x12   /* le16, RO */
#define VIRTIO_CC_STATUS       0x14   /* u8 */
#define VIRTIO_CC_GENERATION   0x15   /* u8, RO */
#define VIRTIO_CC_Q_SELECT     0x16   /* le16 */
#define VIRTIO_CC_Q_SIZE       0x18   /* le16 */
#define VIRTIO_CC_Q_MSIX       0x1a   /* le16 */
#define VIRTIO_CC_Q_ENABLE     0x1c   /* le16 */
#define VIRTIO_CC_Q_NOTIFY_OFF 0x1e   /* le16, RO */
#define VIRTIO_CC_Q_DESC       0x20   /* le64 */
#define VIRTIO_CC_Q_DRIVER     0x28   /* le64 */
#define VIRTIO_CC_Q_DEVICE     0x30   /* le64 */

#define VIRTIO_MSI_NO_VECTOR   0xffffu
#define VIRTIO_ISR_QUEUE       0x1
#define VIRTIO_ISR_CONFIG      0x2

/* One virtio device of a VM, as its description asks for it. */
struct virtio_instance {
	const struct virtio_type *type;
	uint8_t slot;                  /* PCI device number: 00:slot.0 */
	const void *arg;               /* the type's argument (virtio_type.init) */
};

/* The transport's state: the model's device state. */
struct virtio_pci {
	struct virtio_dev vd;
	struct pci_function pci;
	struct msix msix;
	struct virtq_mem mem;          /* the VM's RAM, for the queues */
	uint32_t dfselect, gfselect;
	uint16_t queue_select;
	uint16_t msix_config;
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
	uint8_t isr;                   /* VIRTIO_ISR_* pending (INTx) */
	uint8_t generation;            /* config_generation */
	bool needs_reset_logged;
	/* Queues whose type stopped with chains left: served again by
	 * `again` (virtio_pci.c, "Serving again"). */
	uint8_t again_queues;
	struct vtimer again;
	_Alignas(16) uint8_t type_area[VIRTIO_TYPE_STATE_MAX];
};

/* The model of every virtio PCI function; its decl's arg is a
 * struct virtio_instance. */
extern const struct device_model virtio_pci_model;

/* Common configuration accesses at offset off (virtio_common.c). */
uint64_t virtio_common_read(struct virtio_pci *p, unsigned off, unsigned size);
void virtio_common_write(struct virtio_pci *p, unsigned off, unsigned size, uint64_t val);
/* A device reset (2.1.2, 4.1.4.3.1): status, features, queues, vectors,
 * ISR, and the type's reset. */
void virtio_pci_device_reset(struct virtio_pci *p);
/* The driver set DRIVER_OK. */
void virtio_pci_driver_ok(struct virtio_pci *p);

#endif
