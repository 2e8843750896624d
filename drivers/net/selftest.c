/*
 * drivers/net/selftest.c - net_selftest=NAME (tests only): the card NAME
 * proven end to end through its driver, against whatever answers on the
 * wire (QEMU's user network in the tests: tests/e2e/scenarios_nic.py).
 * A DHCP DISCOVER, and the OFFER logged as parsed; an ARP request for the
 * DHCP server, and its reply; then an ARP request from another MAC, whose
 * reply only a promiscuous card receives; with promiscuous mode off (where
 * the card can), that reply must be filtered out while ours comes through.
 * Each answer is awaited with a resend every second and given up after a
 * minute (a dead card, not a slow host: the test waits for the lines).
 */
#include "drivers/net/netdev.h"
#include "drivers/net/probe_frames.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

#define XID 0x79616b76u		/* "vkay" */
#define GIVE_UP_MS 60000ull
#define RESEND_MS 1000ull

static const uint8_t other_mac[6] = { 0x02, 0x79, 0x61, 0x6b, 0x76, 0x01 };
static uint8_t frame[NETDEV_FRAME_MAX];

static void ip_str(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		 ip & 0xff);
}

/* What a wait looks for; its match() fills the answer. */
struct wait {
	const uint8_t *out;	/* the frame to (re)send */
	uint32_t out_len;
	bool (*match)(struct wait *w, const uint8_t *f, uint32_t len);
	const uint8_t *mac;	/* ours */
	uint32_t ip;
	struct dhcp_offer offer;
	struct arp_reply arp;
	bool saw_other;		/* an ARP reply to other_mac went by */
};

static bool match_offer(struct wait *w, const uint8_t *f, uint32_t len)
{
	return probe_parse_dhcp_offer(f, len, w->mac, XID, &w->offer);
}

/* An ARP reply to us; replies to other_mac are noted on the way. */
static bool match_arp_to_us(struct wait *w, const uint8_t *f, uint32_t len)
{
	if (!probe_parse_arp_reply(f, len, w->ip, &w->arp))
		return false;
	if (memcmp(w->arp.eth_dst, other_mac, 6) == 0)
		w->saw_other = true;
	return memcmp(w->arp.eth_dst, w->mac, 6) == 0;
}

static bool match_arp_to_other(struct wait *w, const uint8_t *f, uint32_t len)
{
	return probe_parse_arp_reply(f, len, w->ip, &w->arp) &&
	       memcmp(w->arp.eth_dst, other_mac, 6) == 0;
}

static bool await(struct netdev *n, struct wait *w, const char *what)
{
	uint64_t ms = tsc_khz(), start = rdtsc(), sent = 0;
	for (;;) {
		uint64_t now = rdtsc();
		if (w->out && (sent == 0 || now - sent > RESEND_MS * ms)) {
			if (netdev_send(n, w->out, w->out_len))
				log_warn("%s: self-test: the transmit ring is full", n->name);
			sent = now;
		}
		uint32_t len = netdev_recv(n, frame);
		if (len && w->match(w, frame, len))
			return true;
		if (now - start > GIVE_UP_MS * ms) {	/* also under a stream of others */
			log_error("%s: self-test: no %s within a minute (%lu frames sent, "
				  "%lu received, %lu dropped)", n->name, what, n->stats.tx_frames,
				  n->stats.rx_frames, n->stats.rx_dropped);
			return false;
		}
		if (!len)
			cpu_relax();
	}
}

void netdev_selftest(const char *name)
{
	struct netdev *n = netdev_find(name);
	if (!n) {
		log_error("net_selftest=%s: no network card of that name", name);
		return;
	}
	uint8_t out[PROBE_FRAME_MAX];
	char a[16], b[16], m[18];
	uint64_t deadline = rdtsc() + GIVE_UP_MS * tsc_khz();
	while (!netdev_link_up(n) && rdtsc() < deadline)	/* autonegotiation */
		cpu_relax();
	log_info("%s: self-test: link %s", n->name, netdev_link_up(n) ? "up" : "still down");

	struct wait w = { .out = out, .mac = n->mac, .match = match_offer };
	w.out_len = probe_dhcp_discover(out, n->mac, XID);
	if (!await(n, &w, "DHCP OFFER"))
		return;
	ip_str(w.offer.yiaddr, a);
	ip_str(w.offer.server, b);
	log_info("%s: self-test: DHCP OFFER of %s from server %s (xid 0x%08x)", n->name, a, b,
		 XID);

	uint32_t me = w.offer.yiaddr;
	w.ip = w.offer.server;
	w.match = match_arp_to_us;
	w.out_len = probe_arp_request(out, n->mac, me, w.ip);
	if (!await(n, &w, "ARP reply"))
		return;
	netdev_format_mac(w.arp.sha, m);
	log_info("%s: self-test: ARP reply: %s is at %s", n->name, b, m);

	char other[18];
	netdev_format_mac(other_mac, other);
	if (netdev_set_promisc(n, true)) {
		log_error("%s: self-test: cannot turn promiscuous mode on", n->name);
		return;
	}
	w.match = match_arp_to_other;
	w.out_len = probe_arp_request(out, other_mac, me, w.ip);
	if (!await(n, &w, "ARP reply to another MAC in promiscuous mode"))
		return;
	log_info("%s: self-test: promiscuous: received the ARP reply to %s (not our MAC)",
		 n->name, other);

	if (netdev_set_promisc(n, false)) {
		log_info("%s: self-test: promiscuous mode cannot be turned off on %s", n->name,
			 n->driver);
	} else {
		/* The other MAC's request first, then ours: the card must drop
		 * the first reply and pass the second. What came in before
		 * (answers to resends) is drained first. */
		while (netdev_recv(n, frame))
			;
		netdev_send(n, frame, probe_arp_request(frame, other_mac, me, w.ip));
		w.saw_other = false;
		w.match = match_arp_to_us;
		w.out_len = probe_arp_request(out, n->mac, me, w.ip);
		if (!await(n, &w, "ARP reply with promiscuous mode off"))
			return;
		log_info("%s: self-test: promiscuous off: the reply to %s was %s, ours came "
			 "through", n->name, other, w.saw_other ? "NOT filtered" : "filtered");
		netdev_set_promisc(n, true);
	}
	log_info("%s: self-test: %lu frames sent, %lu received, %lu dropped", n->name,
		 n->stats.tx_frames, n->stats.rx_frames, n->stats.rx_dropped);
}
