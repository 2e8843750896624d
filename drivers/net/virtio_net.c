/*
 * drivers/net/virtio_net.c - yakvm's host driver for a virtio-net card on
 * the virtio 1.x PCI transport (virtio 1.1, 4.1; the device, 5.1): QEMU's
 * virtio-net-pci, modern-only (1af4:1041) or transitional (1af4:1000) with
 * its modern capabilities. One receive and one transmit queue (5.1.2),
 * the control queue where the device has one (for promiscuous mode), no
 * offloads, polled.
 */
#include "drivers/net/virtio_net.h"
#include "drivers/net/netdev.h"
#include "drivers/net/nic_ring.h"
#include "drivers/net/virtio_modern.h"
#include "drivers/net/virtio_ring.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/string.h"

#define VIRTIO_NET_F_MAC    5	/* 5.1.3 */
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_S_LINK_UP 1	/* 5.1.4 */
#define NET_CFG_MAC    0
#define NET_CFG_STATUS 6
#define NET_HDR_LEN   12	/* struct virtio_net_hdr with num_buffers (5.1.6) */
#define RXQ 0			/* receiveq1, transmitq1 (5.1.2) */
#define TXQ 1
#define CTRLQ 2			/* controlq: 2N, N = 1 without VIRTIO_NET_F_MQ */
#define VIRTIO_NET_CTRL_RX 0	/* 5.1.6.5.1: class, and its command */
#define VIRTIO_NET_CTRL_RX_PROMISC 0
#define VIRTIO_NET_OK 0
#define HAS_CTRL_RX(d) ((d)->features & (1ull << VIRTIO_NET_F_CTRL_RX))
#define VNET_MAX 2

struct vnet {
	struct netdev nd;
	struct virtio_modern v;
	struct vring q[3];
	volatile uint16_t *doorbell[3];
	uint64_t features;
	bool told_broken;
};

static struct vnet vnets[VNET_MAX];
static unsigned nvnets;

static void kick(struct vnet *d, unsigned qi)
{
	vring_publish(&d->q[qi]);
	*d->doorbell[qi] = (uint16_t)qi;	/* 4.1.5.2: the queue's index */
}

static bool dead(struct vnet *d)
{
	if (!d->q[RXQ].broken && !d->q[TXQ].broken && !d->q[CTRLQ].broken)
		return false;
	if (!d->told_broken)
		log_error("%s: the device wrote an impossible used-ring entry: card no "
			  "longer used", d->nd.name);
	d->told_broken = true;
	return true;
}

static int vnet_send(struct netdev *n, const void *frame, uint32_t len)
{
	struct vnet *d = n->priv;
	struct vring *q = &d->q[TXQ];
	uint16_t id;
	uint32_t used_len;
	while (vring_take_used(q, &id, &used_len))	/* sent: free again */
		q->free[q->nfree++] = id;
	if (dead(d) || q->nfree == 0 || len > VRING_BUF - NET_HDR_LEN)
		return -1;
	id = q->free[--q->nfree];
	uint8_t *b = vring_buf(q, id);
	memset(b, 0, NET_HDR_LEN);	/* no checksum, no GSO (5.1.6.2) */
	memcpy(b + NET_HDR_LEN, frame, len);
	vring_offer(q, id, NET_HDR_LEN + len, 0);
	kick(d, TXQ);
	return 0;
}

static uint32_t vnet_recv(struct netdev *n, void *buf)
{
	struct vnet *d = n->priv;
	struct vring *q = &d->q[RXQ];
	uint16_t id;
	uint32_t used_len;
	while (vring_take_used(q, &id, &used_len)) {
		uint32_t len = nic_virtio_rx_len(used_len, NET_HDR_LEN, VRING_BUF,
						 NETDEV_FRAME_MAX);
		if (len)
			memcpy(buf, vring_buf(q, id) + NET_HDR_LEN, len);
		else
			n->stats.rx_dropped++;
		vring_offer(q, id, VRING_BUF, VRING_DESC_F_WRITE);	/* 5.1.6.3 */
		kick(d, RXQ);
		if (len)
			return len;
	}
	dead(d);
	return 0;
}

/* One VIRTIO_NET_CTRL_RX_PROMISC command (5.1.6.5, 5.1.6.5.1): class,
 * command and the 1-byte state in descriptor 0, the ack written into
 * descriptor 1; polled for at most a second. */
static int ctrl_promisc(struct vnet *d, bool on)
{
	struct vring *q = &d->q[CTRLQ];
	uint8_t *cmd = vring_buf(q, 0), *ack = vring_buf(q, 1);
	cmd[0] = VIRTIO_NET_CTRL_RX;
	cmd[1] = VIRTIO_NET_CTRL_RX_PROMISC;
	cmd[2] = on;
	*(volatile uint8_t *)ack = 0xff;
	vring_offer_chain(q, 0, 3, 1, 1);
	kick(d, CTRLQ);
	uint64_t deadline = rdtsc() + 1000ull * tsc_khz();
	uint16_t id;
	uint32_t len;
	while (!vring_take_used(q, &id, &len)) {
		if (dead(d) || rdtsc() > deadline)
			return -1;	/* the chain stays the device's: never reused */
		cpu_relax();
	}
	return *(volatile uint8_t *)ack == VIRTIO_NET_OK ? 0 : -1;
}

/* Without VIRTIO_NET_F_CTRL_RX there is no receive filter to set
 * (5.1.6.5.1): the device delivers what it delivers (QEMU's: every frame,
 * which the self-test checks), and off cannot be asked. */
static int vnet_set_promisc(struct netdev *n, bool on)
{
	struct vnet *d = n->priv;
	if (HAS_CTRL_RX(d))
		return d->q[CTRLQ].out[0] ? -1 : ctrl_promisc(d, on);
	return on ? 0 : -1;
}

static bool vnet_link_up(struct netdev *n)
{
	struct vnet *d = n->priv;
	if (!(d->features & (1ull << VIRTIO_NET_F_STATUS)))
		return true;	/* 5.1.4.2: assume the link is active */
	return *(volatile uint16_t *)(d->v.device + NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
}

static const struct netdev_ops vnet_ops = {
	.send = vnet_send, .recv = vnet_recv,
	.set_promisc = vnet_set_promisc, .link_up = vnet_link_up,
};

static bool set_status(struct vnet *d, uint8_t bits)
{
	vcc_write8(&d->v, VCC_DEVICE_STATUS, vcc_read8(&d->v, VCC_DEVICE_STATUS) | bits);
	return vcc_read8(&d->v, VCC_DEVICE_STATUS) & bits;
}

/* 4.1.5.1.3 Virtqueue Configuration. */
static const char *setup_queue(struct vnet *d, uint16_t qi, unsigned buf_pages)
{
	struct virtio_modern *v = &d->v;
	vcc_write16(v, VCC_QUEUE_SELECT, qi);
	uint16_t max = vcc_read16(v, VCC_QUEUE_SIZE);
	if (max < VRING_SIZE)
		return "a queue is missing or smaller than 64 entries";
	uint64_t page = pmm_alloc_page();
	uint64_t bufs = pmm_alloc_pages(buf_pages);
	if (!page || !bufs)
		return "out of memory";
	struct vring *q = &d->q[qi];
	vring_init(q, phys_to_virt(page), phys_to_virt(bufs), bufs);
	vcc_write16(v, VCC_QUEUE_SIZE, VRING_SIZE);
	vcc_write16(v, VCC_QUEUE_MSIX_VECTOR, 0xffff);	/* VIRTIO_MSI_NO_VECTOR: polled */
	vcc_write64(v, VCC_QUEUE_DESC, page);
	vcc_write64(v, VCC_QUEUE_DRIVER, page + VRING_AVAIL_OFF);
	vcc_write64(v, VCC_QUEUE_DEVICE, page + VRING_USED_OFF);
	uint64_t off = (uint64_t)vcc_read16(v, VCC_QUEUE_NOTIFY_OFF) * v->notify_mult;
	if (off + 2 > v->notify_len)
		return "a queue's notification address lies outside the notify structure";
	d->doorbell[qi] = (volatile uint16_t *)(v->notify + off);
	vcc_write16(v, VCC_QUEUE_ENABLE, 1);
	return NULL;
}

static uint64_t device_features(struct virtio_modern *v)
{
	vcc_write32(v, VCC_DEVICE_FEATURE_SELECT, 0);
	uint64_t lo = vcc_read32(v, VCC_DEVICE_FEATURE);
	vcc_write32(v, VCC_DEVICE_FEATURE_SELECT, 1);
	return lo | (uint64_t)vcc_read32(v, VCC_DEVICE_FEATURE) << 32;
}

/* 3.1.1 Driver Requirements: Device Initialization. */
static const char *bring_up(struct vnet *d)
{
	struct virtio_modern *v = &d->v;
	vcc_write8(v, VCC_DEVICE_STATUS, 0);	/* reset */
	uint64_t deadline = rdtsc() + 1000ull * tsc_khz();
	while (vcc_read8(v, VCC_DEVICE_STATUS) != 0) {	/* 4.1.4.3.2 */
		if (rdtsc() > deadline)
			return "the reset did not complete within a second";
		cpu_relax();
	}
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	uint64_t offered = device_features(v);
	if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
		return "VIRTIO_F_VERSION_1 not offered";
	d->features = offered & (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC |
				 1ull << VIRTIO_NET_F_STATUS);
	uint64_t ctrl = 1ull << VIRTIO_NET_F_CTRL_VQ | 1ull << VIRTIO_NET_F_CTRL_RX;
	if ((offered & ctrl) == ctrl)	/* CTRL_RX depends on CTRL_VQ (5.1.3.1) */
		d->features |= ctrl;
	vcc_write32(v, VCC_DRIVER_FEATURE_SELECT, 0);
	vcc_write32(v, VCC_DRIVER_FEATURE, (uint32_t)d->features);
	vcc_write32(v, VCC_DRIVER_FEATURE_SELECT, 1);
	vcc_write32(v, VCC_DRIVER_FEATURE, (uint32_t)(d->features >> 32));
	if (!set_status(d, VIRTIO_STATUS_FEATURES_OK))
		return "the device refused our features (FEATURES_OK not kept)";
	if (vcc_read16(v, VCC_NUM_QUEUES) < (HAS_CTRL_RX(d) ? 3 : 2))
		return "fewer queues than the features call for";
	const char *why;
	unsigned ring_pages = VRING_SIZE * VRING_BUF / PAGE_SIZE;
	if ((why = setup_queue(d, RXQ, ring_pages)) || (why = setup_queue(d, TXQ, ring_pages)) ||
	    (HAS_CTRL_RX(d) && (why = setup_queue(d, CTRLQ, 1))))	/* buffers 0 and 1 */
		return why;
	if (v->device_len < NET_CFG_STATUS + 2)
		return "the device configuration is too short";
	for (unsigned i = 0; i < 6; i++)	/* 5.1.5: a MAC of its own */
		d->nd.mac[i] = d->features & (1ull << VIRTIO_NET_F_MAC) ?
			       v->device[NET_CFG_MAC + i] : (uint8_t)(i ? 0 : 0x02);
	if (!(d->features & (1ull << VIRTIO_NET_F_MAC)))
		d->nd.mac[5] = (uint8_t)(nvnets + 1);	/* locally administered */
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
	for (uint16_t id = 0; id < VRING_SIZE; id++)	/* 5.1.6.3: fill receiveq1 */
		vring_offer(&d->q[RXQ], id, VRING_BUF, VRING_DESC_F_WRITE);
	d->q[RXQ].nfree = 0;
	kick(d, RXQ);
	return NULL;
}

bool virtio_net_probe(const struct pci_func *f)
{
	if (nvnets == VNET_MAX || netdev_count() == NETDEV_MAX) {
		log_warn("virtio-net %02x:%02x.%u: too many cards: left alone", f->bus, f->dev,
			 f->fn);
		return false;
	}
	struct vnet *d = &vnets[nvnets];
	const char *why;
	if (virtio_modern_find(f, &d->v, &why)) {
		log_warn("virtio-net %02x:%02x.%u: %s: left alone", f->bus, f->dev, f->fn, why);
		return false;
	}
	pci_take(f);
	if ((why = bring_up(d))) {
		vcc_write8(&d->v, VCC_DEVICE_STATUS, VIRTIO_STATUS_FAILED);
		log_error("virtio-net %02x:%02x.%u: %s: left alone", f->bus, f->dev, f->fn, why);
		return false;
	}
	nvnets++;
	d->nd.driver = "virtio-net";
	d->nd.ops = &vnet_ops;
	d->nd.priv = d;
	/* Promiscuous from the start, asked for where the device can be asked
	 * (an uplink wants every frame); without a filter it is the device's. */
	d->nd.promisc = !HAS_CTRL_RX(d) || ctrl_promisc(d, true) == 0;
	if (!d->nd.promisc)
		log_warn("virtio-net %02x:%02x.%u: the device refused promiscuous mode", f->bus,
			 f->dev, f->fn);
	netdev_add(&d->nd, f);
	return true;
}
