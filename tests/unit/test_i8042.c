/*
 * tests/unit/test_i8042.c - devices/i8042.c (self test, command byte, the
 * "no keyboard" answer, A20, reset paths, IRQ 1 only for replies) and
 * devices/sysctl.c (port 0x92 A20 and reset, port 0x80 POST code).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/unit/fake_platform.h"
#include "devices/device.h"
#include "devices/i8042.h"
#include "core/vm/vm.h"

extern const struct device_model i8042_model, sysctl_model;

static const struct device_decl kbc_decl = { "i8042", &i8042_model, .pio = { { 0x60, 1 }, { 0x64, 1 } }, .irq = 1 };
static const struct device_decl sys_decl = { "sysctl", &sysctl_model, .pio = { { 0x80, 1 }, { 0x92, 1 } } };
static struct vm vm;
static _Alignas(16) uint8_t kbc_state[1024], sys_state[1024];
static struct device kbc, sys;
static unsigned resets;

void vm_request_reset(struct vm *v)
{
	assert_ptr_equal(v, &vm);
	resets++;
}

static void power_on(void)
{
	fake_platform_reset();
	memset(&vm, 0, sizeof(vm));
	memset(kbc_state, 0, sizeof(kbc_state));
	memset(sys_state, 0, sizeof(sys_state));
	assert_true(i8042_model.state_size <= sizeof(kbc_state));
	assert_true(sysctl_model.state_size <= sizeof(sys_state));
	kbc = (struct device){ .decl = &kbc_decl, .vm = &vm, .state = kbc_state };
	sys = (struct device){ .decl = &sys_decl, .vm = &vm, .state = sys_state };
	i8042_model.reset(&kbc);
	sysctl_model.reset(&sys);
	resets = 0;
}

static uint8_t status(void) { return (uint8_t)i8042_model.pio_read(&kbc, 0x64, 1); }
static uint8_t data(void) { return (uint8_t)i8042_model.pio_read(&kbc, 0x60, 1); }
static void cmd(uint8_t c) { i8042_model.pio_write(&kbc, 0x64, 1, c); }
static void put(uint8_t v) { i8042_model.pio_write(&kbc, 0x60, 1, v); }

/* A command with one reply byte, polled as drivers do. */
static uint8_t ask(uint8_t c)
{
	cmd(c);
	assert_int_equal(status() & 0x03, 0x01);   /* OBF, never IBF */
	return data();
}

static void test_status_and_self_test(void **st)
{
	power_on();
	assert_int_equal(status(), 0x14);          /* system flag, unlocked */
	assert_int_equal(ask(0xaa), 0x55);
	assert_int_equal(status() & 0x0d, 0x0c);   /* OBF gone; last write a command */
	assert_int_equal(ask(0xab), 0x00);
	assert_int_equal(ask(0xa9), 0x00);
	/* Nothing more: 0x60 repeats the last value, OBF stays clear. */
	assert_int_equal(data(), 0x00);
	assert_int_equal(status() & 0x01, 0);
	put(0x00);
	assert_int_equal(status() & 0x08, 0);      /* last write was data */
}

static void test_command_byte(void **st)
{
	power_on();
	assert_int_equal(ask(0x20), 0x45);
	cmd(0x60);
	put(0x30);                                 /* kbd and aux disabled, no sys flag */
	assert_int_equal(ask(0x20), 0x30);
	assert_int_equal(status() & 0x04, 0);
	cmd(0xae);
	assert_int_equal(ask(0x20), 0x20);
	cmd(0xa8);
	assert_int_equal(ask(0x20), 0x00);
	cmd(0xa7);
	cmd(0xad);
	assert_int_equal(ask(0x20), 0x30);
	cmd(0x60);
	put(0x04);
	assert_int_equal(status() & 0x04, 0x04);
	/* The other 31 bytes of controller RAM. */
	cmd(0x65);
	put(0x99);
	assert_int_equal(ask(0x25), 0x99);
	assert_int_equal(ask(0x20), 0x04);
}

static void test_no_keyboard(void **st)
{
	power_on();
	cmd(0x60);
	put(0x44);                                 /* keyboard interrupt off */
	static const uint8_t kbd_cmds[] = { 0xff, 0xf4, 0xf5, 0xee, 0xf2 };
	for (unsigned i = 0; i < sizeof(kbd_cmds); i++) {
		put(kbd_cmds[i]);
		assert_int_equal(status() & 0x41, 0x41);   /* OBF + time-out */
		assert_int_equal(data(), 0xfe);
		assert_int_equal(status() & 0x41, 0x00);
	}
	/* Bytes for the (absent) mouse: no answer at all. */
	cmd(0xd4);
	put(0xff);
	assert_int_equal(status() & 0x41, 0);
	assert_int_equal(fake_irq_count, 0);
	assert_int_equal(resets, 0);
}

static void test_irq1_only_for_replies(void **st)
{
	power_on();                                 /* command byte 0x45: interrupt on */
	assert_int_equal(fake_irq_count, 0);
	cmd(0xaa);
	assert_int_equal(fake_irq_level[1], 1);
	data();
	assert_int_equal(fake_irq_level[1], 0);
	cmd(0xad);                                  /* no reply: no interrupt */
	cmd(0xa7);
	assert_int_equal(fake_irq_count, 2);
	put(0xf2);
	assert_int_equal(fake_irq_level[1], 1);
	cmd(0x60);                                  /* interrupt off: line drops */
	put(0x44);
	assert_int_equal(fake_irq_level[1], 0);
	assert_int_equal(fake_irq_level[12], 0);
	for (unsigned i = 0; i < fake_irq_count; i++)
		assert_int_equal(fake_irq_events[i].irq, 1);
}

static void test_a20(void **st)
{
	power_on();
	assert_true(i8042_a20(&kbc));
	assert_int_equal(ask(0xd0) & 0x03, 0x03);
	cmd(0xdd);
	assert_false(i8042_a20(&kbc));
	assert_int_equal(ask(0xd0) & 0x03, 0x01);
	cmd(0xdf);
	assert_true(i8042_a20(&kbc));
	cmd(0xd1);
	put(0xdd);                                  /* bit 1 clear: A20 off, reset bit set */
	assert_false(i8042_a20(&kbc));
	cmd(0xd1);
	put(0xdf);
	assert_true(i8042_a20(&kbc));
	assert_int_equal(resets, 0);
}

static void test_reset_paths(void **st)
{
	power_on();
	cmd(0xfe);                                  /* pulse reset */
	assert_int_equal(resets, 1);
	cmd(0xff);                                  /* pulse nothing */
	cmd(0xfd);
	cmd(0xf1);
	assert_int_equal(resets, 1);
	cmd(0xf0);                                  /* pulses bit 0 too */
	assert_int_equal(resets, 2);
	cmd(0xd1);
	put(0xfe);                                  /* output port bit 0 clear */
	assert_int_equal(resets, 3);
	assert_int_equal(ask(0xd0) & 0x01, 0x01);   /* a pulse, not a level */
	cmd(0xd1);
	put(0x03);
	assert_int_equal(resets, 3);
	/* A data byte without a pending command does not reset. */
	put(0xfe);
	assert_int_equal(resets, 3);
}

static uint8_t sys_in(uint16_t port) { return (uint8_t)sysctl_model.pio_read(&sys, port, 1); }
static void sys_out(uint16_t port, uint8_t v) { sysctl_model.pio_write(&sys, port, 1, v); }

static void test_sysctl(void **st)
{
	power_on();
	assert_int_equal(sys_in(0x92), 0x02);       /* A20 on, no reset */
	sys_out(0x92, 0x00);
	assert_int_equal(sys_in(0x92), 0x00);
	sys_out(0x92, 0x02);
	assert_int_equal(sys_in(0x92), 0x02);
	assert_int_equal(resets, 0);
	sys_out(0x92, 0x03);                        /* fast reset */
	assert_int_equal(resets, 1);
	assert_int_equal(sys_in(0x92), 0x02);
	/* POST codes: accepted, the last one reads back. */
	assert_int_equal(sys_in(0x80), 0x00);
	sys_out(0x80, 0x12);
	sys_out(0x80, 0x34);
	assert_int_equal(sys_in(0x80), 0x34);
	assert_int_equal(resets, 1);
	sysctl_model.reset(&sys);
	assert_int_equal(sys_in(0x92), 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_self_test),
		cmocka_unit_test(test_command_byte),
		cmocka_unit_test(test_no_keyboard),
		cmocka_unit_test(test_irq1_only_for_replies),
		cmocka_unit_test(test_a20),
		cmocka_unit_test(test_reset_paths),
		cmocka_unit_test(test_sysctl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
