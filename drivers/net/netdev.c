/* drivers/net/netdev.c - the list of host network cards and the locked
 * calls into them (see netdev.h). */
#include "drivers/net/netdev.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

static struct netdev *cards[NETDEV_MAX];
static unsigned ncards;

void netdev_format_mac(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

int netdev_add(struct netdev *n, const struct pci_func *f)
{
	if (ncards == NETDEV_MAX)
		return -1;
	snprintf(n->name, sizeof(n->name), "net%u", ncards);
	n->bus = f->bus;
	n->dev = f->dev;
	n->fn = f->fn;
	cards[ncards++] = n;
	char mac[18];
	netdev_format_mac(n->mac, mac);
	log_info("%s: %s at %02x:%02x.%u, MAC %s, link %s", n->name, n->driver, n->bus,
		 n->dev, n->fn, mac, netdev_link_up(n) ? "up" : "down");
	return 0;
}

unsigned netdev_count(void) { return ncards; }

struct netdev *netdev_get(unsigned i) { return i < ncards ? cards[i] : NULL; }

struct netdev *netdev_find(const char *name)
{
	for (unsigned i = 0; i < ncards; i++)
		if (strcmp(cards[i]->name, name) == 0)
			return cards[i];
	return NULL;
}

int netdev_send(struct netdev *n, const void *frame, uint32_t len)
{
	if (len < 14 || len > NETDEV_FRAME_MAX)
		return -1;
	uint8_t padded[NETDEV_FRAME_MIN];
	if (len < NETDEV_FRAME_MIN) {	/* IEEE 802.3 minimum, without the FCS */
		memset(padded, 0, sizeof(padded));
		memcpy(padded, frame, len);
		frame = padded;
		len = NETDEV_FRAME_MIN;
	}
	uint64_t flags = spin_lock(&n->lock);
	int r = n->ops->send(n, frame, len);
	if (r == 0)
		n->stats.tx_frames++;
	else
		n->stats.tx_full++;
	spin_unlock(&n->lock, flags);
	return r;
}

uint32_t netdev_recv(struct netdev *n, void *buf)
{
	uint64_t flags = spin_lock(&n->lock);
	uint32_t len = n->ops->recv(n, buf);
	if (len)
		n->stats.rx_frames++;
	spin_unlock(&n->lock, flags);
	return len;
}

int netdev_set_promisc(struct netdev *n, bool on)
{
	uint64_t flags = spin_lock(&n->lock);
	int r = n->ops->set_promisc(n, on);
	if (r == 0)
		n->promisc = on;
	spin_unlock(&n->lock, flags);
	return r;
}

bool netdev_link_up(struct netdev *n)
{
	uint64_t flags = spin_lock(&n->lock);
	bool up = n->ops->link_up(n);
	spin_unlock(&n->lock, flags);
	return up;
}

void netdev_report(void)
{
	if (!ncards)
		log_info("net: no supported network card (virtio-net, Intel 82574L): "
			 "VMs get no uplink");
}
