/*
 * tests/unit/test_uplink.c - net/uplink.c over a fake network card and the
 * real switch: the boot lines (uplink=none, a name that is not there, no
 * card at all, promiscuous mode refused), frames from the card to a VM's
 * port (its MAC, broadcast; another MAC filtered), the budget of a polling
 * round, the time to the next round, and frames from a VM out through the
 * card, dropped and counted when its transmit ring is full.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net/uplink.h"
#include "drivers/net/netdev.h"
#include "lib/log.h"
#include "tests/unit/fake_platform.h"

#define RXQ_MAX 512

/* The fake card. */
static struct netdev card = { .name = "net0", .driver = "fake", .mac = { 0x52, 0x54, 0, 1, 2, 3 } };
static unsigned ncards;
static int promisc_result;
static bool promisc_asked;
static uint8_t rxq[RXQ_MAX][64];
static unsigned rx_head, rx_tail;
static unsigned tx_room, tx_sent, tx_calls;
static uint8_t tx_last[NETDEV_FRAME_MAX];

unsigned netdev_count(void) { return ncards; }

struct netdev *netdev_find(const char *name)
{
	return ncards && strcmp(name, card.name) == 0 ? &card : NULL;
}

int netdev_set_promisc(struct netdev *n, bool on)
{
	promisc_asked = on;
	return promisc_result;
}

int netdev_send(struct netdev *n, const void *frame, uint32_t len)
{
	tx_calls++;
	if (!tx_room)
		return -1;
	tx_room--;
	tx_sent++;
	memcpy(tx_last, frame, len);
	return 0;
}

uint32_t netdev_recv(struct netdev *n, void *buf)
{
	if (rx_head == rx_tail)
		return 0;
	memcpy(buf, rxq[rx_head++ % RXQ_MAX], 64);
	return 64;
}

/* Every arm of a timer (-Wl,--wrap=vtimer_arm in test_uplink.mk): its
 * deadline and how many frames the VM had by then. */
void __real_vtimer_arm(struct vtimer *t, uint64_t deadline_ns);
static struct { uint64_t deadline; unsigned got; } arm[16];
static unsigned arms, vm_got;

void __wrap_vtimer_arm(struct vtimer *t, uint64_t deadline_ns)
{
	if (arms < 16)
		arm[arms++] = (typeof(arm[0])){ deadline_ns, vm_got };
	__real_vtimer_arm(t, deadline_ns);
}

/* The log: the last line. */
static char last_log[256];
static unsigned log_lines;

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
}

/* A VM's port. */
static const uint8_t VM_MAC[6] = { 0x02, 0x79, 0x6b, 1, 2, 3 };
static const uint8_t OTHER[6] = { 0x02, 0x79, 0x6b, 9, 9, 9 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t SLIRP[6] = { 0x52, 0x55, 10, 0, 2, 2 };
static struct net_port vm;

static bool vm_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
		       uint32_t len, const struct net_offload *off)
{
	vm_got++;
	return true;
}

static void card_frame(const uint8_t *dst, const uint8_t *src)
{
	uint8_t *f = rxq[rx_tail++ % RXQ_MAX];
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;	/* IPv4 */
}

static int setup(void **state)
{
	fake_platform_reset();
	fake_now_ns = 1000000000ull;
	ncards = 1;
	promisc_result = 0;
	promisc_asked = false;
	rx_head = rx_tail = 0;
	tx_room = 256;
	tx_sent = tx_calls = 0;
	log_lines = 0;
	last_log[0] = 0;
	memset(&vm, 0, sizeof(vm));
	strcpy(vm.name, "web");
	memcpy(vm.mac, VM_MAC, 6);
	vm.deliver = vm_deliver;
	vm_got = 0;
	return 0;
}

static int teardown(void **state)
{
	if (net_uplink_port())
		net_port_detach(net_uplink_port());
	net_port_detach(&vm);
	return 0;
}

static void start_with_vm(void)
{
	net_uplink_start("net0");
	assert_non_null(net_uplink_port());
	assert_null(net_port_attach(&vm));
}

static void test_start(void **state)
{
	net_uplink_start("net0");
	struct net_port *p = net_uplink_port();
	assert_non_null(p);
	assert_true(p->flags & NET_PORT_UPLINK);
	assert_string_equal(p->name, "net0");
	assert_true(promisc_asked);
	assert_int_equal(fake_armed_timers(), 1);
	assert_string_equal(last_log, "net: net0 (fake, MAC 52:54:00:01:02:03) is the switch's "
			    "uplink, port 0, promiscuous");
}

static void test_promisc_refused(void **state)
{
	promisc_result = -1;
	net_uplink_start("net0");
	assert_non_null(net_uplink_port());	/* joined anyway: group frames still come */
	assert_non_null(strstr(last_log, "promiscuous mode refused: only broadcast and "
			       "multicast frames reach the VMs"));
}

static void test_none_and_missing(void **state)
{
	net_uplink_start("none");
	assert_null(net_uplink_port());
	assert_string_equal(last_log, "net: uplink=none: the switch has VMs only");
	net_uplink_start("net1");
	assert_null(net_uplink_port());
	assert_string_equal(last_log, "uplink=net1: no network card of that name: the switch "
			    "has VMs only");
	ncards = 0;	/* netdev_report() has said so: nothing more */
	log_lines = 0;
	net_uplink_start("net0");
	assert_null(net_uplink_port());
	assert_int_equal(log_lines, 0);
	assert_int_equal(fake_armed_timers(), 0);
}

static void test_card_to_vm(void **state)
{
	start_with_vm();
	card_frame(VM_MAC, SLIRP);	/* for the VM: in */
	card_frame(BCAST, SLIRP);	/* broadcast: in */
	card_frame(OTHER, SLIRP);	/* another host's: filtered */
	card_frame(card.mac, SLIRP);	/* the card's own MAC is no VM's: filtered */
	fake_advance(0);
	assert_int_equal(vm_got, 2);
	struct net_port *p = net_uplink_port();
	assert_int_equal(p->stats.in_frames, 4);
	assert_int_equal(p->stats.drop_filtered, 2);
	assert_int_equal(vm.stats.out_frames, 2);
	assert_int_equal(tx_sent, 0);	/* nothing back out */
}

static void test_budget_per_round(void **state)
{
	start_with_vm();
	arms = 0;
	for (unsigned i = 0; i < 2 * UPLINK_BUDGET + 10; i++)
		card_frame(VM_MAC, SLIRP);
	uint64_t now = fake_now_ns;
	fake_advance(0);
	assert_int_equal(vm_got, UPLINK_BUDGET);
	fake_advance(UPLINK_BUSY_NS);
	assert_int_equal(vm_got, 2 * UPLINK_BUDGET);
	fake_advance(UPLINK_BUSY_NS);
	assert_int_equal(vm_got, 2 * UPLINK_BUDGET + 10);
	/* Three rounds, each followed by the next after UPLINK_BUSY_NS: a
	 * stream from the wire leaves the CPU to its vCPUs between rounds. */
	assert_int_equal(arms, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(arm[i].deadline, now + (i + 1) * UPLINK_BUSY_NS);
}

static void test_round_timing(void **state)
{
	start_with_vm();
	uint64_t t0 = fake_now_ns;
	fake_advance(0);		/* the first round: nothing */
	assert_int_equal(fake_armed_timers(), 1);
	card_frame(VM_MAC, SLIRP);
	fake_advance(UPLINK_IDLE_NS - 1);	/* idle: not polled yet */
	assert_int_equal(vm_got, 0);
	fake_advance(1);
	assert_int_equal(vm_got, 1);
	assert_int_equal(fake_now_ns, t0 + UPLINK_IDLE_NS);
	card_frame(VM_MAC, SLIRP);	/* busy now: every UPLINK_BUSY_NS */
	fake_advance(UPLINK_BUSY_NS);
	assert_int_equal(vm_got, 2);
	fake_advance(UPLINK_BUSY_FOR_NS);	/* quiet again: back to idle rounds */
	card_frame(VM_MAC, SLIRP);
	fake_advance(UPLINK_BUSY_NS);
	assert_int_equal(vm_got, 2);
	fake_advance(UPLINK_IDLE_NS);
	assert_int_equal(vm_got, 3);
}

static void send_from_vm(const uint8_t *dst)
{
	uint8_t f[64] = { 0 };
	memcpy(f, dst, 6);
	memcpy(f + 6, VM_MAC, 6);
	net_switch_input(&vm, f, sizeof(f), NULL);
}

static void test_vm_to_card(void **state)
{
	start_with_vm();
	send_from_vm(BCAST);	/* DHCP DISCOVER, ARP: out */
	send_from_vm(SLIRP);	/* unknown yet: flooded, so out */
	assert_int_equal(tx_sent, 2);
	assert_memory_equal(tx_last, SLIRP, 6);
	card_frame(VM_MAC, SLIRP);	/* slirp learned behind the uplink */
	fake_advance(0);
	send_from_vm(SLIRP);
	assert_int_equal(tx_sent, 3);
	struct net_port *p = net_uplink_port();
	assert_int_equal(p->stats.out_frames, 3);
	/* A full transmit ring: dropped and counted, the sender goes on. */
	tx_room = 0;
	send_from_vm(SLIRP);
	assert_int_equal(tx_calls, 4);
	assert_int_equal(p->stats.out_frames, 3);
	assert_int_equal(p->stats.drop_no_room, 1);
	/* A frame from a VM makes the next rounds the busy ones: after a
	 * quiet time, the round due within UPLINK_IDLE_NS, then every
	 * UPLINK_BUSY_NS. */
	fake_advance(UPLINK_BUSY_FOR_NS + UPLINK_IDLE_NS);
	tx_room = 1;
	send_from_vm(SLIRP);
	fake_advance(UPLINK_IDLE_NS);
	card_frame(VM_MAC, SLIRP);
	fake_advance(UPLINK_BUSY_NS);
	assert_int_equal(vm_got, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_promisc_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_to_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_per_round, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_to_card, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
