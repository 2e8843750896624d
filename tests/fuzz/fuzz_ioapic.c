/*
 * tests/fuzz/fuzz_ioapic.c - the IOAPIC (devices/ioapic.c) under any
 * sequence of MMIO accesses to its page (any size 1-8 and alignment), pin
 * level changes and EOIs (tests/fuzz/device_fuzz.h).
 * Invariants: the ID keeps only its 4 bits; a redirection entry holds only
 * writable bits and Remote IRR, Remote IRR only on level entries; a 32-bit
 * write to one half of an entry leaves the other half as it was; every
 * interrupt sent to the LAPICs comes from an unmasked entry with exactly
 * its vector, mode and destination, and a level one has Remote IRR set.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/ioapic.c"

static const struct device_decl decl = {
	"ioapic", &ioapic_model, .mmio_base = IOAPIC_BASE, .mmio_len = 0x1000,
};

/* The LAPIC side, faked: each message must match an unmasked entry. */
void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical, unsigned mode,
		    uint8_t vector, bool level)
{
	const struct ioapic *s = fuzz_device.state;
	bool found = false;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = s->rte[pin];
		if (!(e & RTE_MASKED) && RTE_VECTOR(e) == vector && RTE_MODE(e) == mode &&
		    RTE_DEST(e) == dest && !!(e & RTE_LOGICAL) == logical &&
		    !!(e & RTE_LEVEL) == level && (!level || (e & RTE_REMOTE_IRR)))
			found = true;
	}
	CHECK(found);
}

static uint64_t rte_before[IOAPIC_PINS];
static uint32_t regsel_before;

static void on_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	const struct ioapic *s = d->state;
	memcpy(rte_before, s->rte, sizeof(rte_before));
	regsel_before = s->regsel;
}

static void on_reset(struct device *d)
{
	const struct ioapic *s = d->state;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		CHECK(s->rte[pin] == RTE_MASKED);
	memcpy(rte_before, s->rte, sizeof(rte_before));
}

static void check(struct device *d)
{
	const struct ioapic *s = d->state;
	CHECK((s->id & ~ID_MASK) == 0);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = s->rte[pin];
		CHECK((e & ~(RTE_WRITABLE | RTE_REMOTE_IRR)) == 0);
		CHECK(!(e & RTE_REMOTE_IRR) || (e & RTE_LEVEL));
		/* Only the entry IOREGSEL selects may have changed, and only its
		 * selected half's writable bits (Remote IRR moves by itself). */
		uint64_t diff = (e ^ rte_before[pin]) & ~RTE_REMOTE_IRR;
		if (diff) {
			unsigned reg = regsel_before;
			CHECK(reg >= REG_REDIR && (reg - REG_REDIR) / 2 == pin);
			CHECK((diff & ((reg & 1) ? 0xffffffffull : ~0xffffffffull)) == 0);
		}
	}
	memcpy(rte_before, s->rte, sizeof(rte_before));
	regsel_before = s->regsel;
}

/* where bit 15: EOI of vector val; else pin where % 24 to level val & 1. */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	if (where & 0x8000)
		ioapic_eoi(d, (uint8_t)val);
	else
		ioapic_set_irq(d, where % IOAPIC_PINS, val & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra,
					   .on_write = on_write, .on_reset = on_reset };
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		rte_before[pin] = RTE_MASKED;
	regsel_before = 0;
	fuzz_dev_run(&h, data, size);
	return 0;
}
