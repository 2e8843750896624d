/*
 * devices/pic.c - the PC's two cascaded 8259A interrupt controllers (Intel
 * 8259A data sheet, "Programming the 8259A": ICW1-ICW4, OCW1-OCW3) and the
 * edge/level control registers at 0x4d0/0x4d1 (Intel PIIX data sheet, ELCR).
 *
 * Choices (the data sheet leaves these open or they do not matter on a PC):
 * - Reset state: both chips initialized as a BIOS leaves them (vector bases
 *   0x08 and 0x70, slave on IR2, 8086 mode, edge-triggered) but with every
 *   input masked (IMR 0xff), so a guest that never programs the PIC gets no
 *   interrupt from it (IRQ 0 at vector 0x08 would look like a #DF).
 * - Vectors are always 8086-style (base | level); MCS-80/85 mode (ICW1 IC4=0
 *   or ICW4 bit 0 clear) is accepted and ignored, so are ICW1 ADI and ICW4
 *   buffered mode and special fully nested mode.
 * - An edge request stays latched in IRR until acknowledged, even if the
 *   line falls first (the real chip would give IRQ 7 then).
 * - ICW1 also clears ISR and the latched edge requests (a fresh start).
 * - The master's IR2 is wired to the slave's INT output; pic_set_irq() on
 *   IRQ 2 is ignored (nothing else drives it on a PC).
 * - pic_ack() returns -1 if the master has no request latched at all;
 *   otherwise it runs an acknowledge cycle, spurious (IRQ 7/15) if the
 *   request cannot be delivered.
 * - Poll (OCW3 P=1): the next read of either port of that chip returns
 *   0x80 | level and acknowledges it, or 0x00 if nothing is pending.
 * - Acknowledge notifiers (devices/irq.h): an IRQ's acknowledge (INTA or a
 *   poll) and an input unmasked (OCW1 clearing its IMR bit, ICW1) are
 *   noted for the timers that hold ticks back; the master's IR2 (the
 *   cascade) is never reported, its GSI is IRQ 0's.
 */
#include "devices/pic.h"
#include "devices/device.h"
#include "devices/bus.h"
#include "devices/irq.h"
#include "core/vm/vm.h"

#define MASTER 0
#define SLAVE  1
#define CASCADE_IRQ 2          /* master input the slave's INT drives */

#define ICW1        0x10       /* A0=0, D4=1 */
#define ICW1_IC4    0x01
#define ICW1_SNGL   0x02
#define ICW1_LTIM   0x08
#define ICW4_AEOI   0x02
#define ICW4_SFNM   0x10
#define OCW3        0x08       /* A0=0, D4=0, D3=1; else OCW2 */
#define OCW3_RIS    0x01
#define OCW3_RR     0x02
#define OCW3_POLL   0x04
#define OCW3_SMM    0x20
#define OCW3_ESMM   0x40

/* Where the chip is in its initialization sequence. */
enum init_step { READY = 0, WANT_ICW2, WANT_ICW3, WANT_ICW4 };

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t line;              /* input levels as last set */
	uint8_t elcr, elcr_mask;   /* level-sensitive inputs (PIIX ELCR) */
	uint8_t base;              /* ICW2 & 0xf8 */
	uint8_t lowest;            /* the level with the lowest priority */
	uint8_t icw3;
	uint8_t step;              /* enum init_step */
	bool ic4, single, ltim, aeoi, sfnm;
	bool rotate_aeoi, read_isr, poll, special_mask;
};

struct pic {
	struct pic_chip chip[2];
	uint16_t acked, unmasked;  /* ISA IRQs to report (update()) */
};

static uint8_t level_mask(const struct pic_chip *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/* 0 is the highest priority; rotation moves the lowest one. */
static unsigned priority(const struct pic_chip *c, unsigned level)
{
	return (level - c->lowest - 1) & 7;
}

/* The level in `mask` with the highest priority, or -1. */
static int highest(const struct pic_chip *c, uint8_t mask)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned level = (c->lowest + 1 + i) & 7;
		if (mask & (1u << level))
			return (int)level;
	}
	return -1;
}

/* The level the chip's INT output asks for, or -1: the highest unmasked
 * request above every level in service (fully nested mode). In special
 * mask mode a masked level in service does not block the others. */
static int chip_pending(const struct pic_chip *c)
{
	if (c->step != READY)
		return -1;
	int req = highest(c, c->irr & ~c->imr);
	if (req < 0)
		return -1;
	uint8_t isr = c->special_mask ? c->isr & ~c->imr : c->isr;
	int svc = highest(c, isr);
	if (svc >= 0 && priority(c, (unsigned)svc) <= priority(c, (unsigned)req))
		return -1;
	return req;
}

/* An input line changes: an edge input latches a rising edge, a level
 * input's IRR bit follows the line. */
static void chip_set_line(struct pic_chip *c, unsigned level, bool high)
{
	uint8_t bit = (uint8_t)(1u << level);
	if (high) {
		if (!(c->line & bit) || (level_mask(c) & bit))
			c->irr |= bit;
		c->line |= bit;
	} else {
		c->line &= (uint8_t)~bit;
		if (level_mask(c) & bit)
			c->irr &= (uint8_t)~bit;
	}
}

/* Level inputs' IRR bits follow their lines (after an ELCR or LTIM change). */
static void chip_sync_levels(struct pic_chip *c)
{
	uint8_t lv = level_mask(c);
	c->irr = (uint8_t)((c->irr & ~lv) | (c->line & lv));
}

static bool cascaded(const struct pic *p)
{
	const struct pic_chip *m = &p->chip[MASTER];
	return !m->single && (m->icw3 & (1u << CASCADE_IRQ));
}

/* The slave's INT output drives the master's IR2. */
static void cascade_update(struct pic *p)
{
	chip_set_line(&p->chip[MASTER], CASCADE_IRQ, chip_pending(&p->chip[SLAVE]) >= 0);
}

/* The interrupt acknowledge of one chip for `level` (from chip_pending):
 * IRR to ISR (an edge request is consumed; auto-EOI leaves ISR alone). */
static void chip_ack(struct pic_chip *c, unsigned level)
{
	uint8_t bit = (uint8_t)(1u << level);
	if (!(level_mask(c) & bit))
		c->irr &= (uint8_t)~bit;
	if (c->aeoi) {
		if (c->rotate_aeoi)
			c->lowest = (uint8_t)level;
	} else {
		c->isr |= bit;
	}
}

static void chip_reset(struct pic_chip *c, uint8_t base, uint8_t icw3, uint8_t elcr_mask)
{
	uint8_t line = c->line;        /* the wires keep their levels */
	*c = (struct pic_chip){
		.imr = 0xff, .base = base, .lowest = 7, .icw3 = icw3,
		.ic4 = true, .elcr_mask = elcr_mask, .line = line,
	};
}

/* The vector of the master's pending request, or -1 (lock held). */
static int pending_vector(const struct pic *p)
{
	const struct pic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	int irq = chip_pending(m);
	if (irq < 0)
		return -1;
	if (irq == CASCADE_IRQ && cascaded(p)) {
		int sirq = chip_pending(s);
		return s->base + (sirq < 0 ? 7 : sirq);
	}
	return m->base + irq;
}

static void icw1(struct pic_chip *c, uint8_t val)
{
	c->ic4 = val & ICW1_IC4;
	c->single = val & ICW1_SNGL;
	c->ltim = val & ICW1_LTIM;
	c->imr = 0;
	c->isr = 0;
	c->irr &= level_mask(c);       /* edge sense reset: a new edge is needed */
	chip_sync_levels(c);
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->icw3 = 0;
	if (!c->ic4) {
		c->aeoi = false;
		c->sfnm = false;
	}
	c->rotate_aeoi = false;
	c->step = WANT_ICW2;
}

static void init_write(struct pic_chip *c, uint8_t val)
{
	switch (c->step) {
	case WANT_ICW2:
		c->base = val & 0xf8;
		c->step = !c->single ? WANT_ICW3 : c->ic4 ? WANT_ICW4 : READY;
		break;
	case WANT_ICW3:
		c->icw3 = val;
		c->step = c->ic4 ? WANT_ICW4 : READY;
		break;
	case WANT_ICW4:
		c->aeoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->step = READY;
		break;
	}
}

/* OCW2: R SL EOI in bits 7:5, the level in bits 2:0. */
static void ocw2(struct pic_chip *c, uint8_t val)
{
	unsigned level = val & 7;
	int top;
	switch (val >> 5) {
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI */
		top = highest(c, c->isr);
		if (top < 0)
			break;
		c->isr &= (uint8_t)~(1u << top);
		if (val >> 5 == 5)
			c->lowest = (uint8_t)top;
		break;
	case 3:	/* specific EOI */
		c->isr &= (uint8_t)~(1u << level);
		break;
	case 7:	/* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << level);
		c->lowest = (uint8_t)level;
		break;
	case 6:	/* set priority */
		c->lowest = (uint8_t)level;
		break;
	case 4:	/* rotate in automatic EOI mode: set */
		c->rotate_aeoi = true;
		break;
	case 0:	/* rotate in automatic EOI mode: clear */
		c->rotate_aeoi = false;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void ocw3(struct pic_chip *c, uint8_t val)
{
	if (val & OCW3_ESMM)
		c->special_mask = val & OCW3_SMM;
	if (val & OCW3_RR)
		c->read_isr = val & OCW3_RIS;
	c->poll = val & OCW3_POLL;
}

/* A poll read: an acknowledge without INTA (data sheet, "The Poll Command"). */
static uint8_t poll_read(struct pic *p, struct pic_chip *c)
{
	c->poll = false;
	int level = chip_pending(c);
	if (level < 0)
		return 0;
	chip_ack(c, (unsigned)level);
	p->acked |= (uint16_t)(1u << ((c == &p->chip[SLAVE] ? 8 : 0) + level));
	return (uint8_t)(0x80 | level);
}

static uint8_t read_byte(struct pic *p, uint16_t port)
{
	switch (port) {
	case 0x4d0:
	case 0x4d1:
		return p->chip[port & 1].elcr;
	case 0x20: case 0x21: case 0xa0: case 0xa1: {
		struct pic_chip *c = &p->chip[port >= 0xa0];
		if (c->poll)
			return poll_read(p, c);
		if (port & 1)
			return c->imr;
		return c->read_isr ? c->isr : c->irr;
	}
	default:
		return 0xff;
	}
}

/* IMR bits going from 1 to 0 are reported (update()). */
static void note_unmasked(struct pic *p, struct pic_chip *c, uint8_t old_imr)
{
	uint8_t opened = old_imr & (uint8_t)~c->imr;
	p->unmasked |= (uint16_t)(opened << (c == &p->chip[SLAVE] ? 8 : 0));
}

static void write_byte(struct pic *p, uint16_t port, uint8_t val)
{
	switch (port) {
	case 0x4d0:
	case 0x4d1: {
		struct pic_chip *c = &p->chip[port & 1];
		c->elcr = val & c->elcr_mask;
		chip_sync_levels(c);
		return;
	}
	case 0x20: case 0x21: case 0xa0: case 0xa1: {
		struct pic_chip *c = &p->chip[port >= 0xa0];
		uint8_t old_imr = c->imr;
		if (port & 1) {
			if (c->step != READY)
				init_write(c, val);
			else
				c->imr = val;	/* OCW1 */
			note_unmasked(p, c, old_imr);
		} else if (val & ICW1) {
			icw1(c, val);
			note_unmasked(p, c, old_imr);
		} else if (val & OCW3) {
			ocw3(c, val);
		} else {
			ocw2(c, val);
		}
		return;
	}
	}
}

/* The INT outputs may have changed: propagate the cascade, and tell the
 * vCPUs if the PIC offers a vector. Not when it offers none (a vector
 * gone is no news: a vCPU that acknowledges late gets the spurious IRQ 7
 * or 15, as on a PC), so that a guest hammering the PIC's ports with
 * everything masked sends no kicks (issue 17, item 6). A vector already
 * offered is told again: a vCPU may have ignored it (LINT0 masked) and
 * since made itself able to take it. */
static void update(struct device *d)
{
	struct pic *p = d->state;
	uint16_t report = (uint16_t)((p->acked | p->unmasked) & ~(1u << CASCADE_IRQ));
	for (unsigned irq = 0; report; irq++, report >>= 1) {
		if (!(report & 1))
			continue;
		if (p->acked >> irq & 1)
			vm_irq_acked(d->vm, isa_irq_to_gsi(irq));
		if (p->unmasked >> irq & 1)
			vm_irq_unmasked(d->vm, isa_irq_to_gsi(irq));
	}
	p->acked = p->unmasked = 0;
	cascade_update(d->state);
	if (pending_vector(d->state) >= 0)
		vm_intr_update(d->vm);
}

void pic_set_irq(struct device *d, unsigned irq, bool high)
{
	if (irq >= 16 || irq == CASCADE_IRQ)
		return;
	uint64_t f = device_lock(d);
	struct pic *p = d->state;
	chip_set_line(&p->chip[irq >> 3], irq & 7, high);
	update(d);
	device_unlock(d, f);
}

int pic_pending_vector(struct device *d)
{
	uint64_t f = device_lock(d);
	int vec = pending_vector(d->state);
	device_unlock(d, f);
	return vec;
}

int pic_ack(struct device *d)
{
	uint64_t f = device_lock(d);
	struct pic *p = d->state;
	struct pic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	int vec = -1;
	if (m->irr && m->step == READY) {
		int irq = chip_pending(m);
		if (irq < 0) {
			vec = m->base + 7;	/* spurious: no ISR bit */
		} else {
			chip_ack(m, (unsigned)irq);
			vec = m->base + irq;
			if (irq != CASCADE_IRQ)
				p->acked |= (uint16_t)(1u << irq);
			if (irq == CASCADE_IRQ && cascaded(p)) {
				int sirq = chip_pending(s);
				if (sirq < 0) {
					vec = s->base + 7;	/* spurious on the slave */
				} else {
					chip_ack(s, (unsigned)sirq);
					vec = s->base + sirq;
					p->acked |= (uint16_t)(1u << (8 + sirq));
				}
				/* The slave's INT falls during the acknowledge. */
				chip_set_line(m, CASCADE_IRQ, false);
			}
		}
		update(d);
	}
	device_unlock(d, f);
	return vec;
}

static bool owns(uint16_t port)
{
	return (port & ~1) == 0x20 || (port & ~1) == 0xa0 || (port & ~1) == 0x4d0;
}

static uint32_t pic_pio_read(struct device *d, uint16_t port, unsigned size)
{
	uint32_t val = 0;
	for (unsigned i = 0; i < size && i < 4; i++) {
		uint16_t at = (uint16_t)(port + i);
		val |= (uint32_t)(owns(at) ? read_byte(d->state, at) : 0xff) << (8 * i);
	}
	update(d);	/* a poll read acknowledges */
	return val;
}

static void pic_pio_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size && i < 4; i++) {
		uint16_t at = (uint16_t)(port + i);
		if (owns(at))
			write_byte(d->state, at, (uint8_t)(val >> (8 * i)));
	}
	update(d);
}

static void pic_init(struct device *d)
{
	d->vm->pic = d;
}

static void pic_reset(struct device *d)
{
	struct pic *p = d->state;
	/* ELCR: IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
	chip_reset(&p->chip[MASTER], 0x08, 1u << CASCADE_IRQ, 0xf8);
	chip_reset(&p->chip[SLAVE], 0x70, CASCADE_IRQ, 0xde);
	update(d);
}

const struct device_model pic_model = {
	.name = "pic8259",
	.state_size = sizeof(struct pic),
	.init = pic_init,
	.reset = pic_reset,
	.pio_read = pic_pio_read,
	.pio_write = pic_pio_write,
};
