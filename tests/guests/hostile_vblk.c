/*
 * tests/guests/hostile_vblk.c - a driver of yakvm's virtio-blk (virtio 1.1,
 * 5.2; devices/virtio/virtio_blk*.c) that ignores the rules: its disk at
 * 00:02.0 is its own ELF file as a read-only module disk
 * (disk=module:self,ro,serial=hostile-ro); tests/e2e/scenarios_virtio.py
 * checks each line.
 *
 * It negotiates VERSION_1 only, so VIRTIO_BLK_F_RO is ignored, and writes:
 * the device must answer IOERR and keep the disk as it was. Then reads past
 * the capacity and at sector 2^64 - 1, an unknown type, a header too short,
 * GET_ID, and a chain with no writable byte for the status (DEVICE_NEEDS_
 * RESET, 2.1.2); after a reset the disk reads again. yakvm's device answers
 * a notification before the notifying write completes (the write is an
 * exit), so each result is read right after it.
 * Output: "vblk: ok NAME" / "vblk: FAIL NAME (...)", then "vblk: N
 * failures"; the exit status is N.
 */
#include "rt.h"
#include "hw.h"
#include "virtio_guest.h"

static const char *const TAG = "vblk";

#define QSIZE     4
#define F_NEXT    1
#define F_WRITE   2

static uint32_t bar, common, notify, isr, devcfg, mult;

static struct desc dtab[QSIZE] __attribute__((aligned(4096)));
static volatile uint16_t avail[2 + QSIZE + 1] __attribute__((aligned(4096)));
static volatile uint32_t used[1 + 2 * QSIZE + 1] __attribute__((aligned(4096)));
static volatile struct { uint32_t type, reserved; uint64_t sector; } hdr __attribute__((aligned(64)));
static volatile uint8_t data[512] __attribute__((aligned(512)));
static volatile uint8_t status_byte __attribute__((aligned(64)));

static void check(bool ok, const char *name, const char *fmt, uint32_t a)
{
	rt_check(TAG, ok, name, fmt, a);
}

static uint8_t status(void) { return C8(0x14); }
static void set_status(uint8_t s) { C8(0x14) = s; }
static uint16_t used_idx(void) { return (uint16_t)(used[0] >> 16); }

/* 3.1.1 with VERSION_1 (bit 32) only: VIRTIO_BLK_F_RO (5) is not taken. */
static void live(void)
{
	memset(dtab, 0, sizeof(dtab));
	memset((void *)avail, 0, sizeof(avail));
	memset((void *)used, 0, sizeof(used));
	set_status(0);
	set_status(ST_ACK);
	set_status(ST_ACK | ST_DRIVER);
	C32(0x08) = 0;
	C32(0x0c) = 0;
	C32(0x08) = 1;
	C32(0x0c) = 1;
	set_status(ST_ACK | ST_DRIVER | ST_FEAT_OK);
	C16(0x16) = 0;
	C16(0x18) = QSIZE;
	C16(0x1a) = 0xffff;
	C32(0x20) = (uint32_t)dtab;
	C32(0x24) = 0;
	C32(0x28) = (uint32_t)avail;
	C32(0x2c) = 0;
	C32(0x30) = (uint32_t)used;
	C32(0x34) = 0;
	C16(0x1c) = 1;
	set_status(ST_ACK | ST_DRIVER | ST_FEAT_OK | ST_DRV_OK);
}

static void offer(uint16_t head)
{
	uint16_t idx = avail[1];
	avail[2 + idx % QSIZE] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = (uint16_t)(idx + 1);
	*(volatile uint16_t *)(notify + 0 * mult) = 0;
}

/* One request: header (hdr_len bytes), `len` bytes of data (written by the
 * device unless `out`), the status byte. Returns the status byte, or 0xee
 * if nothing was used. */
static uint8_t req(uint32_t type, uint64_t sector, uint32_t hdr_len, bool out, uint32_t len)
{
	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status_byte = 0xee;
	unsigned n = 0;
	dtab[n] = (struct desc){ (uint32_t)&hdr, hdr_len, F_NEXT, (uint16_t)(n + 1) };
	n++;
	if (len) {
		dtab[n] = (struct desc){ (uint32_t)data, len, (uint16_t)(F_NEXT | (out ? 0 : F_WRITE)),
					 (uint16_t)(n + 1) };
		n++;
	}
	dtab[n] = (struct desc){ (uint32_t)&status_byte, 1, F_WRITE, 0 };
	uint16_t before = used_idx();
	offer(0);
	return used_idx() == (uint16_t)(before + 1) ? status_byte : 0xee;
}

static bool is_elf(void)
{
	return data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
}

static bool find_device(void)
{
	uint32_t id = cfg_in(0);
	check(id == 0x10421af4, "virtio-blk at 00:02.0 (1af4:1042)", "id 0x%x", id);
	struct virtio_regions r = virtio_find_regions();
	bar = r.bar;
	common = r.common;
	notify = r.notify;
	mult = r.mult;
	isr = r.isr;
	devcfg = r.devcfg;
	bool ok = common && notify && isr && devcfg && mult;
	check(ok, "common, notify, ISR and device capabilities in BAR 0", "bar 0x%x", bar);
	return id == 0x10421af4 && ok;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	if (!find_device()) {
		printf("vblk: %d failures\n", rt_failures);
		return rt_failures;
	}
	uint32_t cap = *(volatile uint32_t *)devcfg, cap_hi = *(volatile uint32_t *)(devcfg + 4);
	check(cap > 0 && cap_hi == 0, "capacity: the image's sectors", "capacity %u", cap);
	C32(0x00) = 0;
	check(C32(0x04) & (1u << 5), "the device offers VIRTIO_BLK_F_RO", "features 0x%x", C32(0x04));

	live();
	uint8_t s = req(0, 0, 16, false, 512);
	check(s == 0 && is_elf(), "a read of sector 0 gets the image (its ELF magic)", "status %u", s);

	memset((void *)data, 'X', sizeof(data));
	s = req(1, 0, 16, true, 512);
	check(s == 1, "a write to the read-only disk, F_RO not negotiated: IOERR", "status %u", s);
	memset((void *)data, 0, sizeof(data));
	s = req(0, 0, 16, false, 512);
	check(s == 0 && is_elf(), "the disk is unchanged after it", "status %u", s);

	memset((void *)data, 0x5a, sizeof(data));
	s = req(0, cap, 16, false, 512);
	check(s == 1 && data[0] == 0x5a && data[511] == 0x5a,
	      "a read past the capacity: IOERR, the buffer untouched", "status %u", s);
	s = req(0, ~0ull, 16, false, 512);
	check(s == 1, "a read at sector 2^64 - 1: IOERR", "status %u", s);
	s = req(0, 0, 16, false, 100);
	check(s == 1, "a read of 100 bytes (not whole sectors): IOERR", "status %u", s);
	s = req(77, 0, 16, false, 512);
	check(s == 2, "an unknown request type: UNSUPP", "status %u", s);
	s = req(0, 0, 8, false, 512);
	check(s == 1, "a header of 8 bytes: IOERR", "status %u", s);
	memset((void *)data, 0, sizeof(data));
	s = req(8, 0, 16, false, 20);
	check(s == 0 && memcmp((const void *)data, "hostile-ro", 11) == 0,
	      "GET_ID gives the serial", "status %u", s);

	/* No writable byte at all: the header only. */
	dtab[0] = (struct desc){ (uint32_t)&hdr, 16, 0, 0 };
	hdr.type = 0;
	uint16_t before = used_idx();
	offer(0);
	check((status() & ST_NEEDS_RESET) && used_idx() == before,
	      "a chain with no writable status byte: DEVICE_NEEDS_RESET, nothing used",
	      "status 0x%x", status());

	live();
	memset((void *)data, 0, sizeof(data));
	s = req(0, 0, 16, false, 512);
	check(s == 0 && is_elf() && !(status() & ST_NEEDS_RESET),
	      "after a reset the disk reads again", "status %u", s);
	set_status(0);

	printf("vblk: %d failures\n", rt_failures);
	return rt_failures;
}
