/*
 * net/eth.h - Ethernet frames as the switch sees them (IEEE 802.3-2018,
 * 3.1.1): destination MAC, source MAC, then the type or length; no
 * preamble and no FCS (virtio-net and NICs strip them). A MAC whose first
 * byte has bit 0 set is a group (multicast or broadcast) address; bit 1
 * marks a locally administered one (IEEE 802-2014, 8.2.2).
 */
#ifndef YAKVM_NET_ETH_H
#define YAKVM_NET_ETH_H

#include <stdbool.h>
#include <stdint.h>

#define ETH_ALEN       6
#define ETH_HLEN       14               /* dst, src, type */
#define ETH_VLAN_HLEN  4                /* an 802.1Q tag */
#define ETH_MTU        1500
/* The largest frame a port may send: a 1500-byte payload with one VLAN
 * tag (no segmentation offload is offered, so nothing larger is legal). */
#define ETH_FRAME_MAX  (ETH_HLEN + ETH_VLAN_HLEN + ETH_MTU)

static inline const uint8_t *eth_dst(const uint8_t *frame) { return frame; }
static inline const uint8_t *eth_src(const uint8_t *frame) { return frame + ETH_ALEN; }

static inline bool eth_is_group(const uint8_t *mac) { return mac[0] & 1; }

static inline bool eth_same(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < ETH_ALEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline bool eth_is_zero(const uint8_t *mac)
{
	for (int i = 0; i < ETH_ALEN; i++)
		if (mac[i])
			return false;
	return true;
}

#endif
