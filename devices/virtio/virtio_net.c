/*
 * devices/virtio/virtio_net.c - the virtio network device type as data
 * (virtio 1.1, 5.1): device ID 1, two queues (5.1.2: receiveq1,
 * transmitq1; no controlq without VIRTIO_NET_F_CTRL_VQ), the
 * configuration space (5.1.4: the MAC, and the link always up), the
 * features offered (with offload or without, offload=off), and the
 * callbacks that tie it to its switch port (virtio_net_tx.c,
 * virtio_net_rx.c).
 */
#include "devices/virtio/virtio_net.h"
#include "devices/bus.h"
#include "core/vm/vm.h"
#include "lib/log.h"

static struct vnet *vnet_of(struct virtio_dev *vd)
{
	return *(struct vnet **)vd->type_state;
}

static void kick_fire(struct vtimer *t)
{
	struct vnet *vn = t->data;
	uint64_t f = device_lock(vn->vd->dev);
	vnet_rx_drain(vn);
	device_unlock(vn->vd->dev, f);
}

/* `arg` is the VM's struct vnet (virtio_net_vm.c). */
static void init(struct virtio_dev *vd, const void *arg)
{
	struct vnet *vn = (struct vnet *)arg;
	*(struct vnet **)vd->type_state = vn;
	vn->vd = vd;
	vn->kick = (struct vtimer){ .fire = kick_fire, .data = vn,
				    .fire_count = vd->vm ? &vd->vm->timer_fires : NULL };
	vnet_tx_init(vn);
}

static uint32_t config_read(struct virtio_dev *vd, uint32_t off, unsigned size)
{
	const struct vnet *vn = vnet_of(vd);
	uint8_t cfg[VIRTIO_NET_CFG_SIZE] = { 0 };
	for (unsigned i = 0; i < ETH_ALEN; i++)
		cfg[VIRTIO_NET_CFG_MAC + i] = vn->port.mac[i];
	cfg[VIRTIO_NET_CFG_STATUS] = __atomic_load_n(&vn->port.link_down, __ATOMIC_RELAXED) ?
				     0 : VIRTIO_NET_S_LINK_UP;
	return virtio_config_bytes(cfg, VIRTIO_NET_CFG_SIZE, off, size);
}

/* 5.1.4: the MAC is read-only with VERSION_1 (a driver changes it with
 * VIRTIO_NET_CTRL_MAC_ADDR_SET, not offered); writes are ignored. */
static void config_write(struct virtio_dev *vd, uint32_t off, unsigned size, uint32_t val)
{
}

static void notify(struct virtio_dev *vd, unsigned q)
{
	__atomic_fetch_add(&vnet_of(vd)->notified[q & 1], 1, __ATOMIC_RELAXED);
	if (q == VNET_TXQ)
		vnet_tx_notified(vnet_of(vd));
	else
		vnet_rx_drain(vnet_of(vd));	/* the driver added receive buffers */
}

static void driver_ok(struct virtio_dev *vd)
{
	vnet_rx_set_ready(vnet_of(vd), true);
}

static void reset(struct virtio_dev *vd)
{
	vnet_rx_set_ready(vnet_of(vd), false);
	vnet_tx_poll_stop(vnet_of(vd), false);
}

/* The VM stopped: off the switch (its MAC free again), the kick frozen,
 * and its counters in the log. */
static void stop(struct virtio_dev *vd)
{
	struct vnet *vn = vnet_of(vd);
	net_port_detach(&vn->port);
	vnet_rx_set_ready(vn, false);
	uint64_t f = net_lock(&vn->rx_lock);
	vtimer_freeze(&vn->kick);
	net_unlock(&vn->rx_lock, f);
	vnet_tx_poll_stop(vn, true);
	const char *name = vd->vm ? vd->vm->name : "?";
	char line[160];
	for (unsigned k = 0; net_port_format_line(&vn->port, k, line, sizeof(line)); k++)
		log_info("vm %s: net port off the switch: %s", name, line);
	log_info("vm %s: net: the driver notified %lu times for transmitq1, %lu for receiveq1; "
		 "used rounds %lu, %lu", name, vn->notified[VNET_TXQ], vn->notified[VNET_RXQ],
		 vn->used_rounds[VNET_TXQ], vn->used_rounds[VNET_RXQ]);
	log_info("vm %s: net: transmitq1's chains taken in %lu rounds after notifications, %lu by "
		 "idle CPUs, %lu after exits, %lu by its timer", name,
		 vn->tx_polled[VNET_TX_BY_NOTIFY], vn->tx_polled[VNET_TX_BY_IDLE_CPU],
		 vn->tx_polled[VNET_TX_BY_EXIT], vn->tx_polled[VNET_TX_BY_TIMER]);
}

/* 5.1.4.2: with VIRTIO_NET_F_STATUS the driver reads the link from
 * `status` when the configuration changes: the change interrupt. */
bool vnet_set_link(struct vnet *vn, bool up)
{
	if (!net_port_set_link(&vn->port, up))
		return false;
	uint64_t f = device_lock(vn->vd->dev);
	virtio_config_changed(vn->vd);
	device_unlock(vn->vd->dev, f);
	return true;
}

/* 5.1.3: MAC, STATUS, MRG_RXBUF; with offload also CSUM, GUEST_CSUM,
 * HOST_TSO4, GUEST_TSO4, HOST_TSO6, GUEST_TSO6 (the TSO bits need the CSUM
 * ones, 5.1.3.1). */
#define VNET_FEATURES_PLAIN ((1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_MRG_RXBUF) | \
			     (1ull << VIRTIO_NET_F_STATUS))
#define VNET_FEATURES_OFFLOAD ((1ull << VIRTIO_NET_F_CSUM) | (1ull << VIRTIO_NET_F_GUEST_CSUM) | \
			       (1ull << VIRTIO_NET_F_HOST_TSO4) | (1ull << VIRTIO_NET_F_GUEST_TSO4) | \
			       (1ull << VIRTIO_NET_F_HOST_TSO6) | (1ull << VIRTIO_NET_F_GUEST_TSO6))

/* The two types differ only in the features offered (offload= on the
 * module line, core/vm/vmdesc.c). */
#define VNET_TYPE(feat) {						\
	.name = "virtio-net",						\
	.device_id = 1,				/* 5 "Device Types" */	\
	.pci_class = { 0x02, 0x00, 0x00 },	/* network, Ethernet: QEMU's */	\
	.features = (feat),						\
	.nqueues = 2,							\
	.queue_max = VNET_QUEUE_SIZE,					\
	.config_size = VIRTIO_NET_CFG_SIZE,				\
	.state_size = sizeof(struct vnet *),				\
	.own_notify_queues = 1u << VNET_RXQ | 1u << VNET_TXQ, /* _rx.c, _tx_poll.c */ \
	.init = init,							\
	.config_read = config_read,					\
	.config_write = config_write,					\
	.notify = notify,						\
	.driver_ok = driver_ok,						\
	.reset = reset,							\
	.stop = stop,							\
}

const struct virtio_type virtio_net_type = VNET_TYPE(VNET_FEATURES_PLAIN | VNET_FEATURES_OFFLOAD);
const struct virtio_type virtio_net_type_plain = VNET_TYPE(VNET_FEATURES_PLAIN);
