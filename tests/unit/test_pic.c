/*
 * tests/unit/test_pic.c - the 8259A pair (devices/pic.c) through its ports
 * and pic_set_irq/pic_pending_vector/pic_ack: initialization, masking,
 * priorities and rotation, EOIs, AEOI, OCW3 reads and poll, the cascade,
 * spurious IRQs 7 and 15, ELCR level mode and edge latching.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/pic.h"
#include "devices/device.h"
#include "core/vm/vm.h"
#include "tests/unit/fake_platform.h"

/* The bus's lock helpers (devices/bus.c), not linked here. */
unsigned locks_held;
uint64_t device_lock(struct device *d) { locks_held++; return 0; }
void device_unlock(struct device *d, uint64_t f) { locks_held--; }

static const struct device_decl decl = {
	"pic", &pic_model, .pio = { { 0x20, 2 }, { 0xa0, 2 }, { 0x4d0, 2 } },
};
static struct vm vm;
static struct device dev;
static _Alignas(64) uint8_t state[4096];

static int setup(void **unused)
{
	fake_platform_reset();
	memset(&vm, 0, sizeof(vm));
	memset(state, 0, sizeof(state));
	assert_true(pic_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .vm = &vm, .state = state };
	pic_model.init(&dev);
	pic_model.reset(&dev);
	locks_held = 0;
	return 0;
}

static void out(uint16_t port, uint8_t val) { pic_model.pio_write(&dev, port, 1, val); }
static uint8_t in(uint16_t port) { return (uint8_t)pic_model.pio_read(&dev, port, 1); }

/* What Linux does: master base mb, slave base sb, slave on IR2, ICW4 icw4;
 * then the masks. */
static void init_pair(uint8_t mb, uint8_t sb, uint8_t icw4, uint8_t mimr, uint8_t simr)
{
	out(0x20, 0x11); out(0x21, mb); out(0x21, 0x04); out(0x21, icw4);
	out(0xa0, 0x11); out(0xa1, sb); out(0xa1, 0x02); out(0xa1, icw4);
	out(0x21, mimr);
	out(0xa1, simr);
}

static void pulse(unsigned irq) { pic_set_irq(&dev, irq, true); pic_set_irq(&dev, irq, false); }
static void eoi(unsigned irq)
{
	if (irq >= 8) {
		out(0xa0, 0x20);
		out(0x20, 0x20);
	} else {
		out(0x20, 0x20);
	}
}
static uint8_t isr(uint16_t cmd) { out(cmd, 0x0b); return in(cmd); }
static uint8_t irr(uint16_t cmd) { out(cmd, 0x0a); return in(cmd); }

/* Acknowledge notifiers (devices/irq.h): INTA and poll of an IRQ note its
 * acknowledge (ISA IRQ 0 as GSI 2), OCW1 and ICW1 the inputs they unmask;
 * the master's IR2 (the cascade) is never reported. */
static void test_acknowledge_noted(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0xff, 0xff);
	assert_int_equal(fake_unmasked, 0xfffeu);	/* ICW1 unmasks all; IRQ 0 is GSI 2, IR2 none */
	fake_unmasked = 0;
	out(0x21, 0xfa);	/* IRQ 0 and the cascade */
	assert_int_equal(fake_unmasked, 1u << 2);
	out(0xa1, 0xfe);	/* IRQ 8 */
	assert_int_equal(fake_unmasked, 1u << 2 | 1u << 8);
	out(0x21, 0xfa);
	assert_int_equal(fake_unmasked, 1u << 2 | 1u << 8);	/* no change */
	pulse(0);
	assert_int_equal(fake_acked, 0);	/* not taken yet */
	assert_int_equal(pic_ack(&dev), 0x20);
	assert_int_equal(fake_acked, 1u << 2);
	eoi(0);
	pulse(8);
	assert_int_equal(pic_ack(&dev), 0x28);
	assert_int_equal(fake_acked, 1u << 2 | 1u << 8);
	eoi(8);
	fake_acked = 0;
	out(0x21, 0xf8);	/* IRQ 1 too */
	pulse(1);
	out(0x20, 0x0c);	/* poll */
	assert_int_equal(in(0x20), 0x81);
	assert_int_equal(fake_acked, 1u << 1);
}

static void test_reset_state(void **unused)
{
	assert_ptr_equal(vm.pic, &dev);
	assert_int_equal(in(0x21), 0xff);
	assert_int_equal(in(0xa1), 0xff);
	pulse(0);
	assert_int_equal(pic_pending_vector(&dev), -1);	/* all masked */
	out(0x21, 0xfe);
	assert_int_equal(pic_pending_vector(&dev), 0x08);	/* BIOS bases */
	assert_int_equal(pic_ack(&dev), 0x08);
	eoi(0);
	out(0x21, 0xfb);
	out(0xa1, 0xfe);
	pulse(8);
	assert_int_equal(pic_ack(&dev), 0x70);
	assert_int_equal(locks_held, 0);
}

static void test_init_sequence(void **unused)
{
	out(0x21, 0x00);
	pulse(3);
	out(0x21, 0xff);
	/* ICW1 clears IMR and the latched edge. ICW2's low bits are ignored.
	 * No request goes out until the sequence is complete. */
	out(0x20, 0x11);
	assert_int_equal(irr(0x20), 0x00);
	pulse(3);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x21, 0x27);
	out(0x21, 0x04);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x21, 0x01);
	assert_int_equal(in(0x21), 0x00);
	assert_int_equal(pic_pending_vector(&dev), 0x23);

	/* Single mode skips ICW3; without IC4 no ICW4: ICW2 then OCW1. */
	out(0x20, 0x12);
	out(0x21, 0x40);
	out(0x21, 0xf7);	/* OCW1 */
	assert_int_equal(in(0x21), 0xf7);
	pulse(3);
	assert_int_equal(pic_ack(&dev), 0x43);
	/* Single + IC4: ICW2, ICW4, then OCW1. */
	out(0x20, 0x13);
	out(0x21, 0x50);
	out(0x21, 0x01);
	out(0x21, 0xaa);
	assert_int_equal(in(0x21), 0xaa);
	/* Single mode: IR2 is the master's own input, not the slave. */
	out(0x21, 0xfb);
	out(0xa1, 0x00);
	pulse(9);
	assert_int_equal(pic_ack(&dev), 0x52);
}

static void test_masking(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0xff, 0xff);
	pulse(5);
	assert_int_equal(pic_pending_vector(&dev), -1);
	assert_int_equal(irr(0x20), 0x20);	/* latched though masked */
	unsigned before = fake_intr_updates;
	out(0x21, ~0x20 & 0xff);
	assert_true(fake_intr_updates > before);
	assert_int_equal(pic_pending_vector(&dev), 0x25);
	out(0x21, 0xff);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x21, 0x00);
	assert_int_equal(pic_ack(&dev), 0x25);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_priority_order(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	pulse(5); pulse(3); pulse(7);
	assert_int_equal(pic_ack(&dev), 0x23);
	/* 3 in service blocks 5 and 7... */
	assert_int_equal(pic_pending_vector(&dev), -1);
	/* ...but not the higher 1: nesting. */
	pulse(1);
	assert_int_equal(pic_ack(&dev), 0x21);
	assert_int_equal(isr(0x20), 0x0a);
	eoi(1);
	assert_int_equal(pic_pending_vector(&dev), -1);
	eoi(3);
	assert_int_equal(pic_ack(&dev), 0x25);
	eoi(5);
	assert_int_equal(pic_ack(&dev), 0x27);
	eoi(7);
	assert_int_equal(isr(0x20), 0);
	assert_int_equal(pic_ack(&dev), -1);
}

static void test_eoi(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	pulse(6);
	assert_int_equal(pic_ack(&dev), 0x26);
	pulse(4);
	assert_int_equal(pic_ack(&dev), 0x24);
	pulse(1);
	assert_int_equal(pic_ack(&dev), 0x21);
	assert_int_equal(isr(0x20), 0x52);
	out(0x20, 0x66);	/* specific EOI for 6 */
	assert_int_equal(isr(0x20), 0x12);
	out(0x20, 0x20);	/* non-specific: the highest, 1 */
	assert_int_equal(isr(0x20), 0x10);
	out(0x20, 0x40);	/* no operation */
	assert_int_equal(isr(0x20), 0x10);
	out(0x20, 0x20);
	assert_int_equal(isr(0x20), 0x00);
	out(0x20, 0x20);	/* nothing in service: harmless */
	assert_int_equal(isr(0x20), 0x00);
}

static void test_rotation(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	/* Rotate on non-specific EOI: 0 becomes the lowest. */
	pulse(0);
	assert_int_equal(pic_ack(&dev), 0x20);
	out(0x20, 0xa0);
	pulse(0); pulse(1);
	assert_int_equal(pic_ack(&dev), 0x21);
	out(0x20, 0x20);
	assert_int_equal(pic_ack(&dev), 0x20);
	out(0x20, 0x20);
	/* Set priority: 4 lowest, so 5 highest: 6 before 3. */
	out(0x20, 0xc4);
	pulse(3); pulse(6);
	assert_int_equal(pic_ack(&dev), 0x26);
	/* 3 is below 6 now: blocked until 6's EOI. */
	assert_int_equal(pic_pending_vector(&dev), -1);
	/* Rotate on specific EOI for 6: 7 becomes the highest. */
	out(0x20, 0xe6);
	pulse(7);
	assert_int_equal(pic_ack(&dev), 0x27);
	out(0x20, 0x67);
	assert_int_equal(pic_ack(&dev), 0x23);
	out(0x20, 0x20);
	assert_int_equal(isr(0x20), 0);
}

static void test_aeoi(void **unused)
{
	init_pair(0x20, 0x28, 0x03, 0x00, 0x00);
	pulse(4);
	assert_int_equal(pic_ack(&dev), 0x24);
	assert_int_equal(isr(0x20), 0);
	pulse(6);
	assert_int_equal(pic_ack(&dev), 0x26);	/* no EOI needed */
	/* Rotate in AEOI: the acknowledged level becomes the lowest. */
	out(0x20, 0x80);
	pulse(2 + 1);
	assert_int_equal(pic_ack(&dev), 0x23);
	pulse(3); pulse(4);
	assert_int_equal(pic_ack(&dev), 0x24);	/* 3 is lowest now */
	assert_int_equal(pic_ack(&dev), 0x23);
	out(0x20, 0x00);	/* clear rotate in AEOI */
	pulse(3);
	assert_int_equal(pic_ack(&dev), 0x23);
	pulse(3); pulse(4);
	assert_int_equal(pic_ack(&dev), 0x24);	/* no rotation: 3 stays lowest */
	assert_int_equal(pic_ack(&dev), 0x23);
	/* Cascade with an AEOI slave: two slave requests in a row. */
	pulse(9); pulse(10);
	assert_int_equal(pic_ack(&dev), 0x29);
	assert_int_equal(pic_ack(&dev), 0x2a);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_ocw3_reads(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	pulse(3); pulse(5);
	assert_int_equal(in(0x20), 0x28);	/* IRR after ICW1 */
	assert_int_equal(pic_ack(&dev), 0x23);
	out(0x20, 0x0b);
	assert_int_equal(in(0x20), 0x08);
	assert_int_equal(in(0x20), 0x08);	/* the selection stays */
	out(0x20, 0x08);	/* RR=0: no change */
	assert_int_equal(in(0x20), 0x08);
	out(0x20, 0x0a);
	assert_int_equal(in(0x20), 0x20);
	assert_int_equal(in(0x21), 0x00);	/* A0=1: IMR */
	/* 16-bit access reads both ports. */
	out(0x21, 0x5a);
	assert_int_equal(pic_model.pio_read(&dev, 0x20, 2), 0x5a20);
}

static void test_poll(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	out(0x20, 0x0c);
	assert_int_equal(in(0x20), 0x00);	/* nothing pending */
	pulse(6); pulse(4);
	out(0x20, 0x0c);
	assert_int_equal(in(0x20), 0x84);	/* acknowledged */
	assert_int_equal(isr(0x20), 0x10);
	assert_int_equal(in(0x20), 0x10);	/* poll was for one read */
	out(0x20, 0x20);
	out(0x20, 0x0c);
	assert_int_equal(in(0x21), 0x86);	/* either port */
	out(0x20, 0x20);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_cascade(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0xfb, 0x00);
	pulse(10);
	assert_int_equal(irr(0x20), 0x04);
	assert_int_equal(pic_pending_vector(&dev), 0x2a);
	pulse(3);	/* masked on the master */
	assert_int_equal(pic_ack(&dev), 0x2a);
	assert_int_equal(isr(0x20), 0x04);
	assert_int_equal(isr(0xa0), 0x04);
	/* Master IR2 in service blocks further slave requests. */
	pulse(9);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0xa0, 0x20);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x20, 0x20);
	assert_int_equal(pic_ack(&dev), 0x29);
	eoi(9);
	assert_int_equal(isr(0x20), 0);
	assert_int_equal(isr(0xa0), 0);
	/* Master IRQ 1 outranks the slave; the slave outranks IRQ 3. */
	out(0x21, 0x00);
	pulse(3); pulse(12); pulse(1);
	assert_int_equal(pic_ack(&dev), 0x21);
	eoi(1);
	assert_int_equal(pic_ack(&dev), 0x2c);
	eoi(12);
	assert_int_equal(pic_ack(&dev), 0x23);
	eoi(3);
	/* Slave requests in slave priority order, one after the other. */
	pulse(15); pulse(8);
	assert_int_equal(pic_ack(&dev), 0x28);
	eoi(8);
	assert_int_equal(pic_ack(&dev), 0x2f);
	eoi(15);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_spurious(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	assert_int_equal(pic_ack(&dev), -1);	/* no request at all */
	/* IRQ 7: the request vanished (masked) before the acknowledge. */
	pulse(4);
	assert_int_equal(pic_pending_vector(&dev), 0x24);
	out(0x21, 0x10);
	assert_int_equal(pic_ack(&dev), 0x27);
	assert_int_equal(isr(0x20), 0);
	/* IRQ 15: the master latched IR2, the slave's request vanished. */
	out(0x21, 0x00);
	out(0x20, 0x64);
	assert_int_equal(pic_ack(&dev), 0x24);	/* the old IRQ 4, unmasked */
	out(0x20, 0x20);
	pulse(12);
	assert_int_equal(pic_pending_vector(&dev), 0x2c);
	out(0xa1, 0x10);
	assert_int_equal(pic_pending_vector(&dev), 0x2f);
	assert_int_equal(pic_ack(&dev), 0x2f);
	assert_int_equal(isr(0x20), 0x04);	/* as the hardware does */
	assert_int_equal(isr(0xa0), 0x00);
	out(0x20, 0x20);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_level_elcr(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	/* IRQ 0, 1, 2, 8 and 13 cannot be level-triggered. */
	out(0x4d0, 0xff);
	out(0x4d1, 0xff);
	assert_int_equal(in(0x4d0), 0xf8);
	assert_int_equal(in(0x4d1), 0xde);
	out(0x4d0, 0x00);
	out(0x4d1, 0x04);	/* IRQ 10 level */
	pic_set_irq(&dev, 10, true);
	assert_int_equal(pic_pending_vector(&dev), 0x2a);
	pic_set_irq(&dev, 10, false);	/* IRR follows the line */
	assert_int_equal(irr(0xa0), 0);
	/* The master latched the slave's INT edge on IR2: spurious IRQ 15. */
	assert_int_equal(pic_ack(&dev), 0x2f);
	out(0x20, 0x20);
	assert_int_equal(pic_pending_vector(&dev), -1);
	pic_set_irq(&dev, 10, true);
	assert_int_equal(pic_ack(&dev), 0x2a);
	assert_int_equal(irr(0xa0), 0x04);	/* still high */
	eoi(10);
	assert_int_equal(pic_ack(&dev), 0x2a);	/* again: the line is still high */
	pic_set_irq(&dev, 10, false);
	eoi(10);
	assert_int_equal(pic_pending_vector(&dev), -1);
	/* An edge line held high stays one request. */
	pic_set_irq(&dev, 11, true);
	assert_int_equal(pic_ack(&dev), 0x2b);
	eoi(11);
	assert_int_equal(pic_pending_vector(&dev), -1);
	/* Switching it to level while high makes it a request again. */
	out(0x4d1, 0x0c);
	assert_int_equal(pic_ack(&dev), 0x2b);
	pic_set_irq(&dev, 11, false);
	eoi(11);
	/* ICW1 LTIM makes a whole chip level-triggered. */
	out(0x20, 0x19); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x01);
	out(0x21, 0x00);
	pic_set_irq(&dev, 5, true);
	assert_int_equal(pic_ack(&dev), 0x25);
	out(0x20, 0x20);
	assert_int_equal(pic_ack(&dev), 0x25);	/* still high: again */
	pic_set_irq(&dev, 5, false);
	out(0x20, 0x20);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_edge_latching(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	pic_set_irq(&dev, 1, true);
	pic_set_irq(&dev, 1, true);	/* no new edge */
	assert_int_equal(pic_ack(&dev), 0x21);
	eoi(1);
	assert_int_equal(pic_pending_vector(&dev), -1);
	pic_set_irq(&dev, 1, true);	/* still high: still no new edge */
	assert_int_equal(pic_pending_vector(&dev), -1);
	pic_set_irq(&dev, 1, false);
	assert_int_equal(pic_pending_vector(&dev), -1);
	pic_set_irq(&dev, 1, true);	/* a new rising edge */
	assert_int_equal(pic_ack(&dev), 0x21);
	eoi(1);
	/* The edge stays latched after the line falls. */
	pic_set_irq(&dev, 1, false);
	pulse(5);
	assert_int_equal(pic_ack(&dev), 0x25);
	eoi(5);
	/* Two edges before the acknowledge are one request. */
	pulse(6); pulse(6);
	assert_int_equal(pic_ack(&dev), 0x26);
	eoi(6);
	assert_int_equal(pic_pending_vector(&dev), -1);
	/* IRQ 2 and out-of-range lines are ignored. */
	pulse(2); pulse(16); pulse(1000);
	assert_int_equal(pic_pending_vector(&dev), -1);
}

static void test_special_mask(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	pulse(3);
	assert_int_equal(pic_ack(&dev), 0x23);
	pulse(5);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x21, 0x08);	/* mask the level in service... */
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x20, 0x68);	/* ...and enter special mask mode */
	assert_int_equal(pic_ack(&dev), 0x25);
	out(0x20, 0x65);
	out(0x20, 0x48);	/* leave it */
	pulse(5);
	assert_int_equal(pic_pending_vector(&dev), -1);
	out(0x20, 0x63);
	assert_int_equal(pic_ack(&dev), 0x25);
}

/* The vCPUs are told whenever the PIC offers a vector, and only then
 * (issue 17): not of one gone, nor of port accesses with nothing offered. */
static void test_intr_update(void **unused)
{
	init_pair(0x20, 0x28, 0x01, 0x00, 0x00);
	unsigned n = fake_intr_updates;
	pulse(4);
	assert_true(fake_intr_updates > n);		/* 0x24 */
	pulse(1);
	n = fake_intr_updates;
	assert_int_equal(pic_ack(&dev), 0x21);
	assert_int_equal(fake_intr_updates, n);		/* 0x24 is under 0x21's ISR */
	out(0x20, 0x20);				/* EOI: 0x24 is back */
	assert_true(fake_intr_updates > n);
	assert_int_equal(pic_ack(&dev), 0x24);
	n = fake_intr_updates;
	out(0x20, 0x20);				/* nothing left */
	for (unsigned i = 0; i < 100; i++) {		/* the PIC-port storm */
		out(0x21, 0xff);
		out(0x20, 0x0b);
		(void)in(0x20);
	}
	assert_int_equal(fake_intr_updates, n);
	pulse(3);					/* masked: no news */
	assert_int_equal(fake_intr_updates, n);
	out(0x21, 0x00);				/* unmasked: news */
	assert_int_equal(fake_intr_updates, n + 1);
}

/* Random guest writes and line changes: no crash, sane vectors. */
static void test_garbage(void **unused)
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	uint32_t x = 12345;
	for (unsigned i = 0; i < 200000; i++) {
		x = x * 1103515245 + 12345;
		unsigned r = x >> 8;
		switch (r % 5) {
		case 0:
			out(ports[(r >> 3) % 6], (uint8_t)(r >> 8));
			break;
		case 1:
			in(ports[(r >> 3) % 6]);
			break;
		case 2:
			pic_set_irq(&dev, (r >> 3) % 20, (r >> 8) & 1);
			break;
		default: {
			int v = (r & 8) ? pic_ack(&dev) : pic_pending_vector(&dev);
			assert_true(v >= -1 && v <= 0xff);
		}
		}
	}
	assert_int_equal(locks_held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_init_sequence, setup),
		cmocka_unit_test_setup(test_masking, setup),
		cmocka_unit_test_setup(test_priority_order, setup),
		cmocka_unit_test_setup(test_eoi, setup),
		cmocka_unit_test_setup(test_rotation, setup),
		cmocka_unit_test_setup(test_aeoi, setup),
		cmocka_unit_test_setup(test_ocw3_reads, setup),
		cmocka_unit_test_setup(test_poll, setup),
		cmocka_unit_test_setup(test_cascade, setup),
		cmocka_unit_test_setup(test_spurious, setup),
		cmocka_unit_test_setup(test_level_elcr, setup),
		cmocka_unit_test_setup(test_edge_latching, setup),
		cmocka_unit_test_setup(test_special_mask, setup),
		cmocka_unit_test_setup(test_intr_update, setup),
		cmocka_unit_test_setup(test_acknowledge_noted, setup),
		cmocka_unit_test_setup(test_garbage, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
