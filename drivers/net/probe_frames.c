/* drivers/net/probe_frames.c - build and parse the self-test's frames
 * (probe_frames.h). Offsets: Ethernet 14 bytes, IPv4 (RFC 791) 20 without
 * options, UDP (RFC 768) 8, BOOTP (RFC 2131, 2) 236 + the magic cookie. */
#include "drivers/net/probe_frames.h"
#include "lib/string.h"

#define ETH_HLEN 14
#define ETH_P_IP  0x0800
#define ETH_P_ARP 0x0806
#define IP_HLEN 20
#define UDP_HLEN 8
#define BOOTP_LEN 236
#define DHCP_COOKIE 0x63825363u
#define DHCP_OPTIONS (BOOTP_LEN + 4)
#define DHCP_VEND_LEN 312	/* the options field a BOOTP server may expect whole */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

uint16_t probe_ip_checksum(const uint8_t *p, uint32_t n)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth_header(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint32_t probe_dhcp_discover(uint8_t *buf, const uint8_t mac[6], uint32_t xid)
{
	static const uint8_t options[] = {
		53, 1, 1,		/* DHCP message type: DISCOVER (RFC 2132, 9.6) */
		55, 3, 1, 3, 6,		/* parameter request: mask, router, DNS */
		255,			/* end */
	};
	uint32_t udp_len = UDP_HLEN + BOOTP_LEN + DHCP_VEND_LEN;	/* padded with zeros */
	uint32_t len = ETH_HLEN + IP_HLEN + udp_len;
	memset(buf, 0, len);
	eth_header(buf, broadcast, mac, ETH_P_IP);
	uint8_t *ip = buf + ETH_HLEN;
	ip[0] = 0x45;				/* IPv4, 5 words */
	put16(ip + 2, (uint16_t)(IP_HLEN + udp_len));
	ip[8] = 64;				/* TTL */
	ip[9] = 17;				/* UDP */
	put32(ip + 16, 0xffffffffu);		/* from 0.0.0.0 to everyone */
	put16(ip + 10, probe_ip_checksum(ip, IP_HLEN));
	uint8_t *udp = ip + IP_HLEN;
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)udp_len);	/* checksum 0: none (RFC 768) */
	uint8_t *b = udp + UDP_HLEN;
	b[0] = 1;				/* BOOTREQUEST */
	b[1] = 1;				/* Ethernet */
	b[2] = 6;
	put32(b + 4, xid);
	put16(b + 10, 0x8000);			/* broadcast the answer */
	memcpy(b + 28, mac, 6);			/* chaddr */
	put32(b + BOOTP_LEN, DHCP_COOKIE);
	memcpy(b + DHCP_OPTIONS, options, sizeof(options));
	return len;
}

uint32_t probe_arp_request(uint8_t *buf, const uint8_t src_mac[6], uint32_t sender_ip,
			   uint32_t target_ip)
{
	memset(buf, 0, ETH_HLEN + 28);
	eth_header(buf, broadcast, src_mac, ETH_P_ARP);
	uint8_t *a = buf + ETH_HLEN;
	put16(a, 1);			/* hardware: Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);		/* request */
	memcpy(a + 8, src_mac, 6);
	put32(a + 14, sender_ip);
	put32(a + 24, target_ip);	/* target hardware address: zeros */
	return ETH_HLEN + 28;
}

/* The UDP payload of an IPv4/UDP frame to port `dport`, or NULL. */
static const uint8_t *udp_payload(const uint8_t *f, uint32_t len, uint16_t dport,
				  uint32_t *plen)
{
	if (len < ETH_HLEN + IP_HLEN || get16(f + 12) != ETH_P_IP)
		return NULL;
	const uint8_t *ip = f + ETH_HLEN;
	uint32_t ihl = (ip[0] & 0xfu) * 4u, total = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < IP_HLEN || ip[9] != 17 || total < ihl + UDP_HLEN ||
	    total > len - ETH_HLEN || (get16(ip + 6) & 0x3fff))	/* no fragments */
		return NULL;
	const uint8_t *udp = ip + ihl;
	uint32_t ulen = get16(udp + 4);
	if (get16(udp + 2) != dport || ulen < UDP_HLEN || ulen > total - ihl)
		return NULL;
	*plen = ulen - UDP_HLEN;
	return udp + UDP_HLEN;
}

bool probe_parse_dhcp_offer(const uint8_t *f, uint32_t len, const uint8_t mac[6],
			    uint32_t xid, struct dhcp_offer *out)
{
	uint32_t n;
	const uint8_t *b = udp_payload(f, len, 68, &n);
	if (!b || n < DHCP_OPTIONS || b[0] != 2 || get32(b + 4) != xid ||
	    memcmp(b + 28, mac, 6) != 0 || get32(b + BOOTP_LEN) != DHCP_COOKIE)
		return false;
	out->yiaddr = get32(b + 16);
	out->server = 0;
	int type = -1;
	/* Options (RFC 2132, 2): code, length, value; 0 pads, 255 ends. */
	for (uint32_t i = DHCP_OPTIONS; i < n && b[i] != 255;) {
		if (b[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > n || b[i + 1] > n - i - 2)
			return false;
		const uint8_t *v = b + i + 2;
		if (b[i] == 53 && b[i + 1] == 1)
			type = v[0];
		if (b[i] == 54 && b[i + 1] == 4)
			out->server = get32(v);
		i += 2u + b[i + 1];
	}
	return type == 2;	/* DHCPOFFER */
}

bool probe_parse_arp_reply(const uint8_t *f, uint32_t len, uint32_t ip, struct arp_reply *out)
{
	if (len < ETH_HLEN + 28 || get16(f + 12) != ETH_P_ARP)
		return false;
	const uint8_t *a = f + ETH_HLEN;
	if (get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4 ||
	    get16(a + 6) != 2 || get32(a + 14) != ip)
		return false;
	memcpy(out->eth_dst, f, 6);
	memcpy(out->sha, a + 8, 6);
	return true;
}
