/*
 * net/uplink.c - the host's network card (drivers/net/netdev.h) as the
 * switch's uplink port (NET_PORT_UPLINK: any source; only frames for a
 * VM's MAC and group frames get in; docs/net.md).
 *
 * Out: the switch's deliver() sends the frame through the card at once,
 * on the sending VM's CPU under the switch lock (lock order: switch, then
 * card); a full transmit ring drops it, counted as no-room. The card
 * never calls back, and its lock is never held while calling the switch.
 *
 * In: the card is polled (it raises no interrupt) from a device timer on
 * the CPU that started the uplink: each round takes at most UPLINK_BUDGET
 * frames, each handed to net_switch_input with the card's lock released.
 * Device timers run in timers_run(), from the vCPU loop and from the idle
 * loop, so frames come in while every vCPU halts. The next round comes
 * after UPLINK_BUSY_NS while frames go by either way (also after a round
 * that used up its budget: a flood from the wire takes a bounded share of
 * the CPU), else after UPLINK_IDLE_NS.
 *
 * Checksums: the uplink takes no offload (rx_offload 0), so the switch
 * completes a VM's partial checksums and cuts its GSO frames into
 * segments before they reach deliver (net/switch.c): every frame that
 * goes out is a complete one of at most ETH_FRAME_MAX.
 */
#include "net/uplink.h"
#include "drivers/net/netdev.h"
#include "core/run/timer.h"
#include "lib/log.h"
#include "lib/string.h"

static struct uplink {
	struct netdev *card;
	struct net_port port;
	struct vtimer poll;
	uint64_t last_frame_ns;			/* atomic: written by any sender */
	uint8_t frame[NETDEV_FRAME_MAX];	/* the polling CPU's */
} up;

static void note_frame(void)
{
	__atomic_store_n(&up.last_frame_ns, time_ns(), __ATOMIC_RELAXED);
}

static bool uplink_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
			   uint32_t len, const struct net_offload *off)
{
	note_frame();
	return netdev_send(up.card, frame, len) == 0;	/* it copies */
}

static void uplink_poll(struct vtimer *t)
{
	unsigned n = 0;
	uint32_t len;
	while (n < UPLINK_BUDGET && (len = netdev_recv(up.card, up.frame)) != 0) {
		net_switch_input(&up.port, up.frame, len, NULL);
		n++;
	}
	if (n)
		note_frame();
	uint64_t now = time_ns();
	uint64_t last = __atomic_load_n(&up.last_frame_ns, __ATOMIC_RELAXED);
	uint64_t wait = now - last < UPLINK_BUSY_FOR_NS ? UPLINK_BUSY_NS : UPLINK_IDLE_NS;
	vtimer_arm(t, now + wait);
}

void net_uplink_start(const char *name)
{
	if (strcmp(name, "none") == 0) {
		log_info("net: uplink=none: the switch has VMs only");
		return;
	}
	struct netdev *card = netdev_find(name);
	if (!card) {
		if (netdev_count())	/* else netdev_report() said there is none */
			log_error("uplink=%s: no network card of that name: the switch has VMs only",
				  name);
		return;
	}
	if (up.port.attached)
		return;
	memset(&up, 0, sizeof(up));
	up.card = card;
	strlcpy(up.port.name, card->name, sizeof(up.port.name));
	memcpy(up.port.mac, card->mac, ETH_ALEN);
	up.port.flags = NET_PORT_UPLINK;
	up.port.deliver = uplink_deliver;
	up.port.owner = &up;
	bool promisc = netdev_set_promisc(card, true) == 0;
	const char *why = net_port_attach(&up.port);
	if (why) {
		log_error("net: %s: not joined to the switch: %s", card->name, why);
		return;
	}
	char mac[18];
	net_mac_format(card->mac, mac);
	log_info("net: %s (%s, MAC %s) is the switch's uplink, port %u%s", card->name,
		 card->driver, mac, up.port.index,
		 promisc ? ", promiscuous" : "; promiscuous mode refused: only broadcast and "
		 "multicast frames reach the VMs");
	up.poll.fire = uplink_poll;
	vtimer_arm(&up.poll, time_ns());
}

struct net_port *net_uplink_port(void)
{
	return up.port.attached ? &up.port : NULL;
}
