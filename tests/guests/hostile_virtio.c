/*
 * tests/guests/hostile_virtio.c - a hostile driver of yakvm's virtio PCI
 * transport (devices/virtio/, docs/virtio.md), with virtio-rng (rng=on) at
 * 00:02.0: tests/e2e/scenarios_virtio.py runs it beside a heartbeat
 * neighbour and checks each line.
 *
 * It finds the device and its capabilities (virtio 1.1, 4.1.4), then breaks
 * the rules: accesses of the wrong size, status bits out of order (3.1.1),
 * FEATURES_OK without VERSION_1, queues whose areas or buffers are outside
 * its RAM (on the LAPIC, on the device's own BAR), notifications of queues
 * that do not exist, a head index past the table, a descriptor loop. Each
 * must be refused or end in DEVICE_NEEDS_RESET (2.1.2), and a reset must
 * give back a working device: between the attacks, real requests (MSI-X
 * off: the ISR says which interrupt, 4.1.4.5) get random bytes. yakvm's
 * device answers a notification before the notifying write completes (the
 * write is an exit), so each result is read right after it.
 * Output: "virtio: ok NAME" / "virtio: FAIL NAME (...)", then
 * "virtio: N failures"; the exit status is N.
 */
#include "rt.h"
#include "hw.h"
#include "virtio_guest.h"

static const char *const TAG = "virtio";

#define QSIZE     4

static uint32_t bar, common, notify, isr, mult;

static struct desc dtab[QSIZE] __attribute__((aligned(4096)));
static volatile uint16_t avail[2 + QSIZE + 1] __attribute__((aligned(4096)));
static volatile uint32_t used[1 + 2 * QSIZE + 1] __attribute__((aligned(4096)));
static volatile uint8_t buf[2][32] __attribute__((aligned(64)));

static void check(bool ok, const char *name, const char *fmt, uint32_t a)
{
	rt_check(TAG, ok, name, fmt, a);
}

static uint8_t status(void) { return C8(0x14); }
static void set_status(uint8_t s) { C8(0x14) = s; }
static void kick(unsigned q) { *(volatile uint16_t *)(notify + q * mult) = (uint16_t)q; }
static uint8_t read_isr(void) { return *(volatile uint8_t *)isr; }
static uint16_t used_idx(void) { return (uint16_t)(used[0] >> 16); }

/* 3.1.1 steps 1-6 with VERSION_1 (bit 32) only. */
static void negotiate(void)
{
	set_status(0);
	set_status(ST_ACK);
	set_status(ST_ACK | ST_DRIVER);
	C32(0x08) = 1;
	C32(0x0c) = 1;
	set_status(ST_ACK | ST_DRIVER | ST_FEAT_OK);
}

/* Queue 0 with areas desc/drv/dev, size QSIZE, no vector, enabled. */
static void queue(uint32_t d, uint32_t drv, uint32_t dev)
{
	C16(0x16) = 0;
	C16(0x18) = QSIZE;
	C16(0x1a) = 0xffff;
	C32(0x20) = d;
	C32(0x24) = 0;
	C32(0x28) = drv;
	C32(0x2c) = 0;
	C32(0x30) = dev;
	C32(0x34) = 0;
	C16(0x1c) = 1;
}

/* A fresh, live device with the real queue, rings cleared. */
static void live(void)
{
	memset(dtab, 0, sizeof(dtab));
	memset((void *)avail, 0, sizeof(avail));
	memset((void *)used, 0, sizeof(used));
	negotiate();
	queue((uint32_t)dtab, (uint32_t)avail, (uint32_t)used);
	set_status(ST_ACK | ST_DRIVER | ST_FEAT_OK | ST_DRV_OK);
}

/* Offers descriptor `head` as the next available entry and notifies. */
static void offer(uint16_t head)
{
	uint16_t idx = avail[1];
	avail[2 + idx % QSIZE] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = (uint16_t)(idx + 1);
	kick(0);
}

/* One request for 32 bytes into buf[k]: true if it came back whole. */
static bool request(unsigned k)
{
	memset((void *)buf[k], 0, 32);
	dtab[k] = (struct desc){ (uint32_t)buf[k], 32, 2, 0 };
	uint16_t before = used_idx();
	offer((uint16_t)k);
	return used_idx() == (uint16_t)(before + 1) && used[1 + 2 * (before % QSIZE) + 1] == 32;
}

static bool all_zero(const volatile uint8_t *p)
{
	for (unsigned i = 0; i < 32; i++)
		if (p[i])
			return false;
	return true;
}

static bool find_device(void)
{
	uint32_t id = cfg_in(0);
	check(id == 0x10441af4, "virtio-rng at 00:02.0 (1af4:1044)", "id 0x%x", id);
	check((cfg_in(8) & 0xff) == 1, "revision 1 (modern only)", "class/rev 0x%x", cfg_in(8));
	struct virtio_regions r = virtio_find_regions();
	bar = r.bar;
	check(bar == 0xc0200000u, "BAR 0 at 0xc0200000", "BAR 0 0x%x", bar);
	common = r.common;
	notify = r.notify;
	mult = r.mult;
	isr = r.isr;
	bool ok = common && notify && isr && mult;
	check(ok, "common, notify and ISR capabilities in BAR 0", "multiplier %u", mult);
	return id == 0x10441af4 && ok;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	if (!find_device()) {
		printf("virtio: %d failures\n", rt_failures);
		return rt_failures;
	}

	/* Wrong sizes: ignored, read 0. */
	set_status(0);
	C32(0x14) = 0xffffffffu;
	check(status() == 0, "a 4-byte write over device_status is ignored", "status 0x%x", status());
	check(C32(0x14) == 0, "a 4-byte read of device_status reads 0", "0x%x", C32(0x14));
	C8(0x16) = 1;
	check(C16(0x16) == 0, "a 1-byte write of queue_select is ignored", "0x%x", C16(0x16));

	/* Status out of order (3.1.1). */
	set_status(ST_DRV_OK);
	check(status() == 0, "DRIVER_OK before the steps before it is refused", "status 0x%x",
	      status());
	set_status(ST_ACK | ST_DRIVER | ST_FEAT_OK);
	check(status() == (ST_ACK | ST_DRIVER), "FEATURES_OK without VERSION_1 is refused",
	      "status 0x%x", status());
	negotiate();
	check(status() == (ST_ACK | ST_DRIVER | ST_FEAT_OK), "FEATURES_OK with VERSION_1 is kept",
	      "status 0x%x", status());
	set_status(ST_ACK);
	check(status() == (ST_ACK | ST_DRIVER | ST_FEAT_OK), "clearing status bits is ignored",
	      "status 0x%x", status());

	/* Queue areas outside RAM: on the LAPIC, past the top. */
	queue(0xfee00000u, (uint32_t)avail, (uint32_t)used);
	check((status() & ST_NEEDS_RESET) && C16(0x1c) == 0,
	      "descriptors on the LAPIC page: DEVICE_NEEDS_RESET, queue not enabled", "status 0x%x",
	      status());
	negotiate();
	check(status() == (ST_ACK | ST_DRIVER | ST_FEAT_OK), "a reset clears DEVICE_NEEDS_RESET",
	      "status 0x%x", status());
	queue((uint32_t)dtab, (uint32_t)avail, 0xfffff000u);
	check(status() & ST_NEEDS_RESET, "a used ring past the top of RAM: DEVICE_NEEDS_RESET",
	      "status 0x%x", status());

	/* Notifications of queues that do not exist, and between queues. */
	live();
	for (unsigned q = 1; q < 64; q++)
		kick(q);
	*(volatile uint16_t *)(notify + 2) = 0;
	check(status() == (ST_ACK | ST_DRIVER | ST_FEAT_OK | ST_DRV_OK) && used_idx() == 0,
	      "notifications of queues that do not exist are ignored", "status 0x%x", status());

	/* Real requests, INTx: the ISR says "queue" and reading clears it. */
	bool ok = request(0);
	check(ok && !all_zero(buf[0]), "a request gets 32 random bytes", "used idx %u", used_idx());
	uint8_t i1 = read_isr(), i2 = read_isr();
	check(i1 == 1 && i2 == 0, "the ISR says queue interrupt, reading clears it", "isr 0x%x",
	      i1 | (uint32_t)i2 << 8);
	ok = request(1);
	check(ok && memcmp((const void *)buf[0], (const void *)buf[1], 32) != 0,
	      "a second request gets other bytes", "used idx %u", used_idx());

	/* A buffer on the device's own BAR: nothing written there, NEEDS_RESET. */
	dtab[2] = (struct desc){ bar, 32, 2, 0 };
	uint16_t before = used_idx();
	offer(2);
	check((status() & ST_NEEDS_RESET) && used_idx() == before,
	      "a buffer on the device's own BAR: DEVICE_NEEDS_RESET, nothing used", "status 0x%x",
	      status());
	uint8_t i3 = read_isr();
	check(i3 & 2, "and a configuration interrupt (ISR bit 1)", "isr 0x%x", i3);
	kick(0);
	check(used_idx() == before, "a broken device serves no more notifications", "used idx %u",
	      used_idx());

	/* A head index past the table. */
	live();
	offer(QSIZE + 3);
	check((status() & ST_NEEDS_RESET) && used_idx() == 0,
	      "a head index past the table: DEVICE_NEEDS_RESET", "status 0x%x", status());

	/* A descriptor loop: 0 -> 1 -> 0. */
	live();
	dtab[0] = (struct desc){ (uint32_t)buf[0], 16, 2 | 1, 1 };
	dtab[1] = (struct desc){ (uint32_t)buf[1], 16, 2 | 1, 0 };
	offer(0);
	check((status() & ST_NEEDS_RESET) && used_idx() == 0,
	      "a descriptor loop: DEVICE_NEEDS_RESET", "status 0x%x", status());

	/* After all that, a reset gives a working device. */
	live();
	ok = request(1);
	check(ok && !all_zero(buf[1]) && !(status() & ST_NEEDS_RESET),
	      "after a reset the device works again", "status 0x%x", status());
	set_status(0);

	printf("virtio: %d failures\n", rt_failures);
	return rt_failures;
}
