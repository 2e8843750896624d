/*
 * tests/unit/test_testdev.c - unit tests of devices/testdev.c: the RAM-like
 * window (every size, little-endian, unaligned), the status registers of the
 * last access, accesses straddling the window's end, and the counter reset;
 * its interrupts: INTx while MSI-X is off (and command bit 10), MSI-X
 * vectors through the table in BAR 1 (msi_send and pci_intx_set faked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "devices/testdev.h"

#define B TESTDEV_BASE

/* devices/pci_host.c is not linked: registration always works here, and
 * makes the command register writable as it does. */
bool pci_register(struct vm *vm, struct pci_function *f)
{
	f->wmask[PCI_COMMAND] |= 0x7;
	f->wmask[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
	return true;
}

static int intx_level = -1;
static unsigned nmsi, locks;
static uint64_t msi_addr;
static uint32_t msi_data;
void pci_intx_set(struct pci_function *f, bool asserted) { intx_level = asserted; }
void msi_send(struct vm *vm, uint64_t addr, uint32_t data)
{
	nmsi++;
	msi_addr = addr;
	msi_data = data;
}
uint64_t device_lock(struct device *d) { locks++; return 0; }
void device_unlock(struct device *d, uint64_t f) { locks--; }

static const struct device_decl decl = {
	"testdev", &testdev_model, .mmio_base = TESTDEV_BASE, .mmio_len = TESTDEV_SIZE,
};

static struct device *make(void)
{
	struct device *d = calloc(1, sizeof(*d) + testdev_model.state_size);
	d->decl = &decl;
	d->state = d + 1;
	if (testdev_model.init)
		testdev_model.init(d);
	testdev_model.reset(d);
	return d;
}

static uint64_t rd(struct device *d, uint64_t off, unsigned size)
{
	return testdev_model.mmio_read(d, B + off, size);
}

static void wr(struct device *d, uint64_t off, unsigned size, uint64_t val)
{
	testdev_model.mmio_write(d, B + off, size, val);
}

static uint32_t status(struct device *d, unsigned reg)
{
	return (uint32_t)rd(d, reg, 4);
}

static void assert_last(struct device *d, uint32_t off, uint32_t size, uint32_t write,
			uint32_t count)
{
	assert_int_equal(status(d, TESTDEV_ST_OFFSET), off);
	assert_int_equal(status(d, TESTDEV_ST_SIZE), size);
	assert_int_equal(status(d, TESTDEV_ST_WRITE), write);
	assert_int_equal(status(d, TESTDEV_ST_COUNT), count);
}

static void test_power_on(void **state)
{
	struct device *d = make();
	for (unsigned off = 0; off < TESTDEV_RAM_SIZE; off += 8)
		assert_int_equal(testdev_model.mmio_read(d, B + off, 8), 0);
	/* those 256 reads were logged */
	assert_last(d, TESTDEV_RAM_SIZE - 8, 8, 0, TESTDEV_RAM_SIZE / 8);
	free(d);
}

static void test_ram_sizes_little_endian(void **state)
{
	struct device *d = make();
	wr(d, 0x10, 8, 0x1122334455667788ull);
	assert_int_equal(rd(d, 0x10, 1), 0x88);
	assert_int_equal(rd(d, 0x17, 1), 0x11);
	assert_int_equal(rd(d, 0x10, 2), 0x7788);
	assert_int_equal(rd(d, 0x12, 2), 0x5566);
	assert_int_equal(rd(d, 0x10, 4), 0x55667788);
	assert_int_equal(rd(d, 0x14, 4), 0x11223344);
	assert_true(rd(d, 0x10, 8) == 0x1122334455667788ull);
	wr(d, 0x11, 1, 0xab);
	wr(d, 0x12, 2, 0xcdef);
	assert_int_equal(rd(d, 0x10, 4), 0xcdefab88);
	/* a write of size n touches n bytes only */
	wr(d, 0x20, 8, ~0ull);
	wr(d, 0x20, 4, 0);
	assert_true(rd(d, 0x20, 8) == 0xffffffff00000000ull);
	free(d);
}

static void test_unaligned(void **state)
{
	struct device *d = make();
	wr(d, 0x33, 4, 0xdeadbeef);
	assert_int_equal(rd(d, 0x33, 4), 0xdeadbeef);
	assert_int_equal(rd(d, 0x34, 2), 0xadbe);
	wr(d, 0x101, 8, 0x0102030405060708ull);
	assert_true(rd(d, 0x101, 8) == 0x0102030405060708ull);
	assert_true(rd(d, 0x100, 8) == 0x0203040506070800ull);
	/* the last bytes of the window */
	wr(d, 0x7f8, 8, 0xa1a2a3a4a5a6a7a8ull);
	assert_true(rd(d, 0x7f8, 8) == 0xa1a2a3a4a5a6a7a8ull);
	assert_int_equal(rd(d, 0x7ff, 1), 0xa1);
	free(d);
}

static void test_status_registers(void **state)
{
	struct device *d = make();
	wr(d, 0x40, 4, 0x12345678);
	assert_last(d, 0x40, 4, 1, 1);
	assert_int_equal(status(d, TESTDEV_ST_VAL_LO), 0x12345678);
	assert_int_equal(status(d, TESTDEV_ST_VAL_HI), 0);
	/* status reads are not logged */
	assert_last(d, 0x40, 4, 1, 1);
	rd(d, 0x41, 2);
	assert_last(d, 0x41, 2, 0, 2);
	/* a read keeps the last written value */
	assert_int_equal(status(d, TESTDEV_ST_VAL_LO), 0x12345678);
	wr(d, 0x7, 8, 0x8877665544332211ull);
	assert_last(d, 0x7, 8, 1, 3);
	assert_int_equal(status(d, TESTDEV_ST_VAL_LO), 0x44332211);
	assert_int_equal(status(d, TESTDEV_ST_VAL_HI), 0x88776655);
	assert_true(rd(d, TESTDEV_ST_VAL_LO, 8) == 0x8877665544332211ull);
	/* byte reads of a status register, and an 8-byte read of two */
	assert_int_equal(rd(d, TESTDEV_ST_COUNT, 1), 3);
	assert_true(rd(d, TESTDEV_ST_OFFSET, 8) == ((8ull << 32) | 7));
	wr(d, 0x9, 1, 0x1ff);		/* only the byte is written and logged */
	assert_int_equal(status(d, TESTDEV_ST_VAL_LO), 0xff);
	assert_int_equal(status(d, TESTDEV_ST_VAL_HI), 0);
	/* the rest of the page reads 0 and ignores writes */
	assert_int_equal(rd(d, 0x818, 4), 0);
	assert_int_equal(rd(d, 0x900, 8), 0);
	wr(d, 0x900, 4, 5);
	wr(d, TESTDEV_ST_OFFSET, 4, 0x77);	/* read-only */
	assert_int_equal(rd(d, 0x900, 4), 0);
	assert_last(d, 0x9, 1, 1, 4);
	free(d);
}

static void test_counter_reset(void **state)
{
	struct device *d = make();
	for (int i = 0; i < 5; i++)
		rd(d, 0x100 + i, 1);
	assert_int_equal(status(d, TESTDEV_ST_COUNT), 5);
	wr(d, TESTDEV_RESET, 4, 0);
	assert_int_equal(status(d, TESTDEV_ST_COUNT), 0);
	/* the last access is still described */
	assert_int_equal(status(d, TESTDEV_ST_OFFSET), 0x104);
	wr(d, 0x20, 2, 0xbeef);
	assert_last(d, 0x20, 2, 1, 1);
	/* a byte write and an 8-byte write covering 0x840 reset it too */
	wr(d, TESTDEV_RESET, 1, 0);
	assert_int_equal(status(d, TESTDEV_ST_COUNT), 0);
	rd(d, 0, 1);
	wr(d, 0x83c, 8, 0);
	assert_int_equal(status(d, TESTDEV_ST_COUNT), 0);
	/* reading 0x840 does not */
	rd(d, 0, 1);
	rd(d, TESTDEV_RESET, 4);
	assert_int_equal(status(d, TESTDEV_ST_COUNT), 1);
	free(d);
}

static void test_straddle(void **state)
{
	struct device *d = make();
	wr(d, 0x7fc, 4, 0x44332211);
	wr(d, TESTDEV_RESET, 4, 0);
	/* 4 bytes from 0x7fe: two window bytes, then the status offset
	 * register (0x800). */
	uint64_t v = rd(d, 0x7fe, 4);
	assert_int_equal(v & 0xffff, 0x4433);
	/* the status bytes are read before this access is logged: they
	 * still describe the write at 0x7fc */
	assert_int_equal(v >> 16, 0x07fc);
	assert_last(d, 0x7fe, 2, 0, 1);
	/* a write straddling: only the window part lands and is logged */
	wr(d, 0x7fd, 8, 0x8877665544332211ull);
	assert_last(d, 0x7fd, 3, 1, 2);
	assert_int_equal(rd(d, 0x7fd, 1), 0x11);
	assert_int_equal(rd(d, 0x7fe, 2), 0x3322);
	assert_int_equal(status(d, TESTDEV_ST_OFFSET), 0x7fe);	/* not 0x55 */
	free(d);
}

/* The page is wherever BAR 0 says (a guest moved it: devices/pci_host.c
 * stores the dword). */
static void test_page_follows_bar0(void **state)
{
	(void)state;
	struct device *d = make();
	struct testdev_state *s = d->state;
	assert_int_equal(pci_bar_base(&s->pci, 0), TESTDEV_BASE);
	assert_int_equal(s->pci.devfn, TESTDEV_DEVFN);
	assert_int_equal(s->pci.cfg[PCI_VENDOR_ID] | s->pci.cfg[PCI_VENDOR_ID + 1] << 8,
			 TESTDEV_VENDOR);
	assert_int_equal(s->pci.bar[0].size, TESTDEV_SIZE);
	uint32_t moved = 0xfeb10000u;
	memcpy(s->pci.cfg + PCI_BAR0, &moved, 4);
	testdev_model.mmio_write(d, moved + 0x10, 4, 0xabcd1234);
	assert_int_equal(testdev_model.mmio_read(d, moved + 0x10, 4), 0xabcd1234);
	assert_int_equal(testdev_model.mmio_read(d, moved + TESTDEV_ST_OFFSET, 4), 0x10);
	free(d);
}

/* A configuration write as pci_host.c makes it: through wmask, then told. */
static void cfg_write32(struct device *d, unsigned reg, uint32_t v)
{
	struct pci_function *f = &((struct testdev_state *)d->state)->pci;
	for (unsigned i = 0; i < 4; i++)
		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~f->wmask[reg + i]) |
					    ((uint8_t)(v >> (8 * i)) & f->wmask[reg + i]));
	f->config_written(f, reg);
	assert_int_equal(locks, 0);
}

static void test_interrupts(void **state)
{
	struct device *d = make();
	struct testdev_state *s = d->state;
	const uint8_t *cfg = s->pci.cfg;
	pci_register(NULL, &s->pci);		/* make() gives it no VM */
	assert_int_equal(cfg[PCI_INTERRUPT_PIN], 1);
	assert_int_equal(intx_level, 0);
	/* The MSI-X capability, first in the list; BAR 1 at its page. */
	unsigned cap = cfg[PCI_CAP_PTR];
	assert_int_equal(cfg[cap], PCI_CAP_ID_MSIX);
	assert_int_equal(cfg[cap + 2], TESTDEV_MSIX_VECTORS - 1);
	assert_int_equal(pci_bar_base(&s->pci, 1), TESTDEV_MSIX_BASE);
	/* MSI-X off: a raise asserts INTx until the guest clears it. */
	wr(d, TESTDEV_IRQ_RAISE, 4, 2);
	assert_int_equal(intx_level, 1);
	assert_int_equal(status(d, TESTDEV_INTX), 1);
	wr(d, TESTDEV_INTX, 1, 0);
	assert_int_equal(intx_level, 0);
	assert_int_equal(status(d, TESTDEV_INTX), 0);
	/* Command bit 10 holds it low, but the device still asks. */
	cfg_write32(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	wr(d, TESTDEV_IRQ_RAISE, 1, 0);
	assert_int_equal(intx_level, 0);
	assert_int_equal(status(d, TESTDEV_INTX), 1);
	cfg_write32(d, PCI_COMMAND, PCI_COMMAND_MEMORY);
	assert_int_equal(intx_level, 1);
	/* MSI-X on: INTx goes low; vector 1 through its table entry. */
	uint64_t t = TESTDEV_MSIX_BASE + TESTDEV_MSIX_TABLE + 16;
	testdev_model.mmio_write(d, t, 8, 0xfee01000);
	testdev_model.mmio_write(d, t + 8, 4, 0x41);
	testdev_model.mmio_write(d, t + 12, 4, 0);
	assert_int_equal(testdev_model.mmio_read(d, t + 8, 4), 0x41);
	cfg_write32(d, cap, MSIX_CTRL_ENABLE << 16);
	assert_int_equal(intx_level, 0);
	wr(d, TESTDEV_IRQ_RAISE - 1, 2, 0x0100);	/* a word whose second byte is 0x844 */
	assert_int_equal(nmsi, 1);
	assert_int_equal(msi_addr, 0xfee01000);
	assert_int_equal(msi_data, 0x41);
	/* Vector 0 is masked: pending in the PBA. */
	wr(d, TESTDEV_IRQ_RAISE, 1, 0);
	assert_int_equal(nmsi, 1);
	assert_int_equal(testdev_model.mmio_read(d, TESTDEV_MSIX_BASE + TESTDEV_MSIX_PBA, 8), 1);
	/* Reset: MSI-X off, nothing pending, INTx low. */
	testdev_model.reset(d);
	assert_false(s->msix.enabled);
	assert_int_equal(testdev_model.mmio_read(d, TESTDEV_MSIX_BASE + TESTDEV_MSIX_PBA, 8), 0);
	assert_int_equal(intx_level, 0);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_follows_bar0),
		cmocka_unit_test(test_power_on),
		cmocka_unit_test(test_ram_sizes_little_endian),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_status_registers),
		cmocka_unit_test(test_counter_reset),
		cmocka_unit_test(test_straddle),
		cmocka_unit_test(test_interrupts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
