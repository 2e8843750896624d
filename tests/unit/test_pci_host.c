/*
 * tests/unit/test_pci_host.c - devices/pci_host.c: configuration mechanism
 * #1 (address latch rules, byte/word/dword data accesses), the host
 * bridge's IDs and class, absent functions, read-only configuration space;
 * registered functions with their own configuration space: writable bits,
 * BAR sizing, BAR writes and decode enables moving the device's range on
 * the bus (a fake bus here records them), reset to the registered state;
 * the capability list and the model told of writes (config_written); the
 * interrupt pin's GSI in the interrupt line, command bit 10 writable, and
 * INTx pins that share a GSI wire-ORed (pci_intx_set).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/device.h"
#include "devices/pci.h"
#include "core/vm/vm.h"
#include "devices/pci_layout.h"
#include "tests/unit/fake_platform.h"

extern const struct device_model pci_host_model;

static const struct device_decl decl = { "pci-host", &pci_host_model, .pio = { { 0xcf8, 8 } } };
static _Alignas(16) uint8_t state[8192];
static struct device dev;
static struct vm vm;

/* ---- a fake bus: one range per (device, space) ------------------------------ */

static struct { struct device *d; enum bus_space space; uint64_t base, len; bool on; } rng[4];
static unsigned nrng, bus_calls;

bool bus_map(struct vm *v, struct device *d, enum bus_space space, uint64_t base, uint64_t len)
{
	assert_ptr_equal(v, &vm);
	assert_true(nrng < 4);
	rng[nrng++] = (typeof(rng[0])){ d, space, base, len, true };
	bus_calls++;
	return true;
}

bool bus_move(struct vm *v, struct device *d, enum bus_space space, uint64_t old_base,
	      uint64_t new_base)
{
	bus_calls++;
	for (unsigned i = 0; i < nrng; i++)
		if (rng[i].on && rng[i].d == d && rng[i].space == space && rng[i].base == old_base) {
			rng[i].base = new_base;
			return true;
		}
	fail_msg("bus_move of a range that is not there");
	return false;
}

void bus_unmap(struct vm *v, struct device *d, enum bus_space space, uint64_t base)
{
	bus_calls++;
	for (unsigned i = 0; i < nrng; i++)
		if (rng[i].on && rng[i].d == d && rng[i].space == space && rng[i].base == base) {
			rng[i].on = false;
			return;
		}
	fail_msg("bus_unmap of a range that is not there");
}

static unsigned locks;
uint64_t device_lock(struct device *d) { locks++; return 0; }
void device_unlock(struct device *d, uint64_t f) { locks--; }

/* The one range of d in space that is on, or NULL. */
static const typeof(rng[0]) *on_range(struct device *d, enum bus_space space)
{
	for (unsigned i = 0; i < nrng; i++)
		if (rng[i].on && rng[i].d == d && rng[i].space == space)
			return &rng[i];
	return NULL;
}

static void power_on(void)
{
	memset(state, 0, sizeof(state));
	memset(&vm, 0, sizeof(vm));
	nrng = bus_calls = 0;
	assert_true(pci_host_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .state = state, .vm = &vm };
	pci_host_model.init(&dev);
	pci_host_model.reset(&dev);
	assert_ptr_equal(vm.pci, &dev);
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

/* A function at 00:03.0 with a 4 KiB memory BAR 0 and a 32-port I/O BAR 2. */
static struct device fdev;
static struct pci_function fn;

static void add_function(uint16_t command)
{
	memset(&fn, 0, sizeof(fn));
	fn.devfn = 3 << 3;
	fn.dev = &fdev;
	fn.cfg[PCI_VENDOR_ID] = 0x34;
	fn.cfg[PCI_VENDOR_ID + 1] = 0x12;
	fn.cfg[PCI_DEVICE_ID] = 0x78;
	fn.cfg[PCI_DEVICE_ID + 1] = 0x56;
	fn.cfg[PCI_CLASS_BASE] = 0xff;
	fn.cfg[PCI_COMMAND] = (uint8_t)command;
	pci_set_bar(&fn, 0, BUS_MMIO, 0x1000, 0xfeb00000);
	pci_set_bar(&fn, 2, BUS_PIO, 0x20, 0xc000);
	assert_true(pci_register(&vm, &fn));
	assert_int_equal(locks, 0);
}

static void cfg_write(unsigned bus, unsigned devn, unsigned fnum, unsigned reg, unsigned size,
		      uint32_t v)
{
	out(0xcf8, 4, cfg_addr(bus, devn, fnum, reg));
	out((uint16_t)(0xcfc + (reg & 3)), size, v);
}

static void test_function_config(void **st)
{
	power_on();
	add_function(PCI_COMMAND_MEMORY);
	assert_int_equal(cfg_read(0, 3, 0, 0x00, 4), 0x56781234);
	assert_int_equal(cfg_read(0, 3, 0, 0x0b, 1), 0xff);
	assert_int_equal(cfg_read(0, 3, 1, 0x00, 4), 0xffffffff);	/* fn 1: absent */
	assert_int_equal(cfg_read(1, 3, 0, 0x00, 4), 0xffffffff);	/* bus 1: absent */
	/* IDs are read-only; the interrupt line is writable. */
	cfg_write(0, 3, 0, 0x00, 4, 0);
	cfg_write(0, 3, 0, 0x3c, 1, 0x0b);
	assert_int_equal(cfg_read(0, 3, 0, 0x00, 4), 0x56781234);
	assert_int_equal(cfg_read(0, 3, 0, 0x3c, 1), 0x0b);
	/* A second function at the same slot is refused. */
	struct pci_function twin = { .devfn = 3 << 3, .dev = &fdev };
	assert_false(pci_register(&vm, &twin));
	/* The bridge is still there, still read-only. */
	assert_int_equal(cfg_read(0, 0, 0, 0x00, 4), 0x12378086);
}

static void test_bar_sizing_and_moves(void **st)
{
	power_on();
	add_function(PCI_COMMAND_MEMORY);
	/* Memory decode on: BAR 0 mapped where firmware put it; I/O off. */
	assert_non_null(on_range(&fdev, BUS_MMIO));
	assert_int_equal(on_range(&fdev, BUS_MMIO)->base, 0xfeb00000);
	assert_int_equal(on_range(&fdev, BUS_MMIO)->len, 0x1000);
	assert_null(on_range(&fdev, BUS_PIO));
	assert_int_equal(cfg_read(0, 3, 0, 0x10, 4), 0xfeb00000);
	assert_int_equal(cfg_read(0, 3, 0, 0x18, 4), 0xc001);
	assert_int_equal(cfg_read(0, 3, 0, 0x14, 4), 0);	/* no BAR 1 */
	/* Sizing (6.2.5.1): all ones reads back the size mask and flags. */
	cfg_write(0, 3, 0, 0x04, 2, 0);		/* decode off first, as Linux does */
	assert_null(on_range(&fdev, BUS_MMIO));
	cfg_write(0, 3, 0, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_read(0, 3, 0, 0x10, 4), 0xfffff000);
	cfg_write(0, 3, 0, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_read(0, 3, 0, 0x18, 4), 0xffe1);
	cfg_write(0, 3, 0, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_read(0, 3, 0, 0x14, 4), 0);
	/* New bases, decode on: the ranges appear there. */
	cfg_write(0, 3, 0, 0x10, 4, 0xfeb10123);	/* low bits are not address */
	cfg_write(0, 3, 0, 0x18, 4, 0xd000);
	assert_int_equal(cfg_read(0, 3, 0, 0x10, 4), 0xfeb10000);
	assert_int_equal(pci_bar_base(&fn, 0), 0xfeb10000);
	assert_int_equal(pci_bar_base(&fn, 2), 0xd000);
	cfg_write(0, 3, 0, 0x04, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(on_range(&fdev, BUS_MMIO)->base, 0xfeb10000);
	assert_int_equal(on_range(&fdev, BUS_PIO)->base, 0xd000);
	assert_int_equal(on_range(&fdev, BUS_PIO)->len, 0x20);
	/* A BAR write with decode on moves the range at once; a byte write
	 * to the BAR's top byte too. */
	cfg_write(0, 3, 0, 0x10, 4, 0xfe000000);
	assert_int_equal(on_range(&fdev, BUS_MMIO)->base, 0xfe000000);
	cfg_write(0, 3, 0, 0x13, 1, 0xfd);
	assert_int_equal(on_range(&fdev, BUS_MMIO)->base, 0xfd000000);
	unsigned calls = bus_calls;
	cfg_write(0, 3, 0, 0x3c, 1, 5);		/* not a BAR: the bus is left alone */
	assert_int_equal(bus_calls, calls);
	/* Reset: back to the registered state (BAR 0 at 0xfeb00000, I/O off). */
	pci_host_model.reset(&dev);
	assert_int_equal(cfg_read(0, 3, 0, 0x10, 4), 0xfeb00000);
	assert_int_equal(cfg_read(0, 3, 0, 0x3c, 1), 0);
	assert_int_equal(on_range(&fdev, BUS_MMIO)->base, 0xfeb00000);
	assert_null(on_range(&fdev, BUS_PIO));
}

static unsigned written_calls, written_reg;

static void on_written(struct pci_function *f, unsigned reg)
{
	assert_ptr_equal(f, &fn);
	written_calls++;
	written_reg = reg;
}

static void test_capabilities_and_writes(void **st)
{
	power_on();
	memset(&fn, 0, sizeof(fn));
	fn.devfn = 3 << 3;
	fn.dev = &fdev;
	fn.config_written = on_written;
	uint8_t a = pci_add_cap(&fn, 0x09, 6), b = pci_add_cap(&fn, 0x11, 12);
	assert_int_equal(a, 0x40);
	assert_int_equal(b, 0x48);
	fn.wmask[b + 3] = 0xc0;
	assert_true(pci_register(&vm, &fn));
	/* The list as a guest walks it (6.7). */
	assert_true(cfg_read(0, 3, 0, 0x06, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(cfg_read(0, 3, 0, 0x34, 1), 0x40);
	assert_int_equal(cfg_read(0, 3, 0, 0x40, 2), 0x4809);
	assert_int_equal(cfg_read(0, 3, 0, 0x48, 2), 0x0011);
	/* Pointers are read-only; the model's writable bits are not. */
	cfg_write(0, 3, 0, 0x34, 1, 0x80);
	cfg_write(0, 3, 0, 0x48, 4, 0xffffffff);
	assert_int_equal(cfg_read(0, 3, 0, 0x34, 1), 0x40);
	assert_int_equal(cfg_read(0, 3, 0, 0x48, 4), 0xc0000011);
	assert_int_equal(written_reg, 0x48);
	unsigned calls = written_calls;
	cfg_write(0, 3, 0, 0x4a, 1, 0);		/* a byte: the dword's offset */
	assert_int_equal(written_calls, calls + 1);
	assert_int_equal(written_reg, 0x48);
	/* No pin: the interrupt line stays as registered. */
	assert_int_equal(cfg_read(0, 3, 0, 0x3c, 2), 0);
}

static struct device fdev2;
static struct pci_function fn2;

static void test_intx(void **st)
{
	power_on();
	fake_platform_reset();
	memset(&fn, 0, sizeof(fn));
	memset(&fn2, 0, sizeof(fn2));
	fdev.vm = fdev2.vm = &vm;
	fn.devfn = 3 << 3;
	fn.dev = &fdev;
	fn.cfg[PCI_INTERRUPT_PIN] = 1;			/* 00:03 INTA# */
	fn2.devfn = 6 << 3;
	fn2.dev = &fdev2;
	fn2.cfg[PCI_INTERRUPT_PIN] = 2;			/* 00:06 INTB#: the same GSI */
	assert_true(pci_register(&vm, &fn));
	assert_true(pci_register(&vm, &fn2));
	unsigned gsi = pci_intx_gsi(3, 1);
	assert_int_equal(gsi, 16 + 3);
	assert_int_equal(pci_intx_gsi(6, 2), gsi);
	assert_int_equal(pci_intx_gsi(0, 1), 16);
	assert_int_equal(pci_intx_gsi(1, 4), 16);
	/* Firmware's interrupt line: the GSI. */
	assert_int_equal(cfg_read(0, 3, 0, 0x3c, 2), 0x0100 | gsi);
	assert_int_equal(cfg_read(0, 6, 0, 0x3c, 2), 0x0200 | gsi);
	/* Command bit 10 (interrupt disable) is writable. */
	cfg_write(0, 3, 0, 0x04, 2, 0x0400);
	assert_int_equal(cfg_read(0, 3, 0, 0x04, 2), 0x0400);
	/* Active low: pulled up at registration; wire-OR: low while either
	 * asserts. */
	assert_int_equal(fake_irq_level[gsi], 1);
	pci_intx_set(&fn, true);
	assert_int_equal(fake_irq_level[gsi], 0);
	pci_intx_set(&fn2, true);
	pci_intx_set(&fn, false);
	assert_int_equal(fake_irq_level[gsi], 0);
	pci_intx_set(&fn2, false);
	assert_int_equal(fake_irq_level[gsi], 1);
	/* A function without a pin, or not registered, drives nothing. */
	struct pci_function stray = { .devfn = 9 << 3, .dev = &fdev };
	stray.cfg[PCI_INTERRUPT_PIN] = 1;
	unsigned events = fake_irq_count;
	pci_intx_set(&stray, true);
	fn.cfg[PCI_INTERRUPT_PIN] = 0;
	pci_intx_set(&fn, true);
	assert_int_equal(fake_irq_count, events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_bridge_ids),
		cmocka_unit_test(test_byte_word_lanes),
		cmocka_unit_test(test_absent_functions),
		cmocka_unit_test(test_address_latch),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_function_config),
		cmocka_unit_test(test_bar_sizing_and_moves),
		cmocka_unit_test(test_capabilities_and_writes),
		cmocka_unit_test(test_intx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
