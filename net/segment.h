/*
 * net/segment.h - software segmentation of a TCP/IPv4 GSO frame (what a
 * NIC's TSO does) for a port that did not negotiate taking it whole.
 */
#ifndef YAKVM_NET_SEGMENT_H
#define YAKVM_NET_SEGMENT_H

#include <stdint.h>
#include "net/offload.h"

/* How many segments the checked GSO frame stands for. */
unsigned net_segment_count(uint32_t len, const struct net_offload *o);

/* Writes segment i (< net_segment_count) of the GSO frame frame[0..len),
 * checked by net_offload_check, into out (ETH_FRAME_MAX bytes) with
 * complete checksums; returns its length. */
uint32_t net_segment(const uint8_t *frame, uint32_t len, const struct net_offload *o,
		     unsigned i, uint8_t *out);

#endif
