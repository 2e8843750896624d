/*
 * tests/unit/test_ioapic.c - the IOAPIC (devices/ioapic.c): its registers
 * through IOREGSEL/IOWIN, and what it delivers (vlapic_deliver is faked and
 * records every message) for edge and level pins, masks and polarities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/fake_platform.h"
#include "devices/ioapic.h"
#include "devices/pci_layout.h"
#include "devices/vlapic.h"
#include "devices/device.h"
#include "devices/bus.h"
#include "core/vm/vm.h"

static struct vm vm;
static const struct device_decl decl = {
	"ioapic", &ioapic_model, .mmio_base = IOAPIC_BASE, .mmio_len = 0x1000,
};
static struct device dev;
static uint64_t state[64];

/* ---- fakes ---- */

static int locked;
uint64_t device_lock(struct device *d)
{
	assert_ptr_equal(d, &dev);
	assert_int_equal(locked, 0);	/* never taken twice */
	locked = 1;
	return 0;
}

void device_unlock(struct device *d, uint64_t flags)
{
	assert_int_equal(locked, 1);
	locked = 0;
}

struct msg {
	uint32_t dest;
	bool logical;
	unsigned mode;
	uint8_t vector;
	bool level;
};
static struct msg msgs[64];
static unsigned nmsgs;

void vlapic_deliver(struct vm *v, uint32_t dest, bool logical, unsigned mode,
		    uint8_t vector, bool level)
{
	assert_ptr_equal(v, &vm);
	assert_int_equal(locked, 1);	/* under the IOAPIC's lock */
	assert_true(nmsgs < 64);
	msgs[nmsgs++] = (struct msg){ dest, logical, mode, vector, level };
}

/* ---- helpers: MMIO as the bus does it, with the lock held ---- */

static uint32_t rd(uint64_t off, unsigned size)
{
	uint64_t f = device_lock(&dev);
	uint32_t v = (uint32_t)ioapic_model.mmio_read(&dev, IOAPIC_BASE + off, size);
	device_unlock(&dev, f);
	return v;
}

static void wr(uint64_t off, unsigned size, uint32_t val)
{
	uint64_t f = device_lock(&dev);
	ioapic_model.mmio_write(&dev, IOAPIC_BASE + off, size, val);
	device_unlock(&dev, f);
}

static uint32_t reg(uint32_t r)
{
	wr(0x00, 4, r);
	return rd(0x10, 4);
}

static void set_reg(uint32_t r, uint32_t v)
{
	wr(0x00, 4, r);
	wr(0x10, 4, v);
}

static void set_rte(unsigned pin, uint32_t lo, uint32_t hi)
{
	set_reg(0x11 + 2 * pin, hi);
	set_reg(0x10 + 2 * pin, lo);
}

#define MASKED    0x10000u
#define LEVEL     0x8000u
#define LOW       0x2000u
#define REMOTE    0x4000u
#define LOGICAL   0x800u

static int setup(void **s)
{
	fake_platform_reset();
	memset(&vm, 0, sizeof(vm));
	memset(state, 0, sizeof(state));
	assert_true(ioapic_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .vm = &vm, .state = state };
	ioapic_model.init(&dev);
	ioapic_model.reset(&dev);
	nmsgs = 0;
	locked = 0;
	return 0;
}

/* ---- tests ---- */

static void test_id_version(void **s)
{
	assert_ptr_equal(vm.ioapic, &dev);
	assert_false(ioapic_model.flags & DEVICE_SELF_LOCKING);
	assert_int_equal(reg(0x01), 0x00170011);
	assert_int_equal(reg(0x00), 0);
	set_reg(0x00, 0xffffffff);
	assert_int_equal(reg(0x00), 0x0f000000);
	assert_int_equal(reg(0x02), 0x0f000000);	/* arbitration ID */
	set_reg(0x01, 0);
	set_reg(0x02, 0);
	assert_int_equal(reg(0x01), 0x00170011);
	assert_int_equal(reg(0x02), 0x0f000000);
	/* IOREGSEL is 8 bits and reads back; unused registers read 0. */
	wr(0x00, 4, 0x1234);
	assert_int_equal(rd(0x00, 4), 0x34);
	assert_int_equal(reg(0x40), 0);
	assert_int_equal(reg(0x03), 0);
	assert_int_equal(reg(0xff), 0);
	/* Sub-dword accesses: IOREGSEL takes a byte; IOWIN reads by part and
	 * ignores writes that are not 32-bit. */
	wr(0x00, 1, 0x01);
	assert_int_equal(rd(0x10, 1), 0x11);
	assert_int_equal(rd(0x12, 1), 0x17);
	assert_int_equal(rd(0x12, 2), 0x0017);
	wr(0x00, 1, 0x00);
	wr(0x10, 2, 0xffff);
	wr(0x10, 1, 0xff);
	assert_int_equal(reg(0x00), 0x0f000000);
	assert_int_equal(rd(0x20, 4), 0);	/* no EOI register in version 0x11 */
}

static void test_redirection_entries(void **s)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		assert_int_equal(reg(0x10 + 2 * pin), MASKED);
		assert_int_equal(reg(0x11 + 2 * pin), 0);
	}
	/* Delivery status (12) and remote IRR (14) are read-only; the
	 * destination is bits 63:56. */
	set_reg(0x10 + 2 * 23, 0xffffffff);
	set_reg(0x11 + 2 * 23, 0xffffffff);
	assert_int_equal(reg(0x10 + 2 * 23), 0x1afff);
	assert_int_equal(reg(0x11 + 2 * 23), 0xff000000);
	set_reg(0x10 + 2 * 5, 0x0001a9c3);
	assert_int_equal(reg(0x10 + 2 * 5), 0x0001a9c3 & 0x1afff);
	/* Writing one half keeps the other. */
	set_reg(0x11 + 2 * 5, 0x07000000);
	assert_int_equal(reg(0x10 + 2 * 5), 0x0001a9c3 & 0x1afff);
	assert_int_equal(reg(0x11 + 2 * 5), 0x07000000);
	assert_int_equal(nmsgs, 0);
	/* Reset: all masked again. */
	ioapic_model.reset(&dev);
	assert_int_equal(reg(0x10 + 2 * 5), MASKED);
	assert_int_equal(reg(0x11 + 2 * 5), 0);
	assert_int_equal(reg(0x10 + 2 * 23), MASKED);
}

static void test_edge(void **s)
{
	set_rte(4, 0x34, 2u << 24);
	ioapic_set_irq(&dev, 4, true);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].dest, 2);
	assert_false(msgs[0].logical);
	assert_int_equal(msgs[0].mode, APIC_DM_FIXED);
	assert_int_equal(msgs[0].vector, 0x34);
	assert_false(msgs[0].level);
	ioapic_set_irq(&dev, 4, true);		/* no edge */
	ioapic_set_irq(&dev, 4, false);		/* falling */
	assert_int_equal(nmsgs, 1);
	ioapic_set_irq(&dev, 4, true);
	assert_int_equal(nmsgs, 2);
	ioapic_set_irq(&dev, 4, false);
	/* Edge entries have no remote IRR. */
	assert_false(reg(0x10 + 2 * 4) & REMOTE);
	/* A masked edge is lost, even once unmasked. */
	set_rte(4, MASKED | 0x34, 2u << 24);
	ioapic_set_irq(&dev, 4, true);
	assert_int_equal(nmsgs, 2);
	set_rte(4, 0x34, 2u << 24);
	assert_int_equal(nmsgs, 2);
	ioapic_set_irq(&dev, 4, false);
	ioapic_set_irq(&dev, 4, true);
	assert_int_equal(nmsgs, 3);
	/* Out-of-range pins and a VM without an IOAPIC are ignored. */
	ioapic_set_irq(&dev, 24, true);
	ioapic_set_irq(&dev, 1000, true);
	ioapic_set_irq(NULL, 4, true);
	ioapic_eoi(NULL, 0x34);
	assert_int_equal(nmsgs, 3);
}

/* Acknowledge notifiers (devices/irq.h): the EOI of an unmasked edge
 * entry's vector is its pin's acknowledge; unmasking is noted; the vLAPICs
 * learn which edge vectors to pass on. */
static void test_edge_acknowledge(void **s)
{
	set_rte(2, 0x30, 0);
	set_rte(20, 0x41, 0);
	set_rte(21, MASKED | 0x42, 0);
	set_rte(9, LEVEL | 0x43, 0);
	assert_true(vm.ioapic_edge_vectors[0] >> 0x30 & 1);
	assert_true(vm.ioapic_edge_vectors[1] >> (0x41 - 64) & 1);
	assert_false(vm.ioapic_edge_vectors[1] >> (0x42 - 64) & 1);	/* masked */
	assert_false(vm.ioapic_edge_vectors[1] >> (0x43 - 64) & 1);	/* level */
	assert_int_equal(fake_unmasked, 1u << 2 | 1u << 9 | 1u << 20);	/* from reset's mask */
	fake_unmasked = 0;
	ioapic_eoi(&dev, 0x30);
	assert_int_equal(fake_acked, 1u << 2);
	ioapic_eoi(&dev, 0x41);
	assert_int_equal(fake_acked, 1u << 2 | 1u << 20);
	fake_acked = 0;
	ioapic_eoi(&dev, 0x42);		/* masked: none */
	ioapic_eoi(&dev, 0x43);		/* level: Remote IRR, not this */
	ioapic_eoi(&dev, 0x99);
	assert_int_equal(fake_acked, 0);
	set_rte(2, 0x30, 1u << 24);	/* still unmasked: no news */
	assert_int_equal(fake_unmasked, 0);
	set_rte(21, 0x42, 0);
	assert_int_equal(fake_unmasked, 1u << 21);
	set_rte(20, MASKED | 0x41, 0);
	assert_false(vm.ioapic_edge_vectors[1] >> (0x41 - 64) & 1);
	ioapic_model.reset(&dev);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(vm.ioapic_edge_vectors[i], 0);
}

static void test_level_remote_irr_eoi(void **s)
{
	set_rte(10, LEVEL | 0x3a, 1u << 24);
	ioapic_set_irq(&dev, 10, true);
	assert_int_equal(nmsgs, 1);
	assert_true(msgs[0].level);
	assert_int_equal(msgs[0].vector, 0x3a);
	assert_int_equal(msgs[0].dest, 1);
	assert_true(reg(0x10 + 2 * 10) & REMOTE);
	ioapic_set_irq(&dev, 10, true);		/* still high, awaiting EOI */
	assert_int_equal(nmsgs, 1);
	ioapic_eoi(&dev, 0x3b);			/* another vector */
	assert_int_equal(nmsgs, 1);
	assert_true(reg(0x10 + 2 * 10) & REMOTE);
	ioapic_eoi(&dev, 0x3a);			/* still high: again */
	assert_int_equal(nmsgs, 2);
	assert_true(reg(0x10 + 2 * 10) & REMOTE);
	ioapic_set_irq(&dev, 10, false);
	ioapic_eoi(&dev, 0x3a);
	assert_int_equal(nmsgs, 2);
	assert_false(reg(0x10 + 2 * 10) & REMOTE);
	ioapic_set_irq(&dev, 10, true);
	assert_int_equal(nmsgs, 3);
	/* Remote IRR survives a guest write of 0 to it... */
	set_rte(10, LEVEL | 0x3a, 1u << 24);
	assert_true(reg(0x10 + 2 * 10) & REMOTE);
	assert_int_equal(nmsgs, 3);
	/* ...but switching the entry to edge clears it. */
	set_rte(10, 0x3a, 1u << 24);
	assert_false(reg(0x10 + 2 * 10) & REMOTE);
	/* One EOI serves every level entry with that vector. */
	ioapic_set_irq(&dev, 10, false);
	set_rte(10, LEVEL | 0x3a, 0);
	set_rte(11, LEVEL | 0x3a, 0);
	ioapic_set_irq(&dev, 10, true);
	ioapic_set_irq(&dev, 11, true);
	assert_int_equal(nmsgs, 5);
	ioapic_eoi(&dev, 0x3a);
	assert_int_equal(nmsgs, 7);
}

static void test_masking(void **s)
{
	set_rte(7, MASKED | LEVEL | 0x47, 0);
	ioapic_set_irq(&dev, 7, true);
	assert_int_equal(nmsgs, 0);
	set_rte(7, LEVEL | 0x47, 0);		/* unmasked while high: delivers */
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x47);
	/* Masked while waiting for the EOI: the EOI does not deliver... */
	set_rte(7, MASKED | LEVEL | 0x47, 0);
	ioapic_eoi(&dev, 0x47);
	assert_int_equal(nmsgs, 1);
	assert_false(reg(0x10 + 2 * 7) & REMOTE);
	/* ...the unmask does. */
	set_rte(7, LEVEL | 0x47, 0);
	assert_int_equal(nmsgs, 2);
	/* A reset masks everything but keeps the pin levels. */
	ioapic_model.reset(&dev);
	assert_int_equal(nmsgs, 2);
	set_rte(7, LEVEL | 0x47, 0);
	assert_int_equal(nmsgs, 3);
}

static void test_polarity(void **s)
{
	/* Low-active level: asserted while the pin is low. */
	ioapic_set_irq(&dev, 16, true);		/* idle (high) */
	set_rte(16, LOW | LEVEL | 0x60, 0);
	assert_int_equal(nmsgs, 0);
	ioapic_set_irq(&dev, 16, false);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x60);
	ioapic_set_irq(&dev, 16, true);
	ioapic_eoi(&dev, 0x60);
	assert_int_equal(nmsgs, 1);
	/* Low-active edge: the falling edge counts. */
	set_rte(17, LOW | 0x61, 0);
	ioapic_set_irq(&dev, 17, true);
	assert_int_equal(nmsgs, 1);
	ioapic_set_irq(&dev, 17, false);
	assert_int_equal(nmsgs, 2);
	assert_int_equal(msgs[1].vector, 0x61);
	ioapic_set_irq(&dev, 17, true);
	assert_int_equal(nmsgs, 2);
}

/* The PCI INTx lines (devices/pci_layout.h) idle high: an entry set up
 * as Linux does for a _PRT GSI (level, active-low) delivers nothing until
 * a device asserts its line, i.e. drives it low. */
static void test_pci_intx_idle_high(void **s)
{
	for (unsigned gsi = PCI_INTX_GSI_BASE; gsi < PCI_INTX_GSI_BASE + PCI_INTX_GSI_COUNT; gsi++)
		set_rte(gsi, LOW | LEVEL | (0x70 + gsi), 0);
	assert_int_equal(nmsgs, 0);
	/* The other pins idle low: an active-high level entry stays quiet. */
	set_rte(20, LEVEL | 0x84, 0);
	assert_int_equal(nmsgs, 0);
	unsigned gsi = pci_intx_gsi(1, 1);	/* 00:01.0 INTA# */
	assert_int_equal(gsi, 17);
	ioapic_set_irq(&dev, gsi, pci_intx_line_high(true));
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x70 + 17);
	ioapic_set_irq(&dev, gsi, pci_intx_line_high(false));
	ioapic_eoi(&dev, 0x70 + 17);
	assert_int_equal(nmsgs, 1);
	/* A reset keeps the wires' levels. */
	ioapic_model.reset(&dev);
	set_rte(18, LOW | LEVEL | 0x72, 0);
	assert_int_equal(nmsgs, 1);
}

/* The INTx rule: the swizzle, the pin register's encoding, no pin. */
static void test_pci_intx_rule(void **s)
{
	assert_int_equal(pci_intx_gsi(0, 1), 16);
	assert_int_equal(pci_intx_gsi(0, 4), 19);
	assert_int_equal(pci_intx_gsi(1, 4), 16);
	assert_int_equal(pci_intx_gsi(5, 1), 17);
	assert_int_equal(pci_intx_gsi(31, 2), 16);
	assert_int_equal(pci_intx_gsi(3, 0), PCI_INTX_NONE);
	assert_int_equal(pci_intx_gsi(3, 5), PCI_INTX_NONE);
	assert_int_equal(pci_intx_gsi(32, 1), PCI_INTX_NONE);
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++)
		for (unsigned pin = 1; pin <= 4; pin++) {
			unsigned g = pci_intx_gsi(slot, pin);
			assert_true(PCI_INTX_GSI_MASK >> g & 1);
			assert_true(g < IOAPIC_PINS);
		}
}

static void test_destination(void **s)
{
	set_rte(1, LOGICAL | (APIC_DM_LOWEST << 8) | 0x91, 0xa5u << 24);
	ioapic_set_irq(&dev, 1, true);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].dest, 0xa5);
	assert_true(msgs[0].logical);
	assert_int_equal(msgs[0].mode, APIC_DM_LOWEST);
	assert_int_equal(msgs[0].vector, 0x91);
	set_rte(2, (APIC_DM_NMI << 8), 0xffu << 24);
	ioapic_set_irq(&dev, 2, true);
	assert_int_equal(nmsgs, 2);
	assert_int_equal(msgs[1].dest, 0xff);
	assert_false(msgs[1].logical);
	assert_int_equal(msgs[1].mode, APIC_DM_NMI);
	set_rte(0, (APIC_DM_EXTINT << 8), 0);
	ioapic_set_irq(&dev, 0, true);
	assert_int_equal(msgs[2].mode, APIC_DM_EXTINT);
	assert_int_equal(msgs[2].dest, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_id_version, setup),
		cmocka_unit_test_setup(test_redirection_entries, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_edge_acknowledge, setup),
		cmocka_unit_test_setup(test_level_remote_irr_eoi, setup),
		cmocka_unit_test_setup(test_masking, setup),
		cmocka_unit_test_setup(test_polarity, setup),
		cmocka_unit_test_setup(test_pci_intx_idle_high, setup),
		cmocka_unit_test_setup(test_pci_intx_rule, setup),
		cmocka_unit_test_setup(test_destination, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
