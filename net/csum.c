/*
 * net/csum.c - the Internet checksum (RFC 1071) and the completion of a
 * partial checksum (virtio 1.1, 5.1.6.2: "the checksum from csum_start
 * to the end of the packet, placed at csum_start + csum_offset").
 */
#include "net/csum.h"

uint64_t net_csum_add(uint64_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

uint16_t net_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void net_csum_complete(uint8_t *frame, uint32_t len, uint32_t start, uint32_t offset)
{
	uint16_t c = net_csum_fold(net_csum_add(0, frame + start, len - start));
	net_put_be16(frame + start + offset, c ? c : 0xffff);
}
