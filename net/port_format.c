/*
 * net/port_format.c - a port's MAC and counters as text, for the monitor's
 * `net` command and the line a VM's port leaves in the log when it stops.
 */
#include "net/port.h"
#include "lib/format.h"

void net_mac_format(const uint8_t *mac, char buf[18])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < ETH_ALEN; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 15];
		buf[3 * i + 2] = i < ETH_ALEN - 1 ? ':' : 0;
	}
}

static uint64_t get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void net_port_format(const struct net_port *p, char *buf, unsigned size)
{
	char mac[18];
	const struct net_port_stats *s = &p->stats;
	net_mac_format(p->mac, mac);
	snprintf(buf, size, "%s %s: in %lu frames %lu bytes, out %lu frames %lu bytes; "
		 "dropped %lu spoofed %lu malformed %lu no-room %lu filtered",
		 p->name, (p->flags & NET_PORT_UPLINK) ? "uplink" : mac,
		 get(&s->in_frames), get(&s->in_bytes), get(&s->out_frames),
		 get(&s->out_bytes), get(&s->drop_spoofed), get(&s->drop_malformed),
		 get(&s->drop_no_room), get(&s->drop_filtered));
}

void net_port_format_offload(const struct net_port *p, char *buf, unsigned size)
{
	const struct net_port_stats *s = &p->stats;
	snprintf(buf, size, "%s offload: in %lu gso %lu csum, out %lu gso %lu csum; "
		 "%lu segmented %lu completed for it; IPv6 gso in %lu out %lu",
		 p->name, get(&s->in_gso), get(&s->in_csum), get(&s->out_gso), get(&s->out_csum),
		 get(&s->out_segmented), get(&s->out_completed), get(&s->in_gso6),
		 get(&s->out_gso6));
}

void net_port_format_link(const struct net_port *p, char *buf, unsigned size)
{
	snprintf(buf, size, "%s link: %s; %lu frames dropped while down", p->name,
		 p->link_down ? "down" : "up", get(&p->stats.drop_link_down));
}

bool net_port_format_line(const struct net_port *p, unsigned k, char *buf, unsigned size)
{
	static void (*const lines[])(const struct net_port *, char *, unsigned) = {
		net_port_format, net_port_format_offload, net_port_format_link,
	};
	if (k >= sizeof(lines) / sizeof(lines[0]))
		return false;
	lines[k](p, buf, size);
	return true;
}
