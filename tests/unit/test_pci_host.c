/*
 * tests/unit/test_pci_host.c - devices/pci_host.c: configuration mechanism
 * #1 (address latch rules, byte/word/dword data accesses), the host
 * bridge's IDs and class, absent functions, read-only configuration space.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/device.h"

extern const struct device_model pci_host_model;

static const struct device_decl decl = { "pci-host", &pci_host_model, .pio = { { 0xcf8, 8 } } };
static _Alignas(16) uint8_t state[1024];
static struct device dev;

static void power_on(void)
{
	memset(state, 0, sizeof(state));
	assert_true(pci_host_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .state = state };
	pci_host_model.init(&dev);
	pci_host_model.reset(&dev);
}

static uint32_t in(uint16_t port, unsigned size) { return pci_host_model.pio_read(&dev, port, size); }
static void out(uint16_t port, unsigned size, uint32_t v) { pci_host_model.pio_write(&dev, port, size, v); }

static uint32_t cfg_addr(unsigned bus, unsigned devn, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | devn << 11 | fn << 8 | (reg & 0xfc);
}

static uint32_t cfg_read(unsigned bus, unsigned devn, unsigned fn, unsigned reg, unsigned size)
{
	out(0xcf8, 4, cfg_addr(bus, devn, fn, reg));
	return in((uint16_t)(0xcfc + (reg & 3)), size);
}

static void test_host_bridge_ids(void **st)
{
	power_on();
	assert_int_equal(cfg_read(0, 0, 0, 0x00, 4), 0x12378086);
	assert_int_equal(cfg_read(0, 0, 0, 0x08, 4) >> 8, 0x060000);   /* class */
	assert_int_equal(cfg_read(0, 0, 0, 0x08, 1), 0x02);             /* revision */
	assert_int_equal(cfg_read(0, 0, 0, 0x0e, 1), 0x00);             /* header type 0 */
	assert_int_equal(cfg_read(0, 0, 0, 0x04, 2), 0x0006);
	assert_int_equal(cfg_read(0, 0, 0, 0x06, 2), 0x0280);
	assert_int_equal(cfg_read(0, 0, 0, 0x10, 4), 0);                /* no BARs */
	assert_int_equal(cfg_read(0, 0, 0, 0xfc, 4), 0);
}

static void test_byte_word_lanes(void **st)
{
	power_on();
	out(0xcf8, 4, cfg_addr(0, 0, 0, 0));
	assert_int_equal(in(0xcfc, 1), 0x86);
	assert_int_equal(in(0xcfd, 1), 0x80);
	assert_int_equal(in(0xcfe, 1), 0x37);
	assert_int_equal(in(0xcff, 1), 0x12);
	assert_int_equal(in(0xcfc, 2), 0x8086);
	assert_int_equal(in(0xcfe, 2), 0x1237);
	assert_int_equal(in(0xcfd, 2), 0x3780);
	/* Lanes past 0xcff are outside the window: all ones. */
	assert_int_equal(in(0xcfe, 4), 0xffff1237);
	assert_int_equal(in(0xcff, 2), 0xff12);
	/* The low 2 address bits are reserved: the lane comes from the port. */
	out(0xcf8, 4, cfg_addr(0, 0, 0, 0x08) | 3);
	assert_int_equal(in(0xcf8, 4), cfg_addr(0, 0, 0, 0x08));
	assert_int_equal(in(0xcfc, 1), 0x02);
	assert_int_equal(in(0xcff, 1), 0x06);
}

static void test_absent_functions(void **st)
{
	power_on();
	assert_int_equal(cfg_read(0, 1, 0, 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(0, 31, 7, 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(0, 0, 1, 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(1, 0, 0, 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(255, 0, 0, 0, 2), 0xffffffff);
	assert_int_equal(cfg_read(0, 2, 0, 0x3c, 1), 0xffffffff);
	out(0xcf8, 4, cfg_addr(0, 3, 0, 0x04));
	out(0xcfc, 4, 0x7);                          /* ignored */
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
}

static void test_address_latch(void **st)
{
	power_on();
	assert_int_equal(in(0xcf8, 4), 0);
	/* Without bit 31 the data window does nothing. */
	out(0xcf8, 4, 0x00000000);
	assert_int_equal(in(0xcf8, 4), 0x00000000);
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
	/* Reserved bits 30:24 read back 0. */
	out(0xcf8, 4, 0xff000000 | cfg_addr(0, 0, 0, 0));
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	assert_int_equal(in(0xcfc, 4), 0x12378086);
	/* Byte and word accesses to 0xcf8-0xcfb are not the address register. */
	out(0xcfb, 1, 0x01);
	out(0xcf8, 2, 0x1234);
	out(0xcfa, 2, 0x0000);
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	assert_int_equal(in(0xcf8, 1), 0xffffffff);
	assert_int_equal(in(0xcf9, 1), 0xffffffff);
	assert_int_equal(in(0xcfc, 4), 0x12378086);
	/* Linux's pci_check_type1() probe. */
	out(0xcf8, 4, 0x80000000);
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	/* Reset clears the latch. */
	pci_host_model.reset(&dev);
	assert_int_equal(in(0xcf8, 4), 0);
}

static void test_read_only(void **st)
{
	power_on();
	out(0xcf8, 4, cfg_addr(0, 0, 0, 0x00));
	out(0xcfc, 4, 0);
	out(0xcfc, 1, 0);
	out(0xcf8, 4, cfg_addr(0, 0, 0, 0x04));
	out(0xcfc, 2, 0x0000);
	out(0xcf8, 4, cfg_addr(0, 0, 0, 0x40));
	out(0xcfc, 4, 0xdeadbeef);
	assert_int_equal(cfg_read(0, 0, 0, 0x00, 4), 0x12378086);
	assert_int_equal(cfg_read(0, 0, 0, 0x04, 2), 0x0006);
	assert_int_equal(cfg_read(0, 0, 0, 0x40, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_bridge_ids),
		cmocka_unit_test(test_byte_word_lanes),
		cmocka_unit_test(test_absent_functions),
		cmocka_unit_test(test_address_latch),
		cmocka_unit_test(test_read_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
