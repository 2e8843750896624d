/*
 * tests/unit/test_host_pick.c - devices/block/host_pick.c: a disk= source
 * to a range of a host disk, and who owns it. Two fake disks with GPT
 * partitions in a catalogue made here: names found, missing and on two
 * disks (both named), GUIDs, whole disks by serial (two with one serial
 * refused), ranges of one VM refused to another (a partition inside a
 * whole disk too), and given back by the VM's destroy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/block/host_pick.h"
#include "drivers/block/disks.h"

static struct catalogue cat;
const struct catalogue *disks_catalogue(void) { return &cat; }

static struct blockdev d0 = { .name = "nvme0n1", .serial = "SER-A   ", .sector_size = 512,
			      .sectors = 1000 };
static struct blockdev d1 = { .name = "ahci0p0", .serial = "SER-B", .sector_size = 512,
			      .sectors = 500 };
static struct gpt_disk g0, g1;

static void add_part(struct gpt_disk *g, const char *name, uint64_t first, uint64_t last,
		     uint8_t guid_byte)
{
	struct gpt_part *p = &g->parts[g->count++];
	p->index = g->count;
	p->first_lba = first;
	p->last_lba = last;
	memset(p->unique_guid, guid_byte, 16);
	strcpy(p->name, name);
}

static int setup_once(void **state)
{
	add_part(&g0, "root", 100, 199, 0x11);
	add_part(&g0, "data", 200, 299, 0x22);
	add_part(&g0, "dup", 300, 309, 0x33);
	add_part(&g1, "dup", 10, 19, 0x44);
	add_part(&g1, "", 20, 29, 0x55);
	catalogue_add_disk(&cat, d0.name, &g0);
	catalogue_add_disk(&cat, d1.name, &g1);
	blockdev_register(&d0);
	blockdev_register(&d1);
	return 0;
}

static struct disk_desc desc(enum disk_source s, const char *host)
{
	struct disk_desc d = { .source = s };
	strcpy(d.host, host);
	return d;
}

static char why[128];

static void by_name(void **state)
{
	struct host_range r;
	struct disk_desc d = desc(DISK_GPT, "data");
	assert_true(host_pick(&d, 1, "alpha", &r, why, sizeof(why)));
	assert_ptr_equal(r.disk, &d0);
	assert_int_equal(r.first, 200);
	assert_int_equal(r.count, 100);
	assert_string_equal(r.what, "nvme0n1 partition 2");
	d = desc(DISK_GPT, "nosuch");
	assert_false(host_pick(&d, 1, "alpha", &r, why, sizeof(why)));
	assert_string_equal(why, "no partition of that name on the host's disks");
	d = desc(DISK_GPT, "dup");
	assert_false(host_pick(&d, 1, "alpha", &r, why, sizeof(why)));
	assert_string_equal(why, "2 partitions carry it (nvme0n1 partition 3, ahci0p0 partition 1)");
	host_pick_release(1);
}

static void by_guid(void **state)
{
	struct host_range r;
	struct disk_desc d = desc(DISK_PARTUUID, "55555555-5555-5555-5555-555555555555");
	assert_true(host_pick(&d, 2, "beta", &r, why, sizeof(why)));
	assert_ptr_equal(r.disk, &d1);
	assert_int_equal(r.first, 20);
	d = desc(DISK_PARTUUID, "66666666-5555-5555-5555-555555555555");
	assert_false(host_pick(&d, 2, "beta", &r, why, sizeof(why)));
	assert_string_equal(why, "no partition of that GUID on the host's disks");
	/* The unnamed partition is found by no name. */
	d = desc(DISK_GPT, "");
	assert_false(host_pick(&d, 2, "beta", &r, why, sizeof(why)));
	host_pick_release(2);
}

static void by_serial_and_claims(void **state)
{
	struct host_range r;
	struct disk_desc whole = desc(DISK_SERIAL, "SER-A");	/* trailing blanks ignored */
	assert_true(host_pick(&whole, 3, "gamma", &r, why, sizeof(why)));
	assert_int_equal(r.first, 0);
	assert_int_equal(r.count, 1000);
	assert_string_equal(r.what, "nvme0n1 (whole disk)");
	/* A partition inside it: taken, whoever asks (the owner too). */
	struct disk_desc root = desc(DISK_GPT, "root");
	assert_false(host_pick(&root, 4, "delta", &r, why, sizeof(why)));
	assert_string_equal(why, "nvme0n1 partition 1 is taken: vm gamma has it");
	assert_false(host_pick(&root, 3, "gamma", &r, why, sizeof(why)));
	assert_string_equal(why, "nvme0n1 partition 1 is taken: vm gamma has it (this VM, on "
			    "another disk=)");
	/* Another disk is free. */
	struct disk_desc other = desc(DISK_SERIAL, "SER-B");
	assert_true(host_pick(&other, 4, "delta", &r, why, sizeof(why)));
	/* Destroyed: its ranges come back. */
	host_pick_release(3);
	assert_true(host_pick(&root, 4, "delta", &r, why, sizeof(why)));
	struct disk_desc data = desc(DISK_GPT, "data");	/* next to root: no overlap */
	assert_true(host_pick(&data, 5, "eps", &r, why, sizeof(why)));
	assert_false(host_pick(&whole, 6, "zeta", &r, why, sizeof(why)));
	host_pick_release(4);
	host_pick_release(5);
	assert_true(host_pick(&whole, 6, "zeta", &r, why, sizeof(why)));
	host_pick_release(6);
}

static void same_serial_twice(void **state)
{
	static struct blockdev d2 = { .name = "nvme1n1", .serial = "SER-B", .sector_size = 512,
				      .sectors = 10 };
	blockdev_register(&d2);
	struct host_range r;
	struct disk_desc d = desc(DISK_SERIAL, "SER-B");
	assert_false(host_pick(&d, 7, "eta", &r, why, sizeof(why)));
	assert_string_equal(why, "two disks carry that serial (ahci0p0, nvme1n1)");
	d = desc(DISK_SERIAL, "SER-C");
	assert_false(host_pick(&d, 7, "eta", &r, why, sizeof(why)));
	assert_string_equal(why, "no host disk with that serial");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_name),
		cmocka_unit_test(by_guid),
		cmocka_unit_test(by_serial_and_claims),
		cmocka_unit_test(same_serial_twice),
	};
	return cmocka_run_group_tests(tests, setup_once, NULL);
}
