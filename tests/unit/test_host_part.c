/*
 * tests/unit/test_host_part.c - devices/block/host_part.c: a VM's disk on a
 * range of a host disk. A fake disk in memory (512- or 4096-byte sectors)
 * records each command; the checks: sector 0 is the partition's first LBA,
 * a request reaching past the partition (or wrapping around) never reaches
 * the disk, 4 KiB disks take only aligned requests, a failed command is
 * one error line naming the disk and marks the range failed, read-only
 * ranges are never written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "devices/block/host_part.h"
#include "lib/log.h"

/* ---- log lines, recorded ------------------------------------------------ */

static unsigned log_lines;
static char last_line[256];

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
	log_lines++;
}

/* ---- the fake disk: 64 sectors, each command recorded -------------------- */

#define DISK_SECTORS 64
static uint8_t medium[DISK_SECTORS * 4096];
static unsigned calls, flushes;
static uint64_t last_lba;
static uint32_t last_count;
static int fail_next;

static int fake_read(struct blockdev *b, uint64_t lba, uint32_t count, void *buf)
{
	calls++;
	last_lba = lba;
	last_count = count;
	if (fail_next)
		return fail_next = 0, -1;
	memcpy(buf, medium + lba * b->sector_size, (size_t)count * b->sector_size);
	return 0;
}

static int fake_write(struct blockdev *b, uint64_t lba, uint32_t count, const void *buf)
{
	calls++;
	last_lba = lba;
	last_count = count;
	if (fail_next)
		return fail_next = 0, -1;
	memcpy(medium + lba * b->sector_size, buf, (size_t)count * b->sector_size);
	return 0;
}

static int fake_flush(struct blockdev *b)
{
	flushes++;
	if (fail_next)
		return fail_next = 0, -1;
	return 0;
}

static const struct blockdev_ops fake_ops = { fake_read, fake_write, fake_flush };
static struct blockdev disk;

static int setup(void **state)
{
	memset(medium, 0, sizeof(medium));
	disk = (struct blockdev){ .name = "nvme0n1", .sector_size = 512,
				  .sectors = DISK_SECTORS, .ops = &fake_ops };
	calls = flushes = log_lines = 0;
	fail_next = 0;
	return 0;
}

static void offset_and_bounds(void **state)
{
	struct host_part hp;
	uint8_t buf[4096];
	assert_true(host_part_init(&hp, &disk, 10, 20, false, "vm a: disk vda (gpt:x)"));
	assert_int_equal(hp.be.sectors, 20);
	memset(buf, 0xab, 512);
	/* Sector 0 of the VM is LBA 10; the last is LBA 29. */
	assert_int_equal(hp.be.ops->write(&hp.be, 0, 1, buf), 0);
	assert_int_equal(last_lba, 10);
	assert_int_equal(medium[10 * 512], 0xab);
	assert_int_equal(hp.be.ops->write(&hp.be, 19, 1, buf), 0);
	assert_int_equal(last_lba, 29);
	/* One past the end, or reaching past it, or wrapping: never asked. */
	calls = 0;
	assert_int_equal(hp.be.ops->write(&hp.be, 20, 1, buf), -1);
	assert_int_equal(hp.be.ops->write(&hp.be, 19, 2, buf), -1);
	assert_int_equal(hp.be.ops->read(&hp.be, UINT64_MAX, 2, buf), -1);
	assert_int_equal(hp.be.ops->read(&hp.be, UINT64_MAX - 1, 8, buf), -1);
	assert_int_equal(calls, 0);
	assert_int_equal(medium[30 * 512], 0);	/* the next partition's */
	assert_int_equal(log_lines, 0);	/* a guest's bad request is no disk error */
}

static void ranges_off_the_disk_refused(void **state)
{
	struct host_part hp;
	assert_false(host_part_init(&hp, &disk, 60, 5, false, "x"));
	assert_false(host_part_init(&hp, &disk, 64, 1, false, "x"));
	assert_false(host_part_init(&hp, &disk, 0, 0, false, "x"));
	assert_false(host_part_init(&hp, &disk, UINT64_MAX, 2, false, "x"));
	disk.sector_size = 8192;
	assert_false(host_part_init(&hp, &disk, 0, 1, false, "x"));
	disk.sector_size = 1536;
	assert_false(host_part_init(&hp, &disk, 0, 1, false, "x"));
}

static void four_k_sectors(void **state)
{
	struct host_part hp;
	uint8_t buf[8192];
	disk.sector_size = 4096;
	assert_true(host_part_init(&hp, &disk, 4, 8, false, "vm a: disk vda (gpt:x)"));
	assert_int_equal(hp.be.sectors, 64);	/* 8 x 4096 = 64 x 512 */
	assert_int_equal(hp.be.block_size, 4096);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(hp.be.ops->write(&hp.be, 8, 16, buf), 0);
	assert_int_equal(last_lba, 5);
	assert_int_equal(last_count, 2);
	assert_int_equal(medium[5 * 4096], 0x5a);
	/* Unaligned start or length: refused, the disk not asked. */
	calls = 0;
	assert_int_equal(hp.be.ops->write(&hp.be, 1, 8, buf), -1);
	assert_int_equal(hp.be.ops->read(&hp.be, 8, 1, buf), -1);
	assert_int_equal(hp.be.ops->read(&hp.be, 60, 8, buf), -1);	/* past the end */
	assert_int_equal(calls, 0);
	assert_int_equal(hp.be.ops->read(&hp.be, 56, 8, buf), 0);	/* the last block */
	assert_int_equal(last_lba, 11);
}

static void errors_logged_and_counted(void **state)
{
	struct host_part hp;
	uint8_t buf[512] = { 0 };
	assert_true(host_part_init(&hp, &disk, 0, 8, false, "vm a: disk vda (gpt:x)"));
	fail_next = 1;
	assert_int_equal(hp.be.ops->flush(&hp.be), -1);
	assert_int_equal(log_lines, 1);
	assert_non_null(strstr(last_line, "vm a: disk vda (gpt:x): flush failed"));
	assert_true(hp.failed);
	for (unsigned i = 0; i < 10; i++) {
		fail_next = 1;
		assert_int_equal(hp.be.ops->write(&hp.be, 1, 1, buf), -1);
	}
	assert_int_equal(hp.errors, 11);
	assert_int_equal(log_lines, HOST_PART_LOGGED);	/* then only counted */
	assert_int_equal(hp.be.ops->flush(&hp.be), 0);
}

static void read_only(void **state)
{
	struct host_part hp;
	uint8_t buf[512] = { 1 };
	assert_true(host_part_init(&hp, &disk, 0, 8, true, "x"));
	assert_true(hp.be.read_only);
	assert_int_equal(hp.be.ops->write(&hp.be, 0, 1, buf), -1);
	assert_int_equal(calls, 0);
	assert_int_equal(hp.be.ops->read(&hp.be, 0, 1, buf), 0);
	/* A disk with no write operation is read-only whatever ro says. */
	struct blockdev_ops ro_ops = { .read = fake_read };
	disk.ops = &ro_ops;
	assert_true(host_part_init(&hp, &disk, 0, 8, false, "x"));
	assert_true(hp.be.read_only);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(offset_and_bounds, setup),
		cmocka_unit_test_setup(ranges_off_the_disk_refused, setup),
		cmocka_unit_test_setup(four_k_sectors, setup),
		cmocka_unit_test_setup(errors_logged_and_counted, setup),
		cmocka_unit_test_setup(read_only, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
