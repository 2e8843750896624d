/*
 * net/mac_table.c - the switch's learned addresses (mac_table.h). A
 * linear search of 256 entries: a few hundred compares per frame, no
 * hashing a guest could aim at.
 */
#include "net/mac_table.h"

int mac_table_lookup(const struct mac_table *t, const uint8_t *mac)
{
	for (unsigned i = 0; i < MAC_TABLE_SIZE; i++)
		if (t->e[i].used && eth_same(t->e[i].mac, mac))
			return t->e[i].port;
	return -1;
}

void mac_table_learn(struct mac_table *t, const uint8_t *mac, unsigned port)
{
	int free_slot = -1;
	for (unsigned i = 0; i < MAC_TABLE_SIZE; i++) {
		struct mac_entry *e = &t->e[i];
		if (e->used && eth_same(e->mac, mac)) {
			e->port = (uint8_t)port;	/* it moved */
			return;
		}
		if (!e->used && free_slot < 0)
			free_slot = (int)i;
	}
	unsigned slot = free_slot >= 0 ? (unsigned)free_slot : t->next++ % MAC_TABLE_SIZE;
	struct mac_entry *e = &t->e[slot];
	for (int i = 0; i < ETH_ALEN; i++)
		e->mac[i] = mac[i];
	e->port = (uint8_t)port;
	e->used = 1;
}

void mac_table_forget_port(struct mac_table *t, unsigned port)
{
	for (unsigned i = 0; i < MAC_TABLE_SIZE; i++)
		if (t->e[i].used && t->e[i].port == port)
			t->e[i].used = 0;
}
