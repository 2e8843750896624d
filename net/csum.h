/*
 * net/csum.h - the Internet checksum (RFC 1071: the one's-complement sum
 * of 16-bit big-endian words, folded and inverted), and the completion of
 * a partial one (net/offload.h).
 */
#ifndef YAKVM_NET_CSUM_H
#define YAKVM_NET_CSUM_H

#include <stdint.h>

/* Adds p[0..len) to sum as big-endian 16-bit words (an odd last byte is
 * the high byte of a word padded with zero). Start each run of bytes at
 * an even offset of what is summed. */
uint64_t net_csum_add(uint64_t sum, const uint8_t *p, uint32_t len);
/* The folded, inverted 16-bit checksum of sum. */
uint16_t net_csum_fold(uint64_t sum);
/* Completes the partial checksum of frame[0..len): the sum of the bytes
 * from start to the end, stored big-endian at start + offset (0 as
 * 0xffff, as for UDP, RFC 768; the same to TCP). The caller checked the
 * bounds (net_offload_check). */
void net_csum_complete(uint8_t *frame, uint32_t len, uint32_t start, uint32_t offset);

static inline uint16_t net_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void net_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
