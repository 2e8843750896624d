/*
 * tests/unit/test_options.c - options_defaults() and options_parse(): yakvm's
 * own command line, its values, and the warnings for bad options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/options.h"

static struct yakvm_options parse_clean(const char *cmdline)
{
	struct yakvm_options opts;
	char warn[256] = "untouched";
	options_defaults(&opts);
	int n = options_parse(cmdline, &opts, warn, sizeof(warn));
	if (n != 0)
		fail_msg("\"%s\": %d warnings: %s", cmdline, n, warn);
	assert_string_equal(warn, "");
	return opts;
}

/* Parses a line with one bad option: the defaults stay, one warning. */
static void expect_warning(const char *cmdline, const char *warning)
{
	struct yakvm_options opts;
	char warn[256];
	options_defaults(&opts);
	assert_int_equal(options_parse(cmdline, &opts, warn, sizeof(warn)), 1);
	if (strcmp(warn, warning) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", cmdline, warn, warning);
	assert_int_equal(opts.loglevel, LOG_INFO);
	assert_int_equal(opts.console_port, 0x3f8);
	assert_int_equal(opts.on_idle, ON_IDLE_HALT);
}

static void test_defaults(void **state)
{
	struct yakvm_options opts;
	memset(&opts, 0xff, sizeof(opts));
	options_defaults(&opts);
	assert_int_equal(opts.loglevel, LOG_INFO);
	assert_int_equal(opts.console_port, 0x3f8);
	assert_int_equal(opts.on_idle, ON_IDLE_HALT);

	opts = parse_clean("");
	assert_int_equal(opts.loglevel, LOG_INFO);
	opts = parse_clean("/boot/yakvm.elf");
	assert_int_equal(opts.console_port, 0x3f8);
	opts = parse_clean(" \t ");
	assert_int_equal(opts.on_idle, ON_IDLE_HALT);
	opts = parse_clean(NULL);
	assert_int_equal(opts.loglevel, LOG_INFO);
}

static void test_full_line(void **state)
{
	struct yakvm_options opts = parse_clean(
		"/boot/yakvm.elf loglevel=debug\tconsole=com2  on_idle=exit x2apic=1 ");
	assert_int_equal(opts.loglevel, LOG_DEBUG);
	assert_int_equal(opts.console_port, 0x2f8);
	assert_int_equal(opts.on_idle, ON_IDLE_EXIT);
	assert_true(opts.x2apic);
	opts = parse_clean("x2apic=0");
	assert_false(opts.x2apic);
	assert_false(opts.tcg_virq);
	opts = parse_clean("tcg_virq=1");
	assert_true(opts.tcg_virq);
	assert_true(opts.idle_poll);			/* the default */
	opts = parse_clean("idle_poll=off");
	assert_false(opts.idle_poll);
	opts = parse_clean("idle_poll=off idle_poll=on");
	assert_true(opts.idle_poll);
	assert_string_equal(opts.disk_selftest, "");
	opts = parse_clean("disk_selftest=beta");
	assert_string_equal(opts.disk_selftest, "beta");
	opts = parse_clean("disk_selftest=123456789012345678901234567890123456789");
	assert_int_equal(strlen(opts.disk_selftest), 39);
	assert_string_equal(opts.net_selftest, "");
	opts = parse_clean("net_selftest=net0");
	assert_string_equal(opts.net_selftest, "net0");
	assert_string_equal(opts.uplink, "net0");	/* the default */
	opts = parse_clean("uplink=net1");
	assert_string_equal(opts.uplink, "net1");
	opts = parse_clean("uplink=none");
	assert_string_equal(opts.uplink, "none");

	opts = parse_clean("loglevel=warn on_idle=halt");
	assert_int_equal(opts.loglevel, LOG_WARN);
	assert_int_equal(opts.on_idle, ON_IDLE_HALT);

	/* later wins */
	opts = parse_clean("loglevel=error loglevel=info loglevel=error");
	assert_int_equal(opts.loglevel, LOG_ERROR);
}

static void test_console(void **state)
{
	static const struct { const char *value; uint16_t port; } cases[] = {
		{ "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 },
		{ "com4", 0x2e8 }, { "0x2f8", 0x2f8 }, { "0X3E8", 0x3e8 },
		{ "0x1", 0x1 }, { "0xffff", 0xffff }, { "0x0000e9", 0xe9 },
		{ "com1,fb", 0x3f8 }, { "com3,fb", 0x3e8 }, { "fb,com2", 0x2f8 },
		{ "com2,com3", 0x2f8 }, { "0x3e8,fb,com1", 0x3e8 },
		{ "fb", 0x3f8 }, /* no port given: the current one stays */
	};
	char line[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "console=%s", cases[i].value);
		struct yakvm_options opts = parse_clean(line);
		if (opts.console_port != cases[i].port)
			fail_msg("%s: port 0x%x", line, opts.console_port);
	}
}

static void test_warnings(void **state)
{
	static const char *const console_why =
		"must be com1-com4 or a port 0x1-0xffff, optionally followed by ,fb";
	static const struct { const char *line, *warning; } cases[] = {
		{ "/boot/yakvm.elf frob=1", "frob=1: unknown option, ignored" },
		{ "frob=", "frob=: unknown option, ignored" },
		{ "=x", "=x: unknown option, ignored" },
		{ "LOGLEVEL=info", "LOGLEVEL=info: unknown option, ignored" },
		{ "path stray", "stray: expected option=value, ignored" },
		{ "loglevel=info stray", "stray: expected option=value, ignored" },
		{ "loglevel=", "loglevel=: empty value, ignored" },
		{ "console=", "console=: empty value, ignored" },
		{ "loglevel=loud", "loglevel=loud: must be error, warn, info or debug, ignored" },
		{ "loglevel=INFO", "loglevel=INFO: must be error, warn, info or debug, ignored" },
		{ "on_idle=reboot", "on_idle=reboot: must be halt or exit, ignored" },
		{ "idle_poll=0", "idle_poll=0: must be on or off, ignored" },
		{ "disk_selftest=1234567890123456789012345678901234567890",
		  "disk_selftest=1234567890123456789012345678901234567890: must be a partition "
		  "name of 1 to 39 characters, ignored" },
		{ "disk_selftest=", "disk_selftest=: empty value, ignored" },
		{ "disk_selftest=a\x7f" "b", "disk_selftest=a\x7f" "b: must be a partition name in "
		  "printable ASCII, ignored" },
		{ "net_selftest=net00000", "net_selftest=net00000: must be a network card's name "
		  "(net0...), ignored" },
		{ "uplink=net00000", "uplink=net00000: must be a network card's name (net0...) "
		  "or none, ignored" },
		{ "uplink=", "uplink=: empty value, ignored" },
	};
	static const char *const bad_consoles[] = {
		"com5", "com0", "com", "com12", "COM1", "ttyS0", "0x", "0x0",
		"0x10000", "0xfffff", "0x3fg", "1016", "com1,", ",com1", "com1,,fb",
		"com1,vga", "fb,fb,junk",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_warning(cases[i].line, cases[i].warning);
	for (size_t i = 0; i < sizeof(bad_consoles) / sizeof(bad_consoles[0]); i++) {
		char line[64], want[192];
		snprintf(line, sizeof(line), "console=%s", bad_consoles[i]);
		snprintf(want, sizeof(want), "%s: %s, ignored", line, console_why);
		expect_warning(line, want);
	}
}

static void test_several_warnings(void **state)
{
	struct yakvm_options opts;
	char warn[256];
	options_defaults(&opts);
	int n = options_parse("/boot/yakvm.elf frob=1 loglevel=debug x "
			      "console=com9 on_idle=exit", &opts, warn,
			      sizeof(warn));
	assert_int_equal(n, 3);
	assert_string_equal(warn,
		"frob=1: unknown option, ignored\n"
		"x: expected option=value, ignored\n"
		"console=com9: must be com1-com4 or a port 0x1-0xffff, "
		"optionally followed by ,fb, ignored");
	/* the good options around the bad ones still apply */
	assert_int_equal(opts.loglevel, LOG_DEBUG);
	assert_int_equal(opts.on_idle, ON_IDLE_EXIT);
	assert_int_equal(opts.console_port, 0x3f8);
}

static void test_warning_buffer(void **state)
{
	struct yakvm_options opts;
	options_defaults(&opts);
	const char *line = "a=1 b=2 c=3 d=4";

	/* too small: cut short, terminated, every problem still counted */
	char small[20];
	memset(small, 'z', sizeof(small));
	assert_int_equal(options_parse(line, &opts, small, sizeof(small)), 4);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "a=1: unknown option", 19);

	/* exactly one line fits, then nothing more is appended */
	char one[32];
	assert_int_equal(options_parse("p a=1 b=2", &opts, one, sizeof(one)), 2);
	assert_string_equal(one, "a=1: unknown option, ignored\nb=");

	char tiny[1] = { 'z' };
	assert_int_equal(options_parse(line, &opts, tiny, sizeof(tiny)), 4);
	assert_int_equal(tiny[0], '\0');
	assert_int_equal(options_parse(line, &opts, NULL, 0), 4);

	/* a long token is quoted only in part */
	char longline[400], warn[256];
	memset(longline, 'k', 300);
	strcpy(longline + 300, "=1");
	assert_int_equal(options_parse(longline, &opts, warn, sizeof(warn)), 1);
	assert_true(strlen(warn) < 100);
	assert_non_null(strstr(warn, ": unknown option, ignored"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_several_warnings),
		cmocka_unit_test(test_warning_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
