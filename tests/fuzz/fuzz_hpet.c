/*
 * tests/fuzz/fuzz_hpet.c - the HPET (devices/hpet.c) under any sequence of
 * MMIO accesses to its page (any size 1-8 and alignment), time steps and
 * resets (tests/fuzz/device_fuzz.h).
 * Invariants: GEN_CONF, GINTR_STA and each Tn_CONF hold only their
 * writable bits, a route only one of Tn_INT_ROUTE_CAP (or the reset 0); a
 * 32-bit timer's comparator and period fit 32 bits; at most one vtimer per
 * timer; lines move only on IOAPIC pins 20-23, or on IRQ 0 and 8 while
 * legacy replacement is on; the lines it holds high are the ones the fake
 * platform sees high; a running counter never goes back unless written;
 * each timer interrupts at most once per HPET_MIN_IRQ_NS; interrupts owed
 * (missed periods) are at most one, or 1 + HPET_CATCHUP_MAX for a periodic
 * timer it catches up, only while the HPET and the timer's interrupt are
 * enabled, and have the timer's vtimer armed; so has an interrupt held for
 * its acknowledge, only of an edge-triggered periodic timer it catches up.
 * The guest's side (record kind 5): acknowledges and unmasks of any GSIs,
 * and taking each interrupt at once (fake_auto_ack) on or off.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/hpet.c"

static const struct device_decl decl = {
	"hpet", &hpet_model, .mmio_base = HPET_BASE, .mmio_len = HPET_LEN,
};

static unsigned events_seen;
static bool written;
static uint64_t last_count;
static bool have_count;
static uint64_t last_irq[HPET_TIMERS];

static void setup(void)
{
	events_seen = 0;
	written = false;
	have_count = false;
	memset(last_irq, 0, sizeof(last_irq));
}

static void on_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	written = true;
}

static void on_reset(struct device *d)
{
	const struct hpet *s = d->state;
	CHECK(s->r.gen_conf == 0 && s->r.isr == 0 && s->r.lines_high == 0);
	CHECK(!fake_legacy_replaced);
	written = true;
}

static void on_read(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	const struct hpet *s = d->state;
	if (gpa != HPET_BASE + HPET_MAIN_CNT || size != 8)
		return;
	if (have_count && !written && enabled(s))
		CHECK(val >= last_count);
	last_count = val;
	have_count = true;
	written = false;
}

static void check(struct device *d)
{
	const struct hpet *s = d->state;
	CHECK((s->r.gen_conf & ~(HPET_ENABLE_CNF | HPET_LEG_RT_CNF)) == 0);
	CHECK((s->r.isr & ~7u) == 0);
	CHECK(s->r.legacy == legacy_routed(s));
	CHECK(fake_legacy_replaced == s->r.legacy);
	unsigned armed = 0;
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &s->r.t[n];
		unsigned route = (t->conf & HPET_TN_ROUTE_MASK) >> HPET_TN_ROUTE_SHIFT;
		CHECK((t->conf & ~(TN_WRITABLE | HPET_TN_ROUTE_MASK)) == 0);
		CHECK(route == 0 || (HPET_ROUTE_CAP >> route & 1));
		if (t->conf & HPET_TN_32MODE)
			CHECK(t->cmp >> 32 == 0 && t->period >> 32 == 0);
		armed += s->vt[n].armed;
		CHECK(t->owed <= max_owed(t));
		if (t->owed || t->unacked)
			CHECK(enabled(s) && (t->conf & HPET_TN_INT_ENB) && s->vt[n].armed);
		if (t->unacked)
			CHECK(holds(t));
		if (t->irq_sent) {
			if (t->last_irq_ns != last_irq[n]) {
				CHECK(!last_irq[n] || t->last_irq_ns >= last_irq[n] + HPET_MIN_IRQ_NS);
				last_irq[n] = t->last_irq_ns;
			}
		} else {
			last_irq[n] = 0;
		}
	}
	CHECK(armed == fake_armed_timers() && armed <= HPET_TIMERS);
	for (; events_seen < fake_irq_count && events_seen < FAKE_MAX_EVENTS; events_seen++) {
		const struct fake_irq_event *e = &fake_irq_events[events_seen];
		CHECK((HPET_ROUTE_CAP >> e->irq & 1) ||
		      ((e->irq == 0 || e->irq == 8) && s->r.legacy) ||
		      ((e->irq == 0 || e->irq == 8) && e->level == 0));
	}
	for (unsigned line = 0; line < 24; line++)
		if (line == 0 || line == 8 || (HPET_ROUTE_CAP >> line & 1))
			CHECK(!!(s->r.lines_high >> line & 1) == (fake_irq_level[line] == 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = {
		.decl = &decl, .check = check, .setup = setup, .on_write = on_write,
		.on_read = on_read, .on_reset = on_reset, .extra = fake_irq_guest_side,
	};
	fuzz_dev_run(&h, data, size);
	return 0;
}
