/*
 * drivers/net/netdev.h - the one interface of yakvm's host network card
 * drivers (virtio-net, Intel 82574L), as blockdev.h is for disks: whole
 * Ethernet frames (destination MAC to the end of the payload, no FCS),
 * copied in and out of the driver's own rings, by polling (no host
 * interrupt is used: the caller polls netdev_recv when it has time).
 *
 * The driver's rings and buffers are yakvm memory, identity mapped, so an
 * address in them is the host-physical address the card's DMA uses. A
 * caller's frame is copied: it may live anywhere and be reused at once.
 *
 * Locking: every call below takes the card's lock (n->lock), so any CPU may
 * call them at any time; a driver's ops run only with that lock held and
 * never call back into netdev. The lock masks interrupts while held.
 */
#ifndef YAKVM_DRIVERS_NET_NETDEV_H
#define YAKVM_DRIVERS_NET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/pci/pci.h"
#include "lib/spinlock.h"

#define NETDEV_FRAME_MAX 1514	/* 14-byte header + 1500 bytes (no VLAN, no jumbo) */
#define NETDEV_FRAME_MIN 60	/* shorter frames are padded with zeros */
#define NETDEV_MAX 4

struct netdev;

struct netdev_ops {
	/* Queues one frame (14..NETDEV_FRAME_MAX bytes): 0, or -1 when the
	 * transmit ring is full or the card is dead. */
	int (*send)(struct netdev *n, const void *frame, uint32_t len);
	/* The next received frame copied into buf (NETDEV_FRAME_MAX bytes):
	 * its length, or 0 when none is waiting. Frames the card marks bad
	 * or longer than buf are dropped and counted, never returned. */
	uint32_t (*recv)(struct netdev *n, void *buf);
	/* Promiscuous (every frame on the wire) on or off: 0, or -1 when the
	 * card cannot do what is asked. */
	int (*set_promisc)(struct netdev *n, bool on);
	bool (*link_up)(struct netdev *n);
};

struct netdev_stats {
	uint64_t tx_frames, tx_full, rx_frames, rx_dropped;
};

struct netdev {
	char name[8];			/* "net0": in the order found */
	const char *driver;		/* "virtio-net", "e1000e" */
	uint8_t bus, dev, fn;		/* the PCI function */
	uint8_t mac[6];
	bool promisc;			/* as last set */
	const struct netdev_ops *ops;
	void *priv;			/* the driver's */
	struct spinlock lock;
	struct netdev_stats stats;	/* under lock */
};

/* Adds a running card (its driver, ops, priv and MAC set), names it
 * net<i> in the order found and logs its boot line (name, driver, PCI
 * address, MAC, link): 0, or -1 when the list is full. */
int netdev_add(struct netdev *n, const struct pci_func *f);
unsigned netdev_count(void);
struct netdev *netdev_get(unsigned i);
struct netdev *netdev_find(const char *name);
/* "52:54:00:12:34:56" into out[18]. */
void netdev_format_mac(const uint8_t mac[6], char out[18]);

/* The calls, each under n->lock (see above). */
int netdev_send(struct netdev *n, const void *frame, uint32_t len);
uint32_t netdev_recv(struct netdev *n, void *buf);
int netdev_set_promisc(struct netdev *n, bool on);
bool netdev_link_up(struct netdev *n);

/* At boot, after the PCI scan: one line when no card was taken. */
void netdev_report(void);
/* net_selftest=NAME (tests only, drivers/net/selftest.c): DHCP and ARP
 * through the card NAME, the answers logged as parsed. */
void netdev_selftest(const char *name);

#endif
