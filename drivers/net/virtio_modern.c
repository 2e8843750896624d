/* drivers/net/virtio_modern.c - find the virtio 1.x structures of a PCI
 * function (virtio 1.1, 4.1.4) and map the BARs holding them. */
#include "drivers/net/virtio_modern.h"
#include "mm/paging.h"
#include "mm/pmm.h"

#define PCI_STATUS      0x06
#define PCI_STATUS_CAPS (1u << 4)
#define PCI_CAP_PTR     0x34
#define PCI_CAP_VENDOR  0x09

/* struct virtio_pci_cap (4.1.4). */
#define CAP_CFG_TYPE 3
#define CAP_BAR      4
#define CAP_OFFSET   8
#define CAP_LENGTH   12
#define CAP_NOTIFY_MULT 16	/* struct virtio_pci_notify_cap (4.1.4.4) */

static volatile uint8_t *place(const struct pci_func *f, unsigned cap, uint32_t need,
			       uint32_t *len, const char **why)
{
	uint8_t bar_no = pci_read8(f, cap + CAP_BAR);
	uint32_t off = pci_read32(f, cap + CAP_OFFSET), n = pci_read32(f, cap + CAP_LENGTH);
	struct pci_bar bar;
	if (bar_no > 5 || pci_bar_read(f, bar_no, &bar) != 0 || !bar.mem || !bar.base) {
		*why = "a capability names an absent BAR";
		return NULL;
	}
	if (n < need || off > bar.size || n > bar.size - off) {
		*why = "a capability lies outside its BAR";
		return NULL;
	}
	paging_map_mmio(bar.base + off, n);
	if (len)
		*len = n;
	return phys_to_virt(bar.base + off);
}

int virtio_modern_find(const struct pci_func *f, struct virtio_modern *v, const char **why)
{
	*v = (struct virtio_modern){ 0 };
	*why = "no virtio 1.x capabilities (a legacy-only device)";
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPS))
		return -1;
	unsigned cap = pci_read8(f, PCI_CAP_PTR) & 0xfc;
	/* At most 48 capabilities fit in 192 bytes: a loop ends there. */
	for (unsigned hops = 0; cap >= 0x40 && hops < 48; hops++) {
		if (pci_read8(f, cap) == PCI_CAP_VENDOR) {
			/* The first of each type is the one to use (4.1.4). */
			switch (pci_read8(f, cap + CAP_CFG_TYPE)) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				if (!v->common && !(v->common = place(f, cap, VCC_SIZE, NULL, why)))
					return -1;
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				if (!v->notify) {
					v->notify_mult = pci_read32(f, cap + CAP_NOTIFY_MULT);
					if (!(v->notify = place(f, cap, 2, &v->notify_len, why)))
						return -1;
				}
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				if (!v->device &&
				    !(v->device = place(f, cap, 1, &v->device_len, why)))
					return -1;
				break;
			}
		}
		cap = pci_read8(f, cap + 1) & 0xfc;
	}
	if (!v->common || !v->notify || !v->device) {
		if (v->common || v->notify || v->device)
			*why = "a virtio 1.x capability is missing";
		return -1;
	}
	return 0;
}
