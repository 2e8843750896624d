/*
 * drivers/net/nic_ring.h - what the host NIC drivers read back from a card,
 * checked before use (pure logic, unit-tested and fuzzed): a card that
 * lies about an index or a length makes yakvm drop the frame or stop using
 * the card, never read outside a buffer.
 */
#ifndef YAKVM_DRIVERS_NET_NIC_RING_H
#define YAKVM_DRIVERS_NET_NIC_RING_H

#include <stdint.h>

#define NIC_ETH_HLEN 14

/* Split virtqueue (virtio 1.1, 2.6.8): how many used elements are new
 * between our last_used and the device's used->idx (both free-running
 * 16-bit counters); more than the queue size means the device is broken:
 * returned as -1. */
int nic_virtq_new_used(uint16_t used_idx, uint16_t last_used, uint16_t qsize);

/* virtio-net receive (virtio 1.1, 5.1.6.4): the device wrote `used_len`
 * bytes (the virtio_net_hdr of hdr_len bytes, then the frame) into a
 * buffer of buf_len bytes: the frame's length, or 0 when used_len cannot
 * be true (shorter than a header and an Ethernet header, longer than the
 * buffer) or the frame is longer than max_frame. */
uint32_t nic_virtio_rx_len(uint32_t used_len, uint32_t hdr_len, uint32_t buf_len,
			   uint32_t max_frame);

/* 82574L legacy receive descriptor write-back (82574 datasheet 7.1):
 * status DD/EOP, errors, length. */
#define E1000_RXD_STA_DD  0x01
#define E1000_RXD_STA_EOP 0x02
/* The frame's length, or 0 to drop it: not a whole frame in one buffer
 * (no EOP), an error bit set, shorter than an Ethernet header, longer than
 * the buffer or than max_frame. */
uint32_t nic_e1000_rx_len(uint8_t status, uint8_t errors, uint16_t length,
			  uint32_t buf_len, uint32_t max_frame);

/* The next slot of a ring of n entries. */
static inline uint16_t nic_ring_next(uint16_t i, uint16_t n)
{
	return (uint16_t)(i + 1 == n ? 0 : i + 1);
}

#endif
