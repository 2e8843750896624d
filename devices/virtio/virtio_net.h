/*
 * devices/virtio/virtio_net.h - the virtio network device (virtio 1.1,
 * section 5.1) as a port of yakvm's switch (net/port.h): receiveq1 (0)
 * and transmitq1 (1), no control queue; MAC, STATUS, MRG_RXBUF, and
 * checksum and TCP segmentation offload over IPv4 and IPv6 both ways
 * (CSUM, GUEST_CSUM, HOST_TSO4, GUEST_TSO4, HOST_TSO6, GUEST_TSO6;
 * docs/net.md) unless the VM's line says offload=off.
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_NET_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/virtio/virtio_dev.h"
#include "net/port.h"
#include "net/net_lock.h"
#include "core/run/timer.h"
#include "core/run/idle_poll.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM       0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_HOST_TSO4  11
#define VIRTIO_NET_F_HOST_TSO6  12
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_MRG_RXBUF  15
#define VIRTIO_NET_F_STATUS     16

/* The configuration space (5.1.4): mac[6], then status (le16). */
#define VIRTIO_NET_CFG_MAC      0
#define VIRTIO_NET_CFG_STATUS   6
#define VIRTIO_NET_CFG_SIZE     8
#define VIRTIO_NET_S_LINK_UP    1

/* struct virtio_net_hdr (5.1.6): flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers; with VIRTIO_F_VERSION_1 always
 * 12 bytes, num_buffers included (5.1.6.1). */
#define VNET_HDR_LEN            12
#define VNET_HDR_FLAGS          0
#define VNET_HDR_GSO_TYPE       1
#define VNET_HDR_HDR_LEN        2
#define VNET_HDR_GSO_SIZE       4
#define VNET_HDR_CSUM_START     6
#define VNET_HDR_CSUM_OFFSET    8
#define VNET_HDR_NUM_BUFFERS    10
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_GSO_NONE  0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_TCPV6 4

#define VNET_RXQ         0
#define VNET_TXQ         1
#define VNET_QUEUE_SIZE  256
#define VNET_SEGS        32           /* descriptors a chain may have */
#define VNET_RX_CHAINS   64           /* chains one received frame may fill (MRG_RXBUF):
					 * a 64 KiB GSO frame in buffers of 1 KiB or more */
#define VNET_CHAIN_MAX   (1ull << 24) /* bytes a chain may hold; more breaks the queue */
#define VNET_TX_BUDGET   64           /* frames sent per call: per round (docs/net.md) */
#define VNET_BACKLOG     64           /* frames waiting for receive buffers */
/* Transmit polling (virtio_net_tx_poll.c): after this long without a
 * chain, transmitq1's notifications go back on. Longer than two time
 * slices (SCHED_SLICE_US): a sender that shares its CPU and waits out
 * another vCPU's slice comes back to find polling still on. An idle CPU
 * spins at most this long after the last frame. */
#define VNET_TX_POLL_NS  10000000ull
#define VNET_SRC_SHARE   (VNET_BACKLOG / 2) /* of them, at most from one port */
/* The backlog's frames' bytes, in a ring: 4 GSO frames of 64 KiB, or
 * all 64 slots of full-size frames; at most half of it from one port. */
#define VNET_STORE_BYTES (256u * 1024)
#define VNET_SRC_BYTES   (VNET_STORE_BYTES / 2)

struct vnet_slot {
	uint32_t len;
	uint32_t at;                      /* its bytes: store[at..at+len) */
	uint8_t src;                      /* the sending port's index */
	struct net_offload off;           /* as the switch handed it (only what rx_offload takes) */
};

/* Who took transmitq1's chains (struct vnet's tx_polled). */
enum vnet_tx_by { VNET_TX_BY_NOTIFY, VNET_TX_BY_IDLE_CPU, VNET_TX_BY_EXIT, VNET_TX_BY_TIMER,
		  VNET_TX_BY_N };

/* One VM's network device: made with its switch port when the VM is
 * built (virtio_net_vm.c); the transport's type_state points at it. */
struct vnet {
	struct net_port port;
	struct virtio_dev *vd;
	/* The receive backlog: frames the switch delivered (on the sender's
	 * CPU, under the switch lock) until this device's lock is taken, by
	 * `kick` or by a notification of receiveq1. A leaf lock. */
	struct spinlock rx_lock;
	bool rx_ready;                    /* DRIVER_OK, not reset, not stopped */
	unsigned head, count;
	uint8_t per_src[NET_PORTS_MAX];   /* backlog frames by sending port */
	uint32_t per_src_bytes[NET_PORTS_MAX];
	uint32_t store_tail;              /* where the next frame's bytes go */
	struct vtimer kick;
	uint64_t notified[2];             /* the driver's notifications, by queue */
	/* Transmit polling (virtio_net_tx_poll.c): tx_poll.wanted while
	 * transmitq1's notifications are off. Under the device lock. */
	struct idle_poll tx_poll;
	uint64_t tx_busy_ns;              /* the last chain or notification */
	struct vtimer tx_timer;           /* when nobody polls; chains left */
	uint64_t tx_polled[VNET_TX_BY_N]; /* rounds that took chains, by whom */
	uint64_t used_rounds[2];          /* virtio_used() calls (each may interrupt) */
	/* Receive chains popped but not yet used: a frame that needs more
	 * than the driver has made available waits for more (held chains go
	 * back to the driver with the frame). Under the device lock. */
	unsigned held;
	uint64_t held_room;
	struct virtq_chain rx_chain[VNET_RX_CHAINS];
	struct virtq_seg segs[VNET_RX_CHAINS][VNET_SEGS];
	uint8_t tx_buf[VNET_HDR_LEN + NET_GSO_FRAME_MAX + 1];
	struct vnet_slot backlog[VNET_BACKLOG];
	uint8_t store[VNET_STORE_BYTES];
};

extern const struct virtio_type virtio_net_type;         /* with offload */
extern const struct virtio_type virtio_net_type_plain;   /* offload=off */

/* transmitq1: up to VNET_TX_BUDGET chains into the switch (5.1.6.2);
 * how many. */
unsigned vnet_tx(struct vnet *vn);
/* The driver notified transmitq1: its chains, then polling while a CPU
 * is idle (virtio_net_tx_poll.c; under the device lock). */
void vnet_tx_notified(struct vnet *vn);
/* A look at transmitq1 while polling, after an exit of the VM's vCPUs
 * (vm_exit_polls): takes the device lock. */
void vnet_tx_exit_poll(void *vn);
/* Polling off and its timer stopped (reset; for good: stop, and out of
 * the idle CPUs' registry), under the device lock. */
void vnet_tx_poll_stop(struct vnet *vn, bool for_good);
/* Its timer, its idle poll and its exit poll (type init). */
void vnet_tx_init(struct vnet *vn);
/* The port's deliver (net/port.h): into the backlog, and a kick. */
bool vnet_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
		  uint32_t len, const struct net_offload *off);
/* The backlog into receiveq1's buffers (5.1.6.3, 5.1.6.4), under the
 * device lock. */
void vnet_rx_drain(struct vnet *vn);
/* rx_ready on or off; off empties the backlog and forgets held chains.
 * On, the port's rx_offload follows the negotiated features. */
void vnet_rx_set_ready(struct vnet *vn, bool ready);
/* The link up or down (the monitor's `link`): the port's state, the
 * configuration's status, and a configuration-change interrupt. False if
 * it already was. Takes the device lock. */
bool vnet_set_link(struct vnet *vn, bool up);

#endif
