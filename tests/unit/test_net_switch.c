/*
 * tests/unit/test_net_switch.c - net/switch.c and net/mac_table.c: ports
 * with a recording deliver; which port gets each frame (unicast, group,
 * unknown, learned behind an uplink), the source-MAC rule and the
 * uplink's exemption and filter, lengths, a full receiver, attach and
 * detach, a port's link down and up, and the counters (docs/net.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/port.h"

#define NP 4

static struct net_port port[NP];
static unsigned got[NP];              /* frames each port was handed */
static uint32_t got_len[NP];
static bool full[NP];                 /* deliver says no room */

static bool rec_deliver(struct net_port *p, const struct net_port *from, const uint8_t *frame,
			uint32_t len, const struct net_offload *off)
{
	unsigned i = (unsigned)(p - port);
	assert_true(from != p);
	if (full[i])
		return false;
	got[i]++;
	got_len[i] = len;
	return true;
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t HOST[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };   /* behind the uplink */
static const uint8_t OTHER[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x66 };

static void mac_of(unsigned i, uint8_t *mac)
{
	const uint8_t m[6] = { 0x02, 0x79, 0x6b, 0, 0, (uint8_t)(i + 1) };
	memcpy(mac, m, 6);
}

/* Ports 0..2 are VMs, 3 the uplink; all attached. */
static int setup(void **state)
{
	memset(port, 0, sizeof(port));
	memset(got, 0, sizeof(got));
	memset(full, 0, sizeof(full));
	for (unsigned i = 0; i < NP; i++) {
		mac_of(i, port[i].mac);
		port[i].deliver = rec_deliver;
		port[i].flags = i == 3 ? NET_PORT_UPLINK : 0;
		assert_null(net_port_attach(&port[i]));
	}
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < NP; i++)
		net_port_detach(&port[i]);
	return 0;
}

static uint32_t frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t len)
{
	memset(f, 0xab, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	return len;
}

static void send(unsigned from, const uint8_t *dst, const uint8_t *src, uint32_t len)
{
	uint8_t f[ETH_FRAME_MAX + 8];
	net_switch_input(&port[from], f, frame(f, dst, src, len), NULL);
}

static void expect(unsigned a, unsigned b, unsigned c, unsigned d)
{
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
	assert_int_equal(got[2], c);
	assert_int_equal(got[3], d);
}

static void test_unicast_to_vm(void **state)
{
	send(0, port[1].mac, port[0].mac, 60);
	expect(0, 1, 0, 0);
	assert_int_equal(got_len[1], 60);
	assert_int_equal(port[0].stats.in_frames, 1);
	assert_int_equal(port[0].stats.in_bytes, 60);
	assert_int_equal(port[1].stats.out_frames, 1);
	assert_int_equal(port[1].stats.out_bytes, 60);
}

static void test_group_floods_not_back(void **state)
{
	send(0, BCAST, port[0].mac, 42);
	expect(0, 1, 1, 1);
	send(2, MCAST, port[2].mac, 42);
	expect(1, 2, 1, 2);
}

static void test_unknown_unicast_floods(void **state)
{
	send(1, OTHER, port[1].mac, 100);
	expect(1, 0, 1, 1);
}

static void test_spoofed_source_dropped(void **state)
{
	send(0, port[1].mac, port[2].mac, 60);     /* another VM's MAC */
	send(0, BCAST, HOST, 60);                  /* anyone's */
	send(0, BCAST, BCAST, 60);                 /* a group source */
	expect(0, 0, 0, 0);
	assert_int_equal(port[0].stats.drop_spoofed, 3);
	assert_int_equal(port[0].stats.in_frames, 0);
}

static void test_uplink_rules(void **state)
{
	send(3, port[1].mac, HOST, 60);            /* for a VM: in */
	expect(0, 1, 0, 0);
	send(3, OTHER, HOST, 60);                  /* for nobody here: filtered */
	expect(0, 1, 0, 0);
	assert_int_equal(port[3].stats.drop_filtered, 1);
	send(3, BCAST, HOST, 60);                  /* group: every VM, not the uplink */
	expect(1, 2, 1, 0);
	send(3, BCAST, port[0].mac, 60);           /* a VM's MAC from outside */
	send(3, BCAST, MCAST, 60);                 /* a group source */
	expect(1, 2, 1, 0);
	assert_int_equal(port[3].stats.drop_spoofed, 2);
}

static void test_learned_behind_uplink(void **state)
{
	send(0, HOST, port[0].mac, 60);            /* unknown yet: flooded */
	expect(0, 1, 1, 1);
	send(3, port[0].mac, HOST, 60);            /* HOST learned behind the uplink */
	expect(1, 1, 1, 1);
	send(0, HOST, port[0].mac, 60);            /* now only to the uplink */
	expect(1, 1, 1, 2);
	net_port_detach(&port[3]);                 /* forgotten with its port */
	assert_null(net_port_attach(&port[3]));
	send(0, HOST, port[0].mac, 60);
	expect(1, 2, 2, 3);
}

static void test_to_itself_filtered(void **state)
{
	send(0, port[0].mac, port[0].mac, 60);
	expect(0, 0, 0, 0);
	assert_int_equal(port[0].stats.drop_filtered, 1);
}

static void test_lengths(void **state)
{
	send(0, BCAST, port[0].mac, ETH_HLEN - 1);
	send(0, BCAST, port[0].mac, ETH_FRAME_MAX + 1);
	expect(0, 0, 0, 0);
	assert_int_equal(port[0].stats.drop_malformed, 2);
	send(0, BCAST, port[0].mac, ETH_HLEN);
	send(0, BCAST, port[0].mac, ETH_FRAME_MAX);
	expect(0, 2, 2, 2);
	assert_int_equal(got_len[1], ETH_FRAME_MAX);
}

static void test_receiver_full(void **state)
{
	full[1] = true;
	send(0, BCAST, port[0].mac, 60);
	expect(0, 0, 1, 1);
	assert_int_equal(port[1].stats.drop_no_room, 1);
	assert_int_equal(port[1].stats.out_frames, 0);
	assert_int_equal(port[2].stats.out_frames, 1);
}

static void test_attach_rules(void **state)
{
	struct net_port p = { .deliver = rec_deliver };
	memcpy(p.mac, port[1].mac, 6);
	assert_string_equal(net_port_attach(&p), "another port has this MAC");
	assert_false(p.attached);
	memcpy(p.mac, MCAST, 6);
	assert_string_equal(net_port_attach(&p), "not a unicast MAC");
	memset(p.mac, 0, 6);
	assert_string_equal(net_port_attach(&p), "not a unicast MAC");
	/* Once its owner leaves, the MAC is free; frames no longer go there. */
	net_port_detach(&port[1]);
	send(0, BCAST, port[0].mac, 60);
	expect(0, 0, 1, 1);
	memcpy(p.mac, port[1].mac, 6);
	assert_null(net_port_attach(&p));
	net_port_detach(&p);
	/* A detached port's frames are ignored. */
	send(1, BCAST, port[1].mac, 60);
	expect(0, 0, 1, 1);
}

static void test_switch_full(void **state)
{
	static struct net_port extra[NET_PORTS_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < NET_PORTS_MAX; i++) {
		extra[i] = (struct net_port){ .deliver = rec_deliver };
		const uint8_t m[6] = { 0x02, 0, 0, 0, 1, (uint8_t)i };
		memcpy(extra[i].mac, m, 6);
		if (!net_port_attach(&extra[i]))
			n++;
		else
			assert_string_equal(net_port_attach(&extra[i]), "the switch has no free port");
	}
	assert_int_equal(n, NET_PORTS_MAX - NP);
	for (unsigned i = 0; i < NET_PORTS_MAX; i++)
		net_port_detach(&extra[i]);
}

/* A port whose cable is out: nothing from it, nothing to it (flooded or
 * not), each counted on it; back in, both ways work again. */
static void test_link_down(void **state)
{
	assert_true(net_port_set_link(&port[1], false));
	assert_false(net_port_set_link(&port[1], false));	/* already down */
	send(1, port[0].mac, port[1].mac, 60);
	expect(0, 0, 0, 0);
	send(0, port[1].mac, port[0].mac, 60);
	send(0, BCAST, port[0].mac, 60);
	send(3, port[1].mac, HOST, 60);
	expect(0, 0, 1, 1);                        /* the broadcast to 2 and the uplink */
	assert_int_equal(port[1].stats.drop_link_down, 4);
	assert_int_equal(port[1].stats.in_frames, 0);
	assert_int_equal(port[1].stats.out_frames, 0);
	char line[96];
	strcpy(port[1].name, "nb");
	net_port_format_link(&port[1], line, sizeof(line));
	assert_string_equal(line, "nb link: down; 4 frames dropped while down");
	assert_true(net_port_set_link(&port[1], true));
	send(1, port[0].mac, port[1].mac, 60);
	send(0, port[1].mac, port[0].mac, 60);
	expect(1, 1, 1, 1);
	assert_int_equal(port[1].stats.drop_link_down, 4);
	net_port_format_link(&port[1], line, sizeof(line));
	assert_string_equal(line, "nb link: up; 4 frames dropped while down");
}

static void test_snapshot_and_format(void **state)
{
	send(0, port[1].mac, port[0].mac, 60);
	send(0, port[1].mac, port[2].mac, 60);
	struct net_port snap[NET_PORTS_MAX];
	assert_int_equal(net_switch_snapshot(snap, NET_PORTS_MAX), NP);
	char line[192];
	strcpy(port[0].name, "na");
	net_port_format(&port[0], line, sizeof(line));
	assert_string_equal(line, "na 02:79:6b:00:00:01: in 1 frames 60 bytes, out 0 frames 0 "
			    "bytes; dropped 1 spoofed 0 malformed 0 no-room 0 filtered");
	/* The lines in order: counters, offload, link; none after. */
	char want[192];
	assert_true(net_port_format_line(&port[0], 0, want, sizeof(want)));
	assert_string_equal(want, line);
	net_port_format_link(&port[0], line, sizeof(line));
	assert_true(net_port_format_line(&port[0], 2, want, sizeof(want)));
	assert_string_equal(want, line);
	assert_false(net_port_format_line(&port[0], 3, want, sizeof(want)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unicast_to_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_floods_not_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_unicast_floods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_source_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learned_behind_uplink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_to_itself_filtered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receiver_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_and_format, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
