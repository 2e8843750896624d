/*
 * drivers/net/probe_frames.h - the few frames the NIC self-test sends and
 * reads (drivers/net/selftest.c): a DHCP DISCOVER (RFC 2131, 2132 over
 * UDP/IPv4 on Ethernet) and an ARP request (RFC 826); the OFFER and the
 * ARP reply parsed back. Pure: every length in a received frame is checked
 * against the frame (unit-tested, fuzzed). Addresses are host order
 * (10.0.2.2 is 0x0a000202).
 */
#ifndef YAKVM_DRIVERS_NET_PROBE_FRAMES_H
#define YAKVM_DRIVERS_NET_PROBE_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#define PROBE_FRAME_MAX 590	/* the DISCOVER, the longest frame built */

/* Into buf (PROBE_FRAME_MAX bytes): the frame's length. */
uint32_t probe_dhcp_discover(uint8_t *buf, const uint8_t mac[6], uint32_t xid);
uint32_t probe_arp_request(uint8_t *buf, const uint8_t src_mac[6], uint32_t sender_ip,
			   uint32_t target_ip);

struct dhcp_offer {
	uint32_t yiaddr;	/* the address offered */
	uint32_t server;	/* option 54, server identifier (0: none) */
};
/* A DHCPOFFER (option 53 = 2) to chaddr `mac` with this xid. */
bool probe_parse_dhcp_offer(const uint8_t *f, uint32_t len, const uint8_t mac[6],
			    uint32_t xid, struct dhcp_offer *out);

struct arp_reply {
	uint8_t eth_dst[6];	/* to whom the frame went */
	uint8_t sha[6];		/* the sender's hardware address: the answer */
};
/* An ARP reply (operation 2) from IPv4 address `ip`. */
bool probe_parse_arp_reply(const uint8_t *f, uint32_t len, uint32_t ip,
			   struct arp_reply *out);

/* The Internet checksum (RFC 1071) of n bytes. */
uint16_t probe_ip_checksum(const uint8_t *p, uint32_t n);

#endif
