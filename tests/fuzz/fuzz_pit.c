/*
 * tests/fuzz/fuzz_pit.c - the 8254 PIT and port B (devices/pit.c) under any
 * sequence of port accesses (0x40-0x43, 0x61) and time steps
 * (tests/fuzz/device_fuzz.h).
 * Invariants: every channel's mode, access mode and counts are in range
 * (1..65536); at most the one vtimer is armed; IRQ 0 only ever pulses, and
 * never twice within PIT_MIN_IRQ_NS (the rate clamp); a backlog of missed
 * periods never exceeds 1 + PIT_CATCHUP_MAX, exists only while channel 0
 * counts in mode 2 or 3 with a period it catches up, and has its timer
 * armed; so has a pulse held for its acknowledge. The guest's side
 * (record kind 5): acknowledges and unmasks of any GSIs, and taking each
 * pulse at once (fake_auto_ack) on or off.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/pit.c"

static const struct device_decl decl = {
	"pit", &pit_model, .pio = { { 0x40, 4 }, { 0x61, 1 } }, .irq = 0,
};

static void check(struct device *d)
{
	const struct pit *p = d->state;
	for (int i = 0; i < 3; i++) {
		const struct pit_chan *c = &p->r.ch[i];
		CHECK(c->mode <= 5);
		CHECK(c->rw >= RW_LSB && c->rw <= RW_WORD);
		CHECK(c->n >= 1 && c->n <= 65536);
		CHECK(!c->pending || (c->next_n >= 1 && c->next_n <= 65536));
	}
	CHECK(fake_armed_timers() <= 1);
	CHECK(p->r.backlog <= 1 + PIT_CATCHUP_MAX);
	if (p->r.backlog || p->r.unacked)
		CHECK(catches_up(&p->r.ch[0]) && p->r.irq_armed && p->timer.armed);
	uint64_t last = 0;
	bool seen = false;
	for (unsigned i = 0; i < fake_irq_count; i++) {
		const struct fake_irq_event *e = &fake_irq_events[i];
		CHECK(e->irq == 0 && e->level == 2);
		CHECK(!seen || e->at_ns - last >= PIT_MIN_IRQ_NS);
		last = e->at_ns;
		seen = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = fake_irq_guest_side };
	fuzz_dev_run(&h, data, size);
	return 0;
}
