/*
 * tests/unit/test_msix.c - devices/msix.c (PCI LB 3.0, 6.8.2): the
 * capability in configuration space and its place in the capability list
 * (6.7), the table and PBA at any size and alignment, read-only bits,
 * per-vector mask, pending bits and the unmask, the function mask and the
 * enable; devices/msi.c (Intel SDM vol. 3A, 10.11): address and data
 * decoding, delivery through vlapic_deliver (faked here), drops counted
 * and logged once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/msix.h"
#include "devices/msi.h"
#include "devices/vlapic.h"
#include "core/vm/vm.h"
#include "lib/log.h"

/* ---- fakes: the send callback, vlapic_deliver, the log ------------------------ */

static struct { uint64_t addr; uint32_t data; } sent[64];
static unsigned nsent;

static void record(void *ctx, uint64_t addr, uint32_t data)
{
	assert_ptr_equal(ctx, &nsent);
	assert_true(nsent < 64);
	sent[nsent].addr = addr;
	sent[nsent++].data = data;
}

static struct { uint32_t dest; bool logical; unsigned mode; uint8_t vector; bool level; } dl;
static unsigned ndelivered, nlogged;

void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical, unsigned mode, uint8_t vector,
		    bool level)
{
	dl.dest = dest;
	dl.logical = logical;
	dl.mode = mode;
	dl.vector = vector;
	dl.level = level;
	ndelivered++;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	nlogged++;
}

/* ---- a function with a capability before MSI-X ------------------------------ */

static struct pci_function f;
static struct msix m;

static void make(unsigned nvec)
{
	memset(&f, 0, sizeof(f));
	memset(&m, 0, sizeof(m));
	nsent = 0;
	assert_int_equal(pci_add_cap(&f, 0x09, 8), 0x40);	/* vendor-specific, 8 bytes */
	msix_init(&m, nvec, 2, 0x100, 0x804, record, &nsent);	/* PBA rounds to 0x800 */
	assert_int_equal(msix_add_cap(&m, &f), 0x48);
}

static uint32_t cfg32(unsigned reg)
{
	return f.cfg[reg] | f.cfg[reg + 1] << 8 | f.cfg[reg + 2] << 16 | (uint32_t)f.cfg[reg + 3] << 24;
}

/* What pci_host.c does on a configuration write: through wmask, then tell. */
static void cfg_write32(unsigned reg, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		f.cfg[reg + i] = (uint8_t)((f.cfg[reg + i] & ~f.wmask[reg + i]) |
					   ((uint8_t)(v >> (8 * i)) & f.wmask[reg + i]));
	msix_config_written(&m, &f, reg);
}

static void control(uint16_t c)
{
	cfg_write32(m.cap, (uint32_t)c << 16);
}

static void entry(unsigned n, uint64_t addr, uint32_t data, uint32_t ctrl)
{
	msix_bar_write(&m, 0x100 + 16 * n, 8, addr);
	msix_bar_write(&m, 0x100 + 16 * n + 8, 4, data);
	msix_bar_write(&m, 0x100 + 16 * n + 12, 4, ctrl);
}

static uint64_t pba(void)
{
	return msix_bar_read(&m, 0x800, 8);
}

static void test_capability(void **state)
{
	make(4);
	assert_true(f.cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST);
	assert_int_equal(f.cfg[PCI_CAP_PTR], 0x40);
	assert_int_equal(f.cfg[0x41], 0x48);		/* next: MSI-X */
	assert_int_equal(f.cfg[0x48], PCI_CAP_ID_MSIX);
	assert_int_equal(f.cfg[0x49], 0);		/* the end */
	assert_int_equal(cfg32(0x48) >> 16, 3);	/* table size N - 1 */
	assert_int_equal(cfg32(0x4c), 0x100 | 2);	/* table offset | BIR */
	assert_int_equal(cfg32(0x50), 0x800 | 2);
	/* Only enable and function mask are writable. */
	control(0xffff);
	assert_int_equal(cfg32(0x48) >> 16, 0xc003);
	assert_true(m.enabled && m.maskall);
	cfg_write32(0x4c, 0);
	assert_int_equal(cfg32(0x4c), 0x102);
	assert_int_equal(f.cap_free, 0x54);
}

static void test_no_room(void **state)
{
	memset(&f, 0, sizeof(f));
	assert_int_equal(pci_add_cap(&f, 0x09, 0xb0), 0x40);
	assert_int_equal(pci_add_cap(&f, 0x09, 0x10), 0xf0);
	assert_int_equal(pci_add_cap(&f, 0x09, 4), 0);	/* 0x100 is past the end */
	assert_int_equal(pci_add_cap(&f, 0x09, 1), 0);	/* shorter than a header */
	assert_int_equal(f.cfg[0x41], 0xf0);
	assert_int_equal(f.cfg[0xf1], 0);
}

static void test_reset_state(void **state)
{
	make(4);
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(msix_bar_read(&m, 0x100 + 16 * n + 12, 4), MSIX_VECTOR_MASKED);
	assert_int_equal(pba(), 0);
	assert_int_equal(msix_raise(&m, 0), MSIX_OFF);	/* disabled: INTx */
	assert_int_equal(nsent, 0);
}

static void test_table_access(void **state)
{
	make(4);
	msix_bar_write(&m, 0x110, 8, 0x00000001fee01003ull);	/* entry 1, qword */
	assert_int_equal(msix_bar_read(&m, 0x110, 4), 0xfee01000);	/* bits 1:0 read 0 */
	assert_int_equal(msix_bar_read(&m, 0x114, 4), 1);
	msix_bar_write(&m, 0x118, 4, 0x4041);
	msix_bar_write(&m, 0x11c, 4, 0xfffffffe);			/* reserved bits RO */
	assert_int_equal(msix_bar_read(&m, 0x11c, 4), 0);
	/* Bytes and unaligned accesses, across an entry's dwords. */
	msix_bar_write(&m, 0x117, 2, 0xabcd);
	assert_int_equal(msix_bar_read(&m, 0x117, 1), 0xcd);
	assert_int_equal(msix_bar_read(&m, 0x118, 1), 0xab);
	assert_int_equal(msix_bar_read(&m, 0x116, 4), 0x40abcd00);	/* data was 0x4041 */
	/* Past the table and the PBA: nothing. */
	msix_bar_write(&m, 0x140, 8, ~0ull);
	assert_int_equal(msix_bar_read(&m, 0x140, 8), 0);
	assert_int_equal(msix_bar_read(&m, 0x13c, 8), 1);	/* entry 3's mask, then 0 */
	/* The PBA is read-only. */
	msix_bar_write(&m, 0x800, 8, ~0ull);
	assert_int_equal(pba(), 0);
	assert_int_equal(nsent, 0);
}

static void test_deliver_and_pending(void **state)
{
	make(4);
	entry(0, 0xfee00000, 0x41, 0);
	entry(1, 0xfee01000, 0x42, 1);
	control(MSIX_CTRL_ENABLE);
	assert_int_equal(msix_raise(&m, 0), MSIX_SENT);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].addr, 0xfee00000);
	assert_int_equal(sent[0].data, 0x41);
	/* Masked: pending, twice is still one bit; the unmask sends it once. */
	assert_int_equal(msix_raise(&m, 1), MSIX_PENDING);
	assert_int_equal(msix_raise(&m, 1), MSIX_PENDING);
	assert_int_equal(pba(), 2);
	assert_int_equal(nsent, 1);
	msix_bar_write(&m, 0x118, 4, 0x43);	/* a change while masked: the new data goes */
	msix_bar_write(&m, 0x11c, 1, 0);	/* unmask with a byte write */
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].addr, 0xfee01000);
	assert_int_equal(sent[1].data, 0x43);
	assert_int_equal(pba(), 0);
	/* A vector that does not exist. */
	assert_int_equal(msix_raise(&m, 4), MSIX_NO_VECTOR);
	assert_int_equal(nsent, 2);
}

static void test_function_mask(void **state)
{
	make(4);
	entry(0, 0xfee00000, 0x41, 0);
	entry(2, 0xfee00000, 0x45, 0);
	entry(3, 0xfee00000, 0x46, 1);
	control(MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	assert_int_equal(msix_raise(&m, 0), MSIX_PENDING);
	assert_int_equal(msix_raise(&m, 2), MSIX_PENDING);
	assert_int_equal(msix_raise(&m, 3), MSIX_PENDING);
	assert_int_equal(pba(), 0xd);
	assert_int_equal(nsent, 0);
	/* Another register of the function: nothing changes. */
	msix_config_written(&m, &f, 0x04);
	assert_int_equal(nsent, 0);
	control(MSIX_CTRL_ENABLE);	/* 0 and 2 go, in order; 3 is still masked */
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].data, 0x41);
	assert_int_equal(sent[1].data, 0x45);
	assert_int_equal(pba(), 8);
	/* Disabled: pending bits stay; enabled again they go. */
	control(0);
	msix_bar_write(&m, 0x13c, 4, 0);
	assert_int_equal(nsent, 2);
	control(MSIX_CTRL_ENABLE);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].data, 0x46);
	assert_int_equal(pba(), 0);
	/* Reset: masked, nothing pending, disabled. */
	msix_reset(&m);
	assert_false(m.enabled);
	assert_int_equal(msix_bar_read(&m, 0x100, 8), 0);
	assert_int_equal(msix_bar_read(&m, 0x10c, 4), 1);
}

/* INTx only while MSI-X is off and command bit 10 clear (6.8.2, 6.2.2). */
static void test_intx_allowed(void **state)
{
	make(4);
	assert_true(msix_intx_allowed(&m, &f));
	f.cfg[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	assert_false(msix_intx_allowed(&m, &f));
	f.cfg[PCI_COMMAND + 1] = 0;
	control(MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	assert_false(msix_intx_allowed(&m, &f));
	control(0);
	assert_true(msix_intx_allowed(&m, &f));
}

static void test_vector_count_clamped(void **state)
{
	memset(&m, 0, sizeof(m));
	msix_init(&m, 0, 9, 0x3, 0x400, record, &nsent);
	assert_int_equal(m.nvec, 1);
	assert_int_equal(m.bar, 3);
	assert_int_equal(m.table_off, 0);
	msix_init(&m, 1000, 0, 0, 0x400, record, &nsent);
	assert_int_equal(m.nvec, MSIX_MAX_VECTORS);
}

/* ---- MSI messages ------------------------------------------------------------ */

static void test_msi_decode(void **state)
{
	struct msi_decoded d;
	assert_int_equal(msi_decode(0xfee01000, 0x4031, &d), MSI_OK);
	assert_int_equal(d.dest, 1);
	assert_false(d.logical);
	assert_int_equal(d.mode, APIC_DM_FIXED);
	assert_int_equal(d.vector, 0x31);
	assert_false(d.level);
	/* Logical, lowest priority, level. */
	assert_int_equal(msi_decode(0xfeeff004, 0xc132, &d), MSI_OK);
	assert_int_equal(d.dest, 0xff);
	assert_true(d.logical);
	assert_int_equal(d.mode, APIC_DM_LOWEST);
	assert_true(d.level);
	/* RH makes a fixed message lowest priority; NMI stays NMI. */
	assert_int_equal(msi_decode(0xfee02008, 0x33, &d), MSI_OK);
	assert_int_equal(d.mode, APIC_DM_LOWEST);
	assert_int_equal(msi_decode(0xfee02008, 0x400, &d), MSI_OK);
	assert_int_equal(d.mode, APIC_DM_NMI);
	/* Outside 0xfee00000-0xfeefffff, or above 4 GiB. */
	assert_int_equal(msi_decode(0xfed00000, 0x31, &d), MSI_BAD_ADDRESS);
	assert_int_equal(msi_decode(0xfef00000, 0x31, &d), MSI_BAD_ADDRESS);
	assert_int_equal(msi_decode(0x1fee00000ull, 0x31, &d), MSI_BAD_ADDRESS);
	assert_int_equal(msi_decode(0, 0x31, &d), MSI_BAD_ADDRESS);
	/* Reserved delivery modes 3 and 6. */
	assert_int_equal(msi_decode(0xfee00000, 0x331, &d), MSI_BAD_MODE);
	assert_int_equal(msi_decode(0xfee00000, 0x631, &d), MSI_BAD_MODE);
	for (unsigned mode = 0; mode < 8; mode++)
		assert_int_equal(msi_decode(0xfee00000, mode << 8 | 0x40, &d),
				 mode == 3 || mode == 6 ? MSI_BAD_MODE : MSI_OK);
}

static void test_msi_send(void **state)
{
	static struct vm vm;
	memset(&vm, 0, sizeof(vm));
	ndelivered = nlogged = 0;
	msi_send(&vm, 0xfee03004, 0x0155);
	assert_int_equal(ndelivered, 1);
	assert_int_equal(dl.dest, 3);
	assert_true(dl.logical);
	assert_int_equal(dl.mode, APIC_DM_LOWEST);
	assert_int_equal(dl.vector, 0x55);
	/* A level deassert message: nothing to deliver. */
	msi_send(&vm, 0xfee00000, 0x8056);
	assert_int_equal(ndelivered, 1);
	msi_send(&vm, 0xfee00000, 0xc056);
	assert_int_equal(ndelivered, 2);
	assert_true(dl.level);
	/* Drops: counted, the first logged. */
	msi_send(&vm, 0xfec00000, 0x57);
	msi_send(&vm, 0xfee00000, 0x357);
	msi_send(&vm, 0x1fee00000ull, 0x57);
	assert_int_equal(ndelivered, 2);
	assert_int_equal(vm.msi_dropped, 3);
	assert_int_equal(nlogged, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capability),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_table_access),
		cmocka_unit_test(test_deliver_and_pending),
		cmocka_unit_test(test_function_mask),
		cmocka_unit_test(test_intx_allowed),
		cmocka_unit_test(test_vector_count_clamped),
		cmocka_unit_test(test_msi_decode),
		cmocka_unit_test(test_msi_send),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
