/*
 * tests/unit/test_vmdesc.c - vmdesc_parse() and vmdesc_parse_size(): the
 * module line syntax of core/vm/vmdesc.h, its defaults, and every error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm/vmdesc.h"

static struct mod_line *parse_ok(const char *line)
{
	static struct mod_line out;
	char err[128] = "untouched";
	int r = vmdesc_parse(line, &out, err, sizeof(err));
	if (r != 0)
		fail_msg("\"%s\": unexpected error \"%s\"", line, err);
	assert_string_equal(err, "");
	return &out;
}

static void expect_error(const char *line, const char *message)
{
	struct mod_line out;
	char err[128] = "";
	assert_int_equal(vmdesc_parse(line, &out, err, sizeof(err)), -1);
	if (strcmp(err, message) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", line, err, message);
}

static void test_defaults(void **state)
{
	struct mod_line *m = parse_ok("name=a");
	assert_int_equal(m->role, MOD_VM);
	assert_string_equal(m->vm.name, "a");
	assert_int_equal(m->vm.kind, VM_KIND_AUTO);
	assert_int_equal(m->vm.mem, VM_MEM_DEFAULT);
	assert_int_equal(m->vm.vcpus, 1);
	assert_int_equal(m->vm.cpu_mask, UINT64_MAX);
	assert_int_equal(m->vm.on_reset, VM_ON_RESET_STOP);
	assert_false(m->vm.trace);
	assert_false(m->vm.testdev);
	assert_false(m->vm.npt_4k);
	assert_false(m->vm.unmapped_stop);
	assert_int_equal(m->vm.hpet, HPET_DEFAULT);
	assert_false(m->vm.rng);
	assert_int_equal(m->vm.gdb_port, 0);
	assert_false(m->vm.gdb_nowait);
	assert_string_equal(m->args, "");
	assert_string_equal(m->attach_to, "");
}

static void test_full_vm_line(void **state)
{
	struct mod_line *m = parse_ok("/guests/hello.elf name=hello mem=16M "
				      "vcpus=2 cpus=0,2-3 kind=multiboot "
				      "on_reset=reboot trace=1 testdev=1 npt=4k unmapped=stop hpet=off "
				      "-- guest args");
	assert_int_equal(m->role, MOD_VM);
	assert_string_equal(m->vm.name, "hello");
	assert_int_equal(m->vm.mem, 16ull << 20);
	assert_int_equal(m->vm.vcpus, 2);
	assert_int_equal(m->vm.cpu_mask, 0xd);
	assert_int_equal(m->vm.kind, VM_KIND_MULTIBOOT);
	assert_int_equal(m->vm.on_reset, VM_ON_RESET_REBOOT);
	assert_true(m->vm.trace);
	assert_true(m->vm.testdev);
	assert_true(m->vm.npt_4k);
	assert_true(m->vm.unmapped_stop);
	assert_false(m->vm.hpet);
	assert_true(parse_ok("name=h hpet=on")->vm.hpet);
	assert_true(parse_ok("name=h rng=on")->vm.rng);
	assert_false(parse_ok("name=h rng=off")->vm.rng);
	assert_false(parse_ok("name=h")->vm.net);
	assert_true(parse_ok("name=h net=on")->vm.net);
	assert_false(parse_ok("name=h net=off")->vm.net);
	const struct mod_line *n = parse_ok("name=h net=mac=52:54:0A:bc:De:f0");
	const uint8_t mac[6] = { 0x52, 0x54, 0x0a, 0xbc, 0xde, 0xf0 };
	assert_true(n->vm.net);
	assert_memory_equal(n->vm.net_mac, mac, 6);
	assert_true(parse_ok("name=h net=on")->vm.net_mac[0] == 0);   /* from the name */
	assert_false(parse_ok("name=h net=on")->vm.net_no_offload);
	assert_true(parse_ok("name=h net=on,offload=off")->vm.net_no_offload);
	assert_false(parse_ok("name=h net=on,offload=on")->vm.net_no_offload);
	n = parse_ok("name=h net=mac=52:54:0A:bc:De:f0,offload=off");
	assert_true(n->vm.net && n->vm.net_no_offload && n->vm.net_mac[5] == 0xf0);
	assert_true(parse_ok("name=h hvc=on")->vm.hvc);
	assert_false(parse_ok("name=h hvc=off")->vm.hvc);
	m = parse_ok("/guests/hello.elf name=hello mem=16M vcpus=2 cpus=0,2-3 kind=multiboot "
		     "on_reset=reboot trace=1 testdev=1 npt=4k hpet=off -- guest args");
	assert_string_equal(m->args, "guest args");

	/* the same without the path, with tabs and extra blanks */
	m = parse_ok("\t name=hello\tmem=0x1000000  kind=linux trace=0 "
		     "on_reset=stop  unmapped=ones ");
	assert_string_equal(m->vm.name, "hello");
	assert_false(m->vm.unmapped_stop);
	assert_int_equal(m->vm.mem, 16ull << 20);
	assert_int_equal(m->vm.kind, VM_KIND_LINUX);
	assert_false(m->vm.trace);
	assert_int_equal(m->vm.on_reset, VM_ON_RESET_STOP);
	assert_string_equal(m->args, "");

	m = parse_ok("x kind=auto name=z0_-z0_-z0_-z0_");
	assert_string_equal(m->vm.name, "z0_-z0_-z0_-z0_");
	assert_int_equal(m->vm.kind, VM_KIND_AUTO);
}

static void test_attach_line(void **state)
{
	struct mod_line *m = parse_ok("/guests/extra.bin attach=hello -- module string");
	assert_int_equal(m->role, MOD_ATTACH);
	assert_string_equal(m->attach_to, "hello");
	assert_string_equal(m->args, "module string");
	assert_string_equal(m->vm.name, "");

	m = parse_ok("attach=hello");
	assert_int_equal(m->role, MOD_ATTACH);
	assert_string_equal(m->args, "");
}

static void test_args(void **state)
{
	struct mod_line *m;
	m = parse_ok("name=a --   x  y\t z  ");
	assert_string_equal(m->args, "x  y\t z  ");
	m = parse_ok("name=a --");
	assert_string_equal(m->args, "");
	m = parse_ok("name=a --   ");
	assert_string_equal(m->args, "");
	m = parse_ok("name=a -- a -- b name=x frob");
	assert_string_equal(m->args, "a -- b name=x frob");
	m = parse_ok("name=a --\tconsole=ttyS0 root=/dev/ram0");
	assert_string_equal(m->args, "console=ttyS0 root=/dev/ram0");
	/* "--" first: no path, the rest is args, so no name= */
	expect_error("-- name=a", "no name=, attach= or image= (a module line needs one of them)");
	/* "--x" is not the separator */
	expect_error("p name=a --x", "--x: expected option=value");

	/* the longest allowed, and one more */
	char *line = malloc(VM_ARGS_MAX + 32);
	strcpy(line, "name=a -- ");
	size_t head = strlen(line);
	memset(line + head, 'q', VM_ARGS_MAX - 1);
	line[head + VM_ARGS_MAX - 1] = '\0';
	m = parse_ok(line);
	assert_int_equal(strlen(m->args), VM_ARGS_MAX - 1);
	line[head + VM_ARGS_MAX - 1] = 'q';
	line[head + VM_ARGS_MAX] = '\0';
	expect_error(line, "--: guest arguments longer than 2047 characters");
	free(line);
}

static void test_cpus(void **state)
{
	static const struct { const char *list; uint64_t mask; } cases[] = {
		{ "0", 0x1 },
		{ "63", 1ull << 63 },
		{ "0-63", UINT64_MAX },
		{ "0,2-3", 0xd },
		{ "3-3", 0x8 },
		{ "1,1,1", 0x2 },
		{ "0x10", 1ull << 16 },
		{ "4-7,0", 0xf1 },
	};
	char line[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "name=a cpus=%s", cases[i].list);
		assert_int_equal(parse_ok(line)->vm.cpu_mask, cases[i].mask);
	}
}

static void test_mem_and_vcpus(void **state)
{
	assert_int_equal(parse_ok("name=a mem=1M")->vm.mem, VM_MEM_MIN);
	assert_int_equal(parse_ok("name=a mem=64G")->vm.mem, VM_MEM_MAX);
	assert_int_equal(parse_ok("name=a mem=4096K")->vm.mem, 4ull << 20);
	assert_int_equal(parse_ok("name=a mem=2gib")->vm.mem, 2ull << 30);
	assert_int_equal(parse_ok("name=a mem=1048576")->vm.mem, 1ull << 20);
	assert_int_equal(parse_ok("name=a vcpus=16")->vm.vcpus, 16);
	assert_int_equal(parse_ok("name=a vcpus=0x3")->vm.vcpus, 3);
}

static void test_errors(void **state)
{
	static const struct { const char *line, *err; } cases[] = {
		{ "p name=a frob=1", "frob=1: unknown option" },
		{ "p name=a =1", "=1: unknown option" },
		{ "p name=a Mem=1M", "Mem=1M: unknown option" },
		{ "p name=a stray", "stray: expected option=value" },
		{ "name=a stray", "stray: expected option=value" },
		{ "p name=a mem=", "mem=: empty value" },
		{ "p name=", "name=: empty value" },
		{ "p name=a mem=2M mem=4M", "mem=4M: option given twice" },
		{ "p name=a name=b", "name=b: option given twice" },
		{ "p", "no name=, attach= or image= (a module line needs one of them)" },
		{ "", "no name=, attach= or image= (a module line needs one of them)" },
		{ "p mem=16M", "no name=, attach= or image= (a module line needs one of them)" },
		{ "p name=a attach=b", "attach=b: a line has name= or attach=, not both" },
		{ "p attach=b name=a", "attach=b: a line has name= or attach=, not both" },
		{ "p name=Hello", "name=Hello: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -" },
		{ "p name=1vm", "name=1vm: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -" },
		{ "p name=_vm", "name=_vm: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -" },
		{ "p name=a.b", "name=a.b: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -" },
		{ "p name=abcdefghijklmnop", "name=abcdefghijklmnop: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -" },
		{ "p attach=A", "attach=A: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -" },
		{ "p name=a mem=lots", "mem=lots: not a size (use e.g. 64M)" },
		{ "p name=a mem=16Q", "mem=16Q: not a size (use e.g. 64M)" },
		{ "p name=a mem=-1M", "mem=-1M: not a size (use e.g. 64M)" },
		{ "p name=a mem=99999999999999999999", "mem=99999999999999999999: not a size (use e.g. 64M)" },
		{ "p name=a mem=16777216T", "mem=16777216T: not a size (use e.g. 64M)" },
		{ "p name=a mem=512K", "mem=512K: below the minimum of 1M" },
		{ "p name=a mem=0", "mem=0: below the minimum of 1M" },
		{ "p name=a mem=65G", "mem=65G: above the maximum of 64G" },
		{ "p name=a mem=1T", "mem=1T: above the maximum of 64G" },
		{ "p name=a mem=1048577", "mem=1048577: not a multiple of 4K" },
		{ "p name=a mem=1025K", "mem=1025K: not a multiple of 4K" },
		{ "p name=a vcpus=two", "vcpus=two: not a number" },
		{ "p name=a vcpus=2x", "vcpus=2x: not a number" },
		{ "p name=a vcpus=-1", "vcpus=-1: not a number" },
		{ "p name=a vcpus=0", "vcpus=0: must be 1 to 16" },
		{ "p name=a vcpus=17", "vcpus=17: must be 1 to 16" },
		{ "p name=a vcpus=18446744073709551617", "vcpus=18446744073709551617: not a number" },
		{ "p name=a vcpus=4294967297", "vcpus=4294967297: must be 1 to 16" },
		{ "p name=a cpus=x", "cpus=x: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=0,", "cpus=0,: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=,0", "cpus=,0: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=0,,1", "cpus=0,,1: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=1-", "cpus=1-: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=1-2-3", "cpus=1-2-3: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=0;1", "cpus=0;1: not a CPU list (use e.g. 0,2-3)" },
		{ "p name=a cpus=3-1", "cpus=3-1: reversed CPU range (write low-high)" },
		{ "p name=a cpus=64", "cpus=64: CPU numbers go from 0 to 63" },
		{ "p name=a cpus=0-64", "cpus=0-64: CPU numbers go from 0 to 63" },
		{ "p name=a kind=elf", "kind=elf: must be auto, multiboot or linux" },
		{ "p name=a kind=Linux", "kind=Linux: must be auto, multiboot or linux" },
		{ "p name=a on_reset=halt", "on_reset=halt: must be stop or reboot" },
		{ "p name=a trace=yes", "trace=yes: must be 0 or 1" },
		{ "p name=a trace=01", "trace=01: must be 0 or 1" },
		{ "p name=a testdev=2", "testdev=2: must be 0 or 1" },
		{ "p name=a npt=1g", "npt=1g: must be 2m or 4k" },
		{ "p name=a unmapped=zero", "unmapped=zero: must be ones or stop" },
		{ "p name=a hpet=1", "hpet=1: must be on or off" },
		{ "p name=a hpet=ON", "hpet=ON: must be on or off" },
		{ "p name=a hpet=on hpet=off", "hpet=off: option given twice" },
		{ "p name=a rng=1", "rng=1: must be on or off" },
		{ "p name=a rng=on rng=on", "rng=on: option given twice" },
		{ "p name=a net=yes", "net=yes: must be on, off or mac=XX:XX:XX:XX:XX:XX" },
		{ "p name=a net=on,offload=no", "net=on,offload=no: offload= must be on or off" },
		{ "p name=a net=mac=52:54:00:12:34", "net=mac=52:54:00:12:34: must be on, off or mac=XX:XX:XX:XX:XX:XX" },
		{ "p name=a net=mac=52-54-00-12-34-56", "net=mac=52-54-00-12-34-56: mac=: six hex bytes separated by ':'" },
		{ "p name=a net=mac=5g:54:00:12:34:56", "net=mac=5g:54:00:12:34:56: mac=: six hex bytes separated by ':'" },
		{ "p name=a net=mac=01:00:5e:00:00:01", "net=mac=01:00:5e:00:00:01: mac=: a multicast address (bit 0 of the first byte set)" },
		{ "p name=a net=mac=00:00:00:00:00:00", "net=mac=00:00:00:00:00:00: mac=: all zeros" },
		{ "p name=a net=on net=on", "net=on: option given twice" },
		{ "p name=a hvc=yes", "hvc=yes: must be on or off" },
		{ "p name=a gdb=com5", "gdb=com5: must be com1-com4 or a port 0x1-0xffff, optionally followed by ,nowait" },
		{ "p name=a gdb=0x10000", "gdb=0x10000: must be com1-com4 or a port 0x1-0xffff, optionally followed by ,nowait" },
		{ "p name=a gdb=0x0", "gdb=0x0: must be com1-com4 or a port 0x1-0xffff, optionally followed by ,nowait" },
		{ "p name=a gdb=760", "gdb=760: must be com1-com4 or a port 0x1-0xffff, optionally followed by ,nowait" },
		{ "p name=a gdb=com2,wait", "gdb=com2,wait: must be com1-com4 or a port 0x1-0xffff, optionally followed by ,nowait" },
		{ "p name=a gdb=,nowait", "gdb=,nowait: must be com1-com4 or a port 0x1-0xffff, optionally followed by ,nowait" },
		{ "p attach=a gdb=com2", "gdb=com2: not allowed on an attach= line (only attach= and -- arguments)" },
		{ "p attach=a mem=16M", "mem=16M: not allowed on an attach= line (only attach= and -- arguments)" },
		{ "p mem=16M attach=a", "mem=16M: not allowed on an attach= line (only attach= and -- arguments)" },
		{ "p attach=a trace=1 -- x", "trace=1: not allowed on an attach= line (only attach= and -- arguments)" },
		/* the first error on the line is the one reported */
		{ "p mem=lots frob=1", "mem=lots: not a size (use e.g. 64M)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].line, cases[i].err);
}

static void test_gdb(void **state)
{
	struct mod_line *m = parse_ok("name=a gdb=com2");
	assert_int_equal(m->vm.gdb_port, 0x2f8);
	assert_false(m->vm.gdb_nowait);
	m = parse_ok("name=a gdb=com4,nowait");
	assert_int_equal(m->vm.gdb_port, 0x2e8);
	assert_true(m->vm.gdb_nowait);
	m = parse_ok("name=a gdb=0x2F8");
	assert_int_equal(m->vm.gdb_port, 0x2f8);
	m = parse_ok("name=a gdb=0xffff,nowait");
	assert_int_equal(m->vm.gdb_port, 0xffff);
	assert_true(m->vm.gdb_nowait);
}

static void test_error_buffer(void **state)
{
	struct mod_line out;
	char small[8];
	memset(small, 'z', sizeof(small));
	assert_int_equal(vmdesc_parse("p name=a frob=1", &out, small, sizeof(small)), -1);
	assert_string_equal(small, "frob=1:");
	assert_int_equal(vmdesc_parse("p name=a frob=1", &out, NULL, 0), -1);
	assert_int_equal(vmdesc_parse(NULL, &out, small, sizeof(small)), -1);

	/* a long token is quoted only in part: the message stays short */
	char line[512], err[256];
	strcpy(line, "p name=a frob=");
	memset(line + strlen(line), 'y', 300);
	line[14 + 300] = '\0';
	assert_int_equal(vmdesc_parse(line, &out, err, sizeof(err)), -1);
	assert_true(strlen(err) < 100);
	assert_non_null(strstr(err, ": unknown option"));
	assert_null(strchr(err, '\n'));
}

static void test_parse_size(void **state)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "64K", 64ull << 10 },
		{ "64k", 64ull << 10 },
		{ "16M", 16ull << 20 },
		{ "16MB", 16ull << 20 },
		{ "16MiB", 16ull << 20 },
		{ "16mib", 16ull << 20 },
		{ "2G", 2ull << 30 },
		{ "1T", 1ull << 40 },
		{ "0x1000", 0x1000 },
		{ "0X10M", 16ull << 20 },
		{ "0x10B", 0x10b },          /* B is a hex digit */
		{ "0x10KB", 16ull << 10 },
		{ "18446744073709551615", UINT64_MAX },
		{ "0xffffffffffffffff", UINT64_MAX },
		{ "16777215T", 16777215ull << 40 },
	};
	static const char *const bad[] = {
		"", "K", "M", "x", "0x", "0xg", "-1", "+1", " 1", "1 ", "1.5M",
		"16Q", "16KK", "16MiBs", "16iB", "16Mi", "4096B", "16 M",
		"18446744073709551616", "0x10000000000000000",
		"16777216T", "17179869184G", "99999999999999999999999",
	};
	uint64_t v;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		if (!vmdesc_parse_size(good[i].s, strlen(good[i].s), &v))
			fail_msg("\"%s\" rejected", good[i].s);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		if (vmdesc_parse_size(bad[i], strlen(bad[i]), &v))
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(v, 12345);
	}
	/* only len characters are read: no terminator needed */
	char unterminated[3] = { '6', '4', 'K' };
	assert_true(vmdesc_parse_size(unterminated, 3, &v));
	assert_int_equal(v, 64 << 10);
	assert_true(vmdesc_parse_size(unterminated, 2, &v));
	assert_int_equal(v, 64);
	assert_false(vmdesc_parse_size(unterminated, 0, &v));
}

/* disk= (several per VM) and image= lines (docs/vm-config.md). */
static void test_disks(void **state)
{
	struct mod_line *m = parse_ok("/k name=a disk=module:root disk=module:data,ro,size=64M,"
				      "serial=SN-1 disk=module:x,size=0x200");
	assert_int_equal(m->role, MOD_VM);
	assert_int_equal(m->vm.ndisks, 3);
	assert_string_equal(m->vm.disks[0].image, "root");
	assert_false(m->vm.disks[0].ro);
	assert_int_equal(m->vm.disks[0].size, 0);
	assert_string_equal(m->vm.disks[0].serial, "root");
	assert_string_equal(m->vm.disks[1].image, "data");
	assert_true(m->vm.disks[1].ro);
	assert_int_equal(m->vm.disks[1].size, 64ull << 20);
	assert_string_equal(m->vm.disks[1].serial, "SN-1");
	assert_int_equal(m->vm.disks[2].size, 512);
	assert_int_equal(parse_ok("name=a")->vm.ndisks, 0);
	m = parse_ok("/disks/data.img image=data");
	assert_int_equal(m->role, MOD_IMAGE);
	assert_string_equal(m->image, "data");
	parse_ok("name=a disk=module:a,serial=12345678901234567890");
	parse_ok("name=a disk=module:a,size=16G");

	expect_error("name=a disk=data", "disk=data: must be module:NAME, gpt:NAME, partuuid:GUID or serial:SERIAL, then [,ro][,size=SIZE][,serial=TEXT]");
	expect_error("name=a disk=module:", "disk=module:: module:NAME: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -");
	expect_error("name=a disk=module:Data", "disk=module:Data: module:NAME: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -");
	expect_error("name=a disk=module:d,rw", "disk=module:d,rw: after the source, only ,ro ,size=SIZE ,serial=TEXT");
	expect_error("name=a disk=module:d,", "disk=module:d,: after the source, only ,ro ,size=SIZE ,serial=TEXT");
	expect_error("name=a disk=module:d,ro,ro", "disk=module:d,ro,ro: ro given twice");
	expect_error("name=a disk=module:d,size=1M,size=2M", "disk=module:d,size=1M,size=2M: size= given twice");
	expect_error("name=a disk=module:d,size=lots", "disk=module:d,size=lots: size=: not a size (use e.g. 64M)");
	expect_error("name=a disk=module:d,size=1000", "disk=module:d,size=1000: size=: not a whole number of 512-byte sectors");
	expect_error("name=a disk=module:d,size=0", "disk=module:d,size=0: size=: not a whole number of 512-byte sectors");
	expect_error("name=a disk=module:d,size=17G", "disk=module:d,size=17G: size=: above the maximum of 16G");
	expect_error("name=a disk=module:d,serial=", "disk=module:d,serial=: serial=: 1 to 20 characters");
	expect_error("name=a disk=module:d,serial=123456789012345678901", "disk=module:d,serial=123456789012345678901: serial=: 1 to 20 characters");
	expect_error("name=a disk=module:d,serial=a\x01", "disk=module:d,serial=a\x01: serial=: printable characters only");
	expect_error("name=a disk=module:a disk=module:b disk=module:c disk=module:d disk=module:e",
		     "disk=module:e: at most 4 disks per VM");
	expect_error("attach=a disk=module:d", "disk=module:d: not allowed on an attach= line (only attach= and -- arguments)");
	expect_error("image=d name=a", "name=a: not allowed on an image= line (only image=)");
	expect_error("image=d mem=16M", "mem=16M: not allowed on an image= line (only image=)");
	expect_error("image=d image=e", "image=e: option given twice");
	expect_error("image=D", "image=D: a name is a lowercase letter, then up to 14 of a-z 0-9 _ -");
}

/* Host disks: gpt:NAME, partuuid:GUID, serial:SERIAL (issue 19). */
static void test_host_disks(void **state)
{
	struct mod_line *m = parse_ok("/k name=a disk=gpt:alpha-root,ro "
				      "disk=partuuid:0123ABCD-89ab-cdef-0123-456789ABCDEF "
				      "disk=serial:yakvm-test-1,serial=s1 "
				      "disk=gpt:a-name-of-more-than-twenty");
	assert_int_equal(m->vm.ndisks, 4);
	assert_int_equal(m->vm.disks[0].source, DISK_GPT);
	assert_string_equal(m->vm.disks[0].host, "alpha-root");
	assert_true(m->vm.disks[0].ro);
	assert_string_equal(m->vm.disks[0].serial, "alpha-root");
	assert_int_equal(m->vm.disks[1].source, DISK_PARTUUID);
	assert_string_equal(m->vm.disks[1].host, "0123abcd-89ab-cdef-0123-456789abcdef");
	assert_int_equal(m->vm.disks[2].source, DISK_SERIAL);
	assert_string_equal(m->vm.disks[2].host, "yakvm-test-1");
	assert_string_equal(m->vm.disks[2].serial, "s1");
	assert_string_equal(m->vm.disks[3].serial, "a-name-of-more-than-");	/* 20 */
	assert_int_equal(parse_ok("name=a disk=module:x")->vm.disks[0].source, DISK_MODULE);
	parse_ok("name=a disk=gpt:123456789012345678901234567890123456");

	expect_error("name=a disk=gpt:", "disk=gpt:: gpt:/partuuid:: 1 to 36 characters");
	expect_error("name=a disk=gpt:1234567890123456789012345678901234567",
		     "disk=gpt:1234567890123456789012345678901234567: gpt:/partuuid:: 1 to 36 characters");
	expect_error("name=a disk=gpt:a\x01", "disk=gpt:a\x01: a host disk's name: printable characters only");
	expect_error("name=a disk=partuuid:0123", "disk=partuuid:0123: partuuid:: a GUID of 36 characters");
	expect_error("name=a disk=partuuid:0123abcd-89ab-cdef-0123x456789abcdef",
		     "disk=partuuid:0123abcd-89ab-cdef-0123x456789abcdef: partuuid:: a GUID like 01234567-89ab-cdef-0123-456789abcdef");
	expect_error("name=a disk=serial:123456789012345678901",
		     "disk=serial:123456789012345678901: serial:: 1 to 20 characters");
	expect_error("name=a disk=gpt:x,size=1M",
		     "disk=gpt:x,size=1M: size=: only for module: disks (a host disk has its partition's size)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_vm_line),
		cmocka_unit_test(test_attach_line),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_mem_and_vcpus),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_gdb),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_host_disks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
