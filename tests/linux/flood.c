/*
 * tests/linux/flood.c - a flooding VM for tests/e2e/scenarios_net.py
 * (linux-net-flood): sends 1514-byte broadcast frames on an interface as
 * fast as the kernel takes them, with the interface's own MAC as source
 * (so yakvm's switch accepts and floods them to every other port), until
 * SIGTERM; then prints how many it sent. Built static for the test
 * initramfs (Makefile), run by tests/linux/net.sh.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "eth0";
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (s < 0) {
		perror("flood: socket");
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
		perror("flood: SIOCGIFINDEX");
		return 1;
	}
	int index = ifr.ifr_ifindex;		/* the same union as the MAC */
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
		perror("flood: SIOCGIFHWADDR");
		return 1;
	}
	unsigned char frame[1514];
	memset(frame, 0x5a, sizeof(frame));
	memset(frame, 0xff, 6);					/* broadcast */
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);		/* its own MAC */
	frame[12] = 0x88;					/* 0x88b5: IEEE 802 */
	frame[13] = 0xb5;					/* local experimental */
	struct sockaddr_ll to;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = index;
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	signal(SIGTERM, on_term);
	unsigned long sent = 0;
	while (!stop)
		if (sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) > 0)
			sent++;
	printf("yakvm-linux: net flood stopped after %lu frames\n", sent);
	return 0;
}
