/* drivers/net/nic_ring.c - checks of what a card writes back (nic_ring.h). */
#include "drivers/net/nic_ring.h"

int nic_virtq_new_used(uint16_t used_idx, uint16_t last_used, uint16_t qsize)
{
	uint16_t n = (uint16_t)(used_idx - last_used);
	return n > qsize ? -1 : n;
}

uint32_t nic_virtio_rx_len(uint32_t used_len, uint32_t hdr_len, uint32_t buf_len,
			   uint32_t max_frame)
{
	if (used_len > buf_len || used_len < hdr_len + NIC_ETH_HLEN)
		return 0;
	uint32_t frame = used_len - hdr_len;
	return frame > max_frame ? 0 : frame;
}

uint32_t nic_e1000_rx_len(uint8_t status, uint8_t errors, uint16_t length,
			  uint32_t buf_len, uint32_t max_frame)
{
	if (!(status & E1000_RXD_STA_DD) || !(status & E1000_RXD_STA_EOP) || errors)
		return 0;
	if (length < NIC_ETH_HLEN || length > buf_len || length > max_frame)
		return 0;
	return length;
}
