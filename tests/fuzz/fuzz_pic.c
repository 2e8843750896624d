/*
 * tests/fuzz/fuzz_pic.c - the 8259A pair (devices/pic.c) under any sequence
 * of port accesses (0x20/0x21, 0xa0/0xa1, ELCR 0x4d0/0x4d1), IRQ line
 * changes and acknowledge cycles (tests/fuzz/device_fuzz.h).
 * Invariants: each chip's init step, vector base, priority and ELCR are
 * valid; the pending vector is -1 or one of the chips' eight; an acknowledge
 * returns exactly the vector that was reported pending (or -1 / a spurious
 * IRQ 7 when none was).
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/pic.c"

static const struct device_decl decl = {
	"pic", &pic_model, .pio = { { 0x20, 2 }, { 0xa0, 2 }, { 0x4d0, 2 } },
};

static bool vector_of(const struct pic *p, int vec)
{
	for (int c = 0; c < 2; c++)
		if (vec >= p->chip[c].base && vec < p->chip[c].base + 8)
			return true;
	return false;
}

static void check(struct device *d)
{
	const struct pic *p = d->state;
	for (int c = 0; c < 2; c++) {
		const struct pic_chip *k = &p->chip[c];
		CHECK(k->step <= WANT_ICW4);
		CHECK((k->base & 7) == 0);
		CHECK(k->lowest < 8);
		CHECK((k->elcr & ~k->elcr_mask) == 0);
	}
	int vec = pic_pending_vector(d);
	CHECK(vec == -1 || vector_of(p, vec));
}

/* where bit 15: acknowledge; else IRQ (where % 16) to level val & 1. */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	if (where & 0x8000) {
		int pending = pic_pending_vector(d);
		int vec = pic_ack(d);
		const struct pic *p = d->state;
		if (pending >= 0)
			CHECK(vec == pending);
		else
			CHECK(vec == -1 || vec == p->chip[MASTER].base + 7 ||
			      vec == p->chip[SLAVE].base + 7);
	} else {
		pic_set_irq(d, where % 16, val & 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra };
	fuzz_dev_run(&h, data, size);
	return 0;
}
