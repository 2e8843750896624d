/*
 * net/mac_table.h - the switch's learned MAC addresses: which port a
 * source MAC was last seen on (a learning bridge, IEEE 802.1Q-2018, 8.7
 * "Learning Process"). A fixed table; when it is full the oldest entry
 * goes. Not locked: the switch's lock covers it.
 */
#ifndef YAKVM_NET_MAC_TABLE_H
#define YAKVM_NET_MAC_TABLE_H

#include <stdint.h>
#include "net/eth.h"

#define MAC_TABLE_SIZE 256

struct mac_entry {
	uint8_t mac[ETH_ALEN];
	uint8_t used;
	uint8_t port;                     /* the port's index */
};

struct mac_table {
	struct mac_entry e[MAC_TABLE_SIZE];
	unsigned next;                    /* the slot to replace when full */
};

/* The port `mac` was learned on, or -1. */
int mac_table_lookup(const struct mac_table *t, const uint8_t *mac);
/* Records that `mac` (a unicast source) is behind `port`. */
void mac_table_learn(struct mac_table *t, const uint8_t *mac, unsigned port);
/* Forgets every address learned on `port`. */
void mac_table_forget_port(struct mac_table *t, unsigned port);

#endif
