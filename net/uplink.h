/*
 * net/uplink.h - the host's network card as the switch's uplink port
 * (net/uplink.c, docs/net.md).
 */
#ifndef YAKVM_NET_UPLINK_H
#define YAKVM_NET_UPLINK_H

#include "net/port.h"

#define UPLINK_BUDGET      64             /* frames taken from the card per round */
#define UPLINK_IDLE_NS     1000000ull     /* between rounds when nothing went by: 1 ms */
#define UPLINK_BUSY_NS     100000ull      /* between rounds while frames go by: 100 us */
#define UPLINK_BUSY_FOR_NS 10000000ull    /* "while": a frame either way in the last 10 ms */

/* At boot, after the PCI scan, before the VMs: joins the card `name`
 * (uplink=, net0 by default; "none": no uplink) to the switch, in
 * promiscuous mode, and starts polling it on this CPU. One boot line. */
void net_uplink_start(const char *name);

/* The uplink's port, or NULL when there is none. */
struct net_port *net_uplink_port(void);

#endif
