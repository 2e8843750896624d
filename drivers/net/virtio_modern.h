/*
 * drivers/net/virtio_modern.h - the virtio 1.x PCI transport as a driver
 * sees it (virtio 1.1, 4.1): the vendor capabilities that place the common
 * configuration, the notification area and the device configuration in
 * the BARs, and the common configuration's fields (4.1.4.3).
 */
#ifndef YAKVM_DRIVERS_NET_VIRTIO_MODERN_H
#define YAKVM_DRIVERS_NET_VIRTIO_MODERN_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/pci/pci.h"

/* 4.1.4 Virtio Structure PCI Capabilities: cfg_type. */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* 4.1.4.3 struct virtio_pci_common_cfg. */
#define VCC_DEVICE_FEATURE_SELECT 0x00
#define VCC_DEVICE_FEATURE        0x04
#define VCC_DRIVER_FEATURE_SELECT 0x08
#define VCC_DRIVER_FEATURE        0x0c
#define VCC_NUM_QUEUES            0x12
#define VCC_DEVICE_STATUS         0x14
#define VCC_QUEUE_SELECT          0x16
#define VCC_QUEUE_SIZE            0x18
#define VCC_QUEUE_MSIX_VECTOR     0x1a
#define VCC_QUEUE_ENABLE          0x1c
#define VCC_QUEUE_NOTIFY_OFF      0x1e
#define VCC_QUEUE_DESC            0x20
#define VCC_QUEUE_DRIVER          0x28
#define VCC_QUEUE_DEVICE          0x30
#define VCC_SIZE                  0x38

/* 2.1 Device Status Field. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      0x80

#define VIRTIO_F_VERSION_1 32	/* 6.1 */

struct virtio_modern {
	volatile uint8_t *common, *notify, *device;
	uint32_t notify_mult;		/* notify_off_multiplier (4.1.4.4) */
	uint32_t notify_len, device_len;
};

/* Walks the function's capability list (PCI 3.0, 6.7) for the three
 * structures, maps the BARs they sit in: 0, or -1 with *why set. */
int virtio_modern_find(const struct pci_func *f, struct virtio_modern *v, const char **why);

static inline uint8_t vcc_read8(struct virtio_modern *v, unsigned off)
{
	return *(volatile uint8_t *)(v->common + off);
}
static inline uint16_t vcc_read16(struct virtio_modern *v, unsigned off)
{
	return *(volatile uint16_t *)(v->common + off);
}
static inline uint32_t vcc_read32(struct virtio_modern *v, unsigned off)
{
	return *(volatile uint32_t *)(v->common + off);
}
static inline void vcc_write8(struct virtio_modern *v, unsigned off, uint8_t x)
{
	*(volatile uint8_t *)(v->common + off) = x;
}
static inline void vcc_write16(struct virtio_modern *v, unsigned off, uint16_t x)
{
	*(volatile uint16_t *)(v->common + off) = x;
}
static inline void vcc_write32(struct virtio_modern *v, unsigned off, uint32_t x)
{
	*(volatile uint32_t *)(v->common + off) = x;
}
/* 64-bit fields as two 32-bit writes, low half first (4.1.3.1). */
static inline void vcc_write64(struct virtio_modern *v, unsigned off, uint64_t x)
{
	vcc_write32(v, off, (uint32_t)x);
	vcc_write32(v, off + 4, (uint32_t)(x >> 32));
}

#endif
