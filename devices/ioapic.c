/*
 * devices/ioapic.c - the I/O APIC (see ioapic.h), after the Intel 82093AA
 * data sheet: IOREGSEL/IOWIN (3.0), the ID, version and arbitration
 * registers (3.2.1-3.2.3) and 24 redirection entries (3.2.4).
 *
 * Choices: the pin level given to ioapic_set_irq is electrical, so an entry
 * with low-active polarity sees it inverted. Remote IRR is set when a level
 * interrupt is delivered, whatever its delivery mode. Deliveries are
 * synchronous, so delivery status always reads 0. The pin levels are wires,
 * not IOAPIC state: a reset keeps them; the PCI INTx lines (pins 16-19,
 * devices/pci_layout.h) are active-low with pull-ups and start high, the
 * others start low. IOREGSEL takes writes of any size
 * (its low byte); IOWIN only takes 32-bit writes; reads of any size return
 * the bytes they cover. Lock order: IOAPIC -> LAPIC (vlapic_deliver is
 * called with the IOAPIC lock held; the LAPIC never calls back holding its).
 *
 * Acknowledge notifiers (devices/irq.h): the EOI of the vector of an
 * unmasked edge entry is noted as its pin's acknowledge, and an entry's
 * mask bit going from 1 to 0 as its unmasking. The vLAPICs pass on the EOI
 * of those vectors (vm->ioapic_edge_vectors, kept here) as of level ones.
 */
#include "devices/ioapic.h"
#include "devices/vlapic.h"
#include "devices/bus.h"
#include "devices/irq.h"
#include "devices/pci_layout.h"
#include "core/vm/vm.h"

#define IOREGSEL 0x00
#define IOWIN    0x10

enum { REG_ID = 0x00, REG_VERSION = 0x01, REG_ARB = 0x02, REG_REDIR = 0x10 };
#define IOAPIC_VERSION 0x00170011u      /* version 0x11, max entry 23 */
#define ID_MASK        0x0f000000u

/* Redirection entry bits (3.2.4). */
#define RTE_VECTOR(e)   ((uint8_t)(e))
#define RTE_MODE(e)     (((unsigned)(e) >> 8) & 7)
#define RTE_LOGICAL     (1ull << 11)
#define RTE_LOW_ACTIVE  (1ull << 13)
#define RTE_REMOTE_IRR  (1ull << 14)
#define RTE_LEVEL       (1ull << 15)
#define RTE_MASKED      (1ull << 16)
#define RTE_DEST(e)     ((uint8_t)((e) >> 56))
#define RTE_WRITABLE    0xff0000000001afffull  /* not delivery status, remote IRR */

struct ioapic {
	uint32_t regsel, id;
	uint64_t rte[IOAPIC_PINS];
	uint32_t pin_high;                  /* electrical level of each pin */
};

/* The vectors of the unmasked edge entries, for the vLAPICs' EOI. */
static void update_edge_vectors(struct device *d)
{
	struct ioapic *s = d->state;
	uint64_t v[4] = { 0 };
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = s->rte[pin];
		if (!(e & (RTE_LEVEL | RTE_MASKED)))
			v[RTE_VECTOR(e) / 64] |= 1ull << (RTE_VECTOR(e) % 64);
	}
	for (unsigned i = 0; i < 4; i++)
		__atomic_store_n(&d->vm->ioapic_edge_vectors[i], v[i], __ATOMIC_SEQ_CST);
}

static bool asserted(struct ioapic *s, unsigned pin)
{
	bool high = s->pin_high & (1u << pin);
	return (s->rte[pin] & RTE_LOW_ACTIVE) ? !high : high;
}

static void deliver(struct device *d, unsigned pin)
{
	struct ioapic *s = d->state;
	uint64_t e = s->rte[pin];
	bool level = e & RTE_LEVEL;
	if (level)
		s->rte[pin] |= RTE_REMOTE_IRR;
	vlapic_deliver(d->vm, RTE_DEST(e), e & RTE_LOGICAL, RTE_MODE(e), RTE_VECTOR(e), level);
}

/* A level entry delivers while its pin is asserted, it is unmasked and the
 * previous delivery has been EOId (Remote IRR clear). */
static void level_check(struct device *d, unsigned pin)
{
	struct ioapic *s = d->state;
	uint64_t e = s->rte[pin];
	if ((e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) && asserted(s, pin))
		deliver(d, pin);
}

void ioapic_set_irq(struct device *d, unsigned gsi, bool high)
{
	if (!d || gsi >= IOAPIC_PINS)
		return;
	struct ioapic *s = d->state;
	uint64_t f = device_lock(d);
	bool was = asserted(s, gsi);
	if (high)
		s->pin_high |= 1u << gsi;
	else
		s->pin_high &= ~(1u << gsi);
	uint64_t e = s->rte[gsi];
	if (e & RTE_LEVEL)
		level_check(d, gsi);
	else if (!was && asserted(s, gsi) && !(e & RTE_MASKED))
		deliver(d, gsi);	/* edge: rising edges only; masked ones are lost */
	device_unlock(d, f);
}

void ioapic_eoi(struct device *d, uint8_t vector)
{
	if (!d)
		return;
	struct ioapic *s = d->state;
	uint64_t f = device_lock(d);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = s->rte[pin];
		if (RTE_VECTOR(e) != vector)
			continue;
		if (e & RTE_LEVEL) {
			s->rte[pin] &= ~RTE_REMOTE_IRR;
			level_check(d, pin);
		} else if (!(e & RTE_MASKED)) {
			vm_irq_acked(d->vm, pin);
		}
	}
	device_unlock(d, f);
}

static uint32_t reg_read(struct ioapic *s, uint32_t reg)
{
	switch (reg) {
	case REG_ID: return s->id;
	case REG_VERSION: return IOAPIC_VERSION;
	case REG_ARB: return s->id;	/* loaded from the ID */
	}
	if (reg >= REG_REDIR && reg < REG_REDIR + 2 * IOAPIC_PINS) {
		uint64_t e = s->rte[(reg - REG_REDIR) / 2];
		return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0;
}

static void reg_write(struct device *d, uint32_t reg, uint32_t val)
{
	struct ioapic *s = d->state;
	if (reg == REG_ID) {
		s->id = val & ID_MASK;
		return;
	}
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * IOAPIC_PINS)
		return;	/* version, arbitration and the rest: read-only */
	unsigned pin = (reg - REG_REDIR) / 2;
	uint64_t e = s->rte[pin];
	uint64_t w = (reg & 1) ? (uint64_t)val << 32 | (uint32_t)e
			       : (e & 0xffffffff00000000ull) | val;
	e = (w & RTE_WRITABLE) | (e & RTE_REMOTE_IRR);
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;	/* only level entries wait for an EOI */
	if ((s->rte[pin] & RTE_MASKED) && !(e & RTE_MASKED))
		vm_irq_unmasked(d->vm, pin);
	s->rte[pin] = e;
	update_edge_vectors(d);
	level_check(d, pin);	/* e.g. unmasking a level entry whose pin is high */
}

static uint64_t mmio_read(struct device *d, uint64_t gpa, unsigned size)
{
	struct ioapic *s = d->state;
	uint64_t off = gpa - d->decl->mmio_base;
	uint32_t v;
	if ((off & ~3ull) == IOREGSEL)
		v = s->regsel;
	else if ((off & ~3ull) == IOWIN)
		v = reg_read(s, s->regsel);
	else
		return 0;
	v >>= 8 * (off & 3);
	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void mmio_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	struct ioapic *s = d->state;
	uint64_t off = gpa - d->decl->mmio_base;
	if (off == IOREGSEL)
		s->regsel = (uint8_t)val;
	else if (off == IOWIN && size == 4)
		reg_write(d, s->regsel, (uint32_t)val);
}

static void ioapic_init(struct device *d)
{
	struct ioapic *s = d->state;
	s->pin_high = PCI_INTX_GSI_MASK;	/* idle PCI INTx lines are high */
	d->vm->ioapic = d;
}

static void ioapic_reset(struct device *d)
{
	struct ioapic *s = d->state;
	s->regsel = 0;
	s->id = 0;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		s->rte[pin] = RTE_MASKED;
	update_edge_vectors(d);
}

const struct device_model ioapic_model = {
	.name = "ioapic",
	.state_size = sizeof(struct ioapic),
	.init = ioapic_init,
	.reset = ioapic_reset,
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
};
