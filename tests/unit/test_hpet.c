/*
 * tests/unit/test_hpet.c - the HPET (devices/hpet.c) through its MMIO
 * registers, with fake time: the capabilities, the main counter (100 MHz,
 * halted and running, written), one-shot and periodic timers in 64- and
 * 32-bit mode, edge and level interrupts and GINTR_STA, IOAPIC routes,
 * legacy replacement, the rate clamp, the catch-up of missed periods
 * (counted, spaced, capped, dropped on reprogramming), access sizes and
 * reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/hpet.h"
#include "devices/device.h"
#include "core/vm/vm.h"
#include "tests/unit/fake_platform.h"

/* The bus's lock helpers (devices/bus.c), not linked here. */
unsigned locks_held;
uint64_t device_lock(struct device *d) { locks_held++; return 0; }
void device_unlock(struct device *d, uint64_t f) { locks_held--; }

static const struct device_decl decl = {
	"hpet", &hpet_model, .mmio_base = HPET_BASE, .mmio_len = HPET_LEN,
};
static struct vm vm;
static struct device dev;
static _Alignas(64) uint8_t state[4096];

static int setup(void **unused)
{
	fake_platform_reset();
	fake_now_ns = 7000000003ull;	/* not zero: time is absolute */
	memset(&vm, 0, sizeof(vm));
	memset(state, 0, sizeof(state));
	assert_true(hpet_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .vm = &vm, .state = state };
	hpet_model.init(&dev);
	hpet_model.reset(&dev);
	locks_held = 0;
	return 0;
}

static uint64_t rd(unsigned reg) { return hpet_model.mmio_read(&dev, HPET_BASE + reg, 8); }
static uint32_t rd32(unsigned reg)
{
	return (uint32_t)hpet_model.mmio_read(&dev, HPET_BASE + reg, 4);
}
static void wr(unsigned reg, uint64_t v) { hpet_model.mmio_write(&dev, HPET_BASE + reg, 8, v); }
static void wr32(unsigned reg, uint32_t v) { hpet_model.mmio_write(&dev, HPET_BASE + reg, 4, v); }

static uint32_t route(unsigned pin) { return pin << HPET_TN_ROUTE_SHIFT; }

static void test_capabilities(void **unused)
{
	uint64_t cap = rd(HPET_GCAP_ID);
	assert_int_equal(cap & 0xff, 1);		/* REV_ID */
	assert_int_equal((cap >> 8) & 0x1f, 2);		/* NUM_TIM_CAP: 3 timers */
	assert_true(cap & (1u << 13));			/* COUNT_SIZE_CAP: 64-bit */
	assert_true(cap & (1u << 15));			/* LEG_RT_CAP */
	assert_int_equal(cap >> 32, 10000000);		/* 10 ns in fs */
	assert_true((cap >> 32) <= 0x05f5e100);		/* the spec's upper bound */
	assert_int_equal(rd32(HPET_GCAP_ID + 4), 10000000);
	for (unsigned n = 0; n < 3; n++) {
		uint64_t c = rd(HPET_TN_CONF(n));
		assert_int_equal(c >> 32, HPET_ROUTE_CAP);
		assert_true(c & HPET_TN_PER_INT_CAP);
		assert_true(c & HPET_TN_SIZE_CAP);
		assert_false(c & HPET_TN_FSB_CAP);
		assert_false(c & HPET_TN_INT_ENB);
		assert_int_equal(rd(HPET_TN_FSB(n)), 0);
	}
	assert_int_equal(rd(HPET_GEN_CONF), 0);
	assert_int_equal(rd(HPET_GINTR_STA), 0);
	wr(HPET_GCAP_ID, ~0ull);			/* read-only */
	assert_int_equal(rd(HPET_GCAP_ID), cap);
	assert_int_equal(rd(0x0f8), 0);			/* reserved */
	assert_int_equal(rd(0x400), 0);
}

static void test_counter(void **unused)
{
	fake_advance(1000000);
	assert_int_equal(rd(HPET_MAIN_CNT), 0);		/* halted after reset */
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	fake_advance(1000000);				/* 1 ms */
	assert_int_equal(rd(HPET_MAIN_CNT), 100000);
	fake_advance(25);
	assert_int_equal(rd(HPET_MAIN_CNT), 100002);	/* whole ticks */
	wr(HPET_GEN_CONF, 0);
	uint64_t held = rd(HPET_MAIN_CNT);
	fake_advance(5000000);
	assert_int_equal(rd(HPET_MAIN_CNT), held);
	wr(HPET_MAIN_CNT, 0xfffffffffff00000ull);
	assert_int_equal(rd(HPET_MAIN_CNT), 0xfffffffffff00000ull);
	wr32(HPET_MAIN_CNT, 0x10);			/* the low half only */
	assert_int_equal(rd(HPET_MAIN_CNT), 0xffffffff00000010ull);
	wr(HPET_MAIN_CNT, 0xfffffffffffffff0ull);
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	fake_advance(200);				/* wraps to 4 */
	assert_int_equal(rd(HPET_MAIN_CNT), 4);
	assert_int_equal(rd32(HPET_MAIN_CNT), 4);
	assert_int_equal(rd32(HPET_MAIN_CNT + 4), 0);
	assert_int_equal(locks_held, 0);
}

/* Timer n, enabled, routed to `pin`, with conf bits and comparator at
 * `ahead` ticks from now. Returns when (ns) it should fire. */
static uint64_t start_timer(unsigned n, uint32_t conf, unsigned pin, uint64_t ahead)
{
	wr(HPET_GEN_CONF, rd(HPET_GEN_CONF) | HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(n), conf | HPET_TN_INT_ENB | route(pin));
	uint64_t c = rd(HPET_MAIN_CNT);
	wr(HPET_TN_CMP(n), c + ahead);
	return fake_now_ns + ahead * 10;
}

static void test_oneshot_edge(void **unused)
{
	uint64_t due = start_timer(0, 0, 20, 1000);
	assert_int_equal(fake_armed_timers(), 1);
	fake_advance_to(due - 10);
	assert_int_equal(fake_irq_rises[20], 0);
	fake_advance_to(due);
	assert_int_equal(fake_irq_rises[20], 1);
	assert_int_equal(fake_irq_level[20], 0);	/* edge: pulsed, left low */
	assert_int_equal(fake_irq_events[0].at_ns, due);
	assert_int_equal(rd(HPET_GINTR_STA), 0);	/* no status for edge */
	fake_advance(100ull * 1000000000);		/* 64-bit: no wrap in sight */
	assert_int_equal(fake_irq_rises[20], 1);
	assert_int_equal(fake_armed_timers(), 0);
}

static void test_oneshot_32bit_wraps(void **unused)
{
	uint64_t due = start_timer(1, HPET_TN_32MODE, 21, 500);
	fake_advance_to(due);
	assert_int_equal(fake_irq_rises[21], 1);
	/* The 32-bit comparator matches again when the counter's low half
	 * comes round: 2^32 ticks later. */
	uint64_t wrap = due + (1ull << 32) * 10;
	fake_advance_to(wrap - 10);
	assert_int_equal(fake_irq_rises[21], 1);
	fake_advance_to(wrap);
	assert_int_equal(fake_irq_rises[21], 2);
	/* Upper halves read as 0 in 32-bit mode. */
	wr(HPET_TN_CMP(1), 0xffffffff12345678ull);
	assert_int_equal(rd(HPET_TN_CMP(1)), 0x12345678);
}

static void test_comparator_behind(void **unused)
{
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	fake_advance(1000000);
	wr(HPET_TN_CONF(0), HPET_TN_INT_ENB | route(20));
	wr(HPET_TN_CMP(0), 5);				/* long passed */
	fake_advance(10ull * 1000000000);
	assert_int_equal(fake_irq_rises[20], 0);
}

static void test_periodic(void **unused)
{
	/* Linux's sequence: VAL_SET with the first match, then the period. */
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(0), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET | route(22));
	uint64_t c = rd(HPET_MAIN_CNT), t0 = fake_now_ns;
	wr(HPET_TN_CMP(0), c + 100000);			/* 1 ms */
	wr(HPET_TN_CMP(0), 100000);			/* period 1 ms */
	assert_false(rd(HPET_TN_CONF(0)) & HPET_TN_VAL_SET);	/* cleared */
	assert_int_equal(rd(HPET_TN_CMP(0)), c + 100000);
	fake_advance_to(t0 + 10000000 - 1);		/* just short of 10 ms */
	assert_int_equal(fake_irq_rises[22], 9);
	fake_advance_to(t0 + 10000000);
	assert_int_equal(fake_irq_rises[22], 10);
	/* The comparator holds the next match. */
	assert_int_equal(rd(HPET_TN_CMP(0)), c + 11 * 100000);
	for (unsigned i = 1; i < fake_irq_count; i++)
		if (fake_irq_events[i].level == 1)
			assert_int_equal(fake_irq_events[i].at_ns % 1000000, t0 % 1000000);
	/* Interrupts off: the comparator still advances. */
	wr(HPET_TN_CONF(0), HPET_TN_PERIODIC | route(22));
	fake_advance(5000000);
	assert_int_equal(fake_irq_rises[22], 10);
	assert_int_equal(rd(HPET_TN_CMP(0)), c + 16 * 100000);
}

static void test_periodic_32bit(void **unused)
{
	wr(HPET_MAIN_CNT, 0xffffff00ull);
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(2), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET |
	   HPET_TN_32MODE | route(23));
	wr32(HPET_TN_CMP(2), 0xffffff80);
	wr32(HPET_TN_CMP(2), 0x100000);			/* period ~10.5 ms */
	fake_advance(1290);				/* to 0xffffff81 */
	assert_int_equal(fake_irq_rises[23], 1);
	assert_int_equal(rd(HPET_TN_CMP(2)), 0x00100000 - 0x80);	/* wrapped */
	fake_advance(0x100000 * 10);
	assert_int_equal(fake_irq_rises[23], 2);
}

static void test_level(void **unused)
{
	uint64_t due = start_timer(1, HPET_TN_INT_TYPE_LEVEL, 21, 100);
	fake_advance_to(due);
	assert_int_equal(fake_irq_level[21], 1);
	assert_int_equal(rd(HPET_GINTR_STA), 2);
	fake_advance(1000000);
	assert_int_equal(fake_irq_level[21], 1);	/* held until cleared */
	wr(HPET_GINTR_STA, 1);				/* another timer's bit */
	assert_int_equal(fake_irq_level[21], 1);
	wr(HPET_GINTR_STA, 2);
	assert_int_equal(fake_irq_level[21], 0);
	assert_int_equal(rd(HPET_GINTR_STA), 0);
	assert_int_equal(fake_irq_rises[21], 1);
	/* Disabling the timer's interrupt drops a held line too. */
	due = start_timer(1, HPET_TN_INT_TYPE_LEVEL, 21, 100);
	fake_advance_to(due);
	assert_int_equal(fake_irq_level[21], 1);
	wr(HPET_TN_CONF(1), HPET_TN_INT_TYPE_LEVEL | route(21));
	assert_int_equal(fake_irq_level[21], 0);
}

static void test_routes(void **unused)
{
	wr(HPET_TN_CONF(0), route(20));
	assert_int_equal((rd(HPET_TN_CONF(0)) & HPET_TN_ROUTE_MASK) >> HPET_TN_ROUTE_SHIFT, 20);
	wr(HPET_TN_CONF(0), route(2));			/* not in ROUTE_CAP */
	assert_int_equal((rd(HPET_TN_CONF(0)) & HPET_TN_ROUTE_MASK) >> HPET_TN_ROUTE_SHIFT, 20);
	wr(HPET_TN_CONF(0), HPET_TN_FSB_EN | route(23));	/* no FSB */
	assert_false(rd(HPET_TN_CONF(0)) & HPET_TN_FSB_EN);
	/* A timer never routed (route 0 is not offered) interrupts nothing. */
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(1), HPET_TN_INT_ENB);
	wr(HPET_TN_CMP(1), rd(HPET_MAIN_CNT) + 10);
	fake_advance(1000);
	assert_int_equal(fake_irq_count, 0);
}

static void test_legacy_replacement(void **unused)
{
	wr(HPET_GEN_CONF, HPET_LEG_RT_CNF);		/* not yet enabled */
	assert_false(fake_legacy_replaced);
	wr(HPET_GEN_CONF, HPET_LEG_RT_CNF | HPET_ENABLE_CNF);
	assert_true(fake_legacy_replaced);
	/* Timer 0 to IRQ 0, timer 1 to IRQ 8, whatever their routes say;
	 * timer 2 by its route. */
	uint64_t d0 = start_timer(0, 0, 20, 100);
	uint64_t d1 = start_timer(1, 0, 21, 200);
	uint64_t d2 = start_timer(2, 0, 22, 300);
	fake_advance_to(d0);
	assert_int_equal(fake_irq_rises[0], 1);
	fake_advance_to(d1);
	assert_int_equal(fake_irq_rises[8], 1);
	fake_advance_to(d2);
	assert_int_equal(fake_irq_rises[22], 1);
	assert_int_equal(fake_irq_rises[20] + fake_irq_rises[21], 0);
	/* Level on IRQ 8, then legacy off: the HPET lets go of the line.
	 * (Timer 1 interrupted 1 us ago: the rate clamp holds this one.) */
	d1 = start_timer(1, HPET_TN_INT_TYPE_LEVEL, 21, 100);
	fake_advance_to(d1);
	assert_int_equal(fake_irq_level[8], 0);
	fake_advance_to(d1 + HPET_MIN_IRQ_NS);
	assert_int_equal(fake_irq_level[8], 1);
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	assert_false(fake_legacy_replaced);
	assert_int_equal(fake_irq_level[8], 0);
	assert_int_equal(fake_irq_level[21], 1);	/* now by its own route */
	/* Halting the HPET with legacy on gives the lines back too. */
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	assert_true(fake_legacy_replaced);
	wr(HPET_GEN_CONF, HPET_LEG_RT_CNF);
	assert_false(fake_legacy_replaced);
	/* And a reset. */
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	hpet_model.reset(&dev);
	assert_false(fake_legacy_replaced);
	assert_int_equal(rd(HPET_GEN_CONF), 0);
	assert_int_equal(fake_armed_timers(), 0);
}

static void test_rate_clamp(void **unused)
{
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(0), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET | route(20));
	uint64_t c = rd(HPET_MAIN_CNT);
	wr(HPET_TN_CMP(0), c + 10);
	wr(HPET_TN_CMP(0), 10);				/* every 100 ns */
	fake_advance(10000000);				/* 10 ms */
	assert_true(fake_irq_rises[20] >= 99 && fake_irq_rises[20] <= 101);
	uint64_t last = 0;
	for (unsigned i = 0; i < fake_irq_count; i++)
		if (fake_irq_events[i].level == 1) {
			assert_true(!last || fake_irq_events[i].at_ns - last >= HPET_MIN_IRQ_NS);
			last = fake_irq_events[i].at_ns;
		}
	/* The comparator is exact all the same: the next multiple. */
	uint64_t now = rd(HPET_MAIN_CNT), cmp = rd(HPET_TN_CMP(0));
	assert_true(cmp > now && cmp <= now + 10 && (cmp - c) % 10 == 0);
}

/* Timer 0 periodic in legacy replacement (Linux's IRQ 0 tick), from now:
 * the first match one period on. Returns when the counter was 0. */
static uint64_t start_tick(uint64_t period)
{
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	uint64_t t0 = fake_now_ns - rd(HPET_MAIN_CNT) * HPET_NS_PER_TICK;
	wr(HPET_TN_CONF(0), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET);
	wr(HPET_TN_CMP(0), (fake_now_ns - t0) / HPET_NS_PER_TICK + period);
	wr(HPET_TN_CMP(0), period);
	return t0;
}

/* The times of IRQ 0's rising edges from the i-th on. */
static uint64_t rise_at(unsigned i)
{
	for (unsigned k = 0; k < fake_irq_count; k++)
		if (fake_irq_events[k].irq == 0 && fake_irq_events[k].level == 1 && i-- == 0)
			return fake_irq_events[k].at_ns;
	fail_msg("no rise %u", i);
	return 0;
}

static void assert_spaced(unsigned from, unsigned count, uint64_t start)
{
	for (unsigned i = 0; i < count; i++)
		assert_int_equal(rise_at(from + i), start + i * HPET_MIN_IRQ_NS);
}

/* A late vtimer (the host was busy): the missed periods come one by one,
 * HPET_MIN_IRQ_NS apart, then the comparator again; none is lost. */
static void test_periodic_late(void **unused)
{
	uint64_t t0 = start_tick(100000);	/* 1 ms */
	fake_advance_to(t0 + 3000000);
	assert_int_equal(fake_irq_rises[0], 3);
	/* Busy until 0.5 ms past match 13: matches 4 to 13 are late. A read
	 * of the comparator meanwhile loses none of them. */
	uint64_t late = t0 + 13500000;
	fake_now_ns = late;
	assert_int_equal(rd(HPET_TN_CMP(0)), 14 * 100000);
	fake_advance(0);
	assert_int_equal(fake_irq_rises[0], 4);
	/* Nine more, and match 14 (0.5 ms on) joins them: ten more. */
	fake_advance_to(t0 + 15000000 - 1);
	assert_int_equal(fake_irq_rises[0], 14);
	assert_spaced(3, 11, late);
	/* Back on the comparator: fifteen periods, fifteen interrupts. */
	fake_advance_to(t0 + 15000000);
	assert_int_equal(fake_irq_rises[0], 15);
	assert_int_equal(rise_at(14), t0 + 15000000);
	fake_advance_to(t0 + 100000000);
	assert_int_equal(fake_irq_rises[0], 100);
	assert_int_equal(rd(HPET_TN_CMP(0)), 101 * 100000);
}

/* A stall of 500 periods: HPET_CATCHUP_MAX of them are caught up. */
static void test_periodic_late_capped(void **unused)
{
	uint64_t t0 = start_tick(5000000);	/* 50 ms */
	fake_advance_to(t0 + 50000000);
	assert_int_equal(fake_irq_rises[0], 1);
	uint64_t late = t0 + 500 * 50000000ull + 70;
	fake_now_ns = late;
	fake_advance_to(t0 + 501 * 50000000ull - 1);
	assert_int_equal(fake_irq_rises[0], 2 + HPET_CATCHUP_MAX);
	assert_spaced(1, 1 + HPET_CATCHUP_MAX, late);
	fake_advance_to(t0 + 501 * 50000000ull);
	assert_int_equal(fake_irq_rises[0], 3 + HPET_CATCHUP_MAX);
	assert_int_equal(rise_at(2 + HPET_CATCHUP_MAX), t0 + 501 * 50000000ull);
}

/* Reprogramming drops what is owed; a period too fast to drain a backlog
 * (under HPET_CATCHUP_MIN_PERIOD_NS) is coalesced as the clamp always
 * did; so is a one-shot timer's match (one interrupt). */
static void test_periodic_late_dropped(void **unused)
{
	uint64_t t0 = start_tick(100000);
	uint64_t late = t0 + 20000000 + 50;
	fake_now_ns = late;
	fake_advance(0);
	fake_advance(HPET_MIN_IRQ_NS);
	assert_int_equal(fake_irq_rises[0], 2);
	/* Linux's periodic set-up again: 2 ms from now. */
	uint64_t again = fake_now_ns;
	wr(HPET_TN_CONF(0), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET);
	wr(HPET_TN_CMP(0), rd(HPET_MAIN_CNT) + 200000);
	wr(HPET_TN_CMP(0), 200000);
	fake_advance_to(again + 2000000 - 10);
	assert_int_equal(fake_irq_rises[0], 2);
	fake_advance_to(again + 6000000);
	assert_int_equal(fake_irq_rises[0], 5);
	/* Disabling the HPET, or its reset, drops them too. */
	fake_now_ns += 30000000;
	wr(HPET_GEN_CONF, HPET_LEG_RT_CNF);
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	fake_advance(HPET_MIN_IRQ_NS * 10);
	assert_int_equal(fake_irq_rises[0], 5);
	fake_now_ns += 30000000;
	hpet_model.reset(&dev);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_rises[0], 5);
	/* 150 us: one interrupt for the stall, then the comparator. */
	setup(NULL);
	t0 = start_tick(15000);
	late = t0 + 15000 * 10 * 10 + 500;
	fake_now_ns = late;
	fake_advance(0);
	assert_int_equal(fake_irq_rises[0], 1);
	fake_advance_to(t0 + 15000 * 10 * 11);
	assert_int_equal(fake_irq_rises[0], 2);
	assert_int_equal(rise_at(1), t0 + 15000 * 10 * 11);
	/* A one-shot 32-bit timer whose match came and went: one. */
	setup(NULL);
	uint64_t due = start_timer(2, HPET_TN_32MODE, 22, 1000);
	fake_now_ns = due + 5000000;
	fake_advance(HPET_MIN_IRQ_NS * 10);
	assert_int_equal(fake_irq_rises[22], 1);
}

/* Held ticks: with the guest not taking IRQ 0 (no acknowledge), N
 * periods give one interrupt and N-1 held; each acknowledge (ISA IRQ 0 is
 * GSI 2) releases the next, HPET_MIN_IRQ_NS after the previous at the
 * earliest; none merged, none lost; then the comparator again. */
static void test_held_until_acked(void **unused)
{
	fake_auto_ack = false;
	uint64_t t0 = start_tick(400000);	/* 250 Hz: 4 ms */
	fake_advance_to(t0 + 10 * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 1);	/* 10 periods: 1 sent, 9 held */
	assert_int_equal(rise_at(0), t0 + 4000000);
	assert_int_equal(rd(HPET_TN_CMP(0)), 11 * 400000);	/* the comparator ran on */
	uint64_t acked = fake_now_ns;
	fake_irq_ack(2);
	fake_advance(0);
	assert_int_equal(fake_irq_rises[0], 2);
	assert_int_equal(rise_at(1), acked);
	fake_irq_ack(2);
	fake_advance(HPET_MIN_IRQ_NS - 1);
	assert_int_equal(fake_irq_rises[0], 2);	/* the clamp */
	fake_advance(1);
	assert_int_equal(fake_irq_rises[0], 3);
	for (unsigned k = 4; k <= 10; k++) {
		fake_advance(300000);
		assert_int_equal(fake_irq_rises[0], k - 1);
		fake_irq_ack(8);	/* another line's: not this one's */
		fake_irq_ack(22);
		fake_advance(HPET_MIN_IRQ_NS);
		assert_int_equal(fake_irq_rises[0], k - 1);
		acked = fake_now_ns;
		fake_irq_ack(2);
		fake_advance(0);
		assert_int_equal(fake_irq_rises[0], k);
		assert_int_equal(rise_at(k - 1), acked);
	}
	/* All ten out; match 11 (44 ms) comes on its own once taken. */
	fake_irq_ack(2);
	fake_auto_ack = true;
	fake_advance_to(t0 + 11 * 4000000ull - 1);
	assert_int_equal(fake_irq_rises[0], 10);
	fake_advance_to(t0 + 15 * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 15);
	assert_int_equal(rise_at(14), t0 + 15 * 4000000ull);
}

/* The same through an IOAPIC route (timer 2 on pin 22): its acknowledge
 * is the EOI of pin 22's vector. A one-shot or level timer is not held. */
static void test_held_ioapic_route(void **unused)
{
	fake_auto_ack = false;
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(2), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET | route(22));
	uint64_t start = fake_now_ns;
	wr(HPET_TN_CMP(2), rd(HPET_MAIN_CNT) + 100000);	/* 1 ms */
	wr(HPET_TN_CMP(2), 100000);
	fake_advance_to(start + 5000000);
	assert_int_equal(fake_irq_rises[22], 1);
	fake_irq_ack(2);
	fake_advance(0);
	assert_int_equal(fake_irq_rises[22], 1);
	fake_irq_ack(22);
	fake_advance(0);
	assert_int_equal(fake_irq_rises[22], 2);
	fake_irq_ack(22);
	fake_advance(HPET_MIN_IRQ_NS);
	assert_int_equal(fake_irq_rises[22], 3);
	/* Level: its status bit is its acknowledge; not held here. */
	setup(NULL);
	fake_auto_ack = false;
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF(1), HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | HPET_TN_PERIODIC |
	   HPET_TN_VAL_SET | route(21));
	wr(HPET_TN_CMP(1), rd(HPET_MAIN_CNT) + 100000);
	wr(HPET_TN_CMP(1), 100000);
	fake_advance(3000000);
	assert_int_equal(fake_irq_level[21], 1);
	wr(HPET_GINTR_STA, 2);
	assert_int_equal(fake_irq_level[21], 0);
	fake_advance(1000000);
	assert_int_equal(fake_irq_level[21], 1);	/* the next match: nothing waited for */
}

/* Reprogramming, halting, an unmasked input and reset drop what is held;
 * an interrupt never taken is given up once 1 + HPET_CATCHUP_MAX are
 * owed, then the timer goes on at its period. */
static void test_held_dropped(void **unused)
{
	fake_auto_ack = false;
	uint64_t t0 = start_tick(400000);
	fake_advance_to(t0 + 5 * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 1);
	/* Linux's periodic set-up again, 4 ms from now: the 4 held dropped. */
	uint64_t again = fake_now_ns;
	wr(HPET_TN_CONF(0), HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET);
	wr(HPET_TN_CMP(0), rd(HPET_MAIN_CNT) + 400000);
	wr(HPET_TN_CMP(0), 400000);
	fake_irq_ack(2);
	fake_advance_to(again + 4000000 - 1);
	assert_int_equal(fake_irq_rises[0], 1);
	fake_advance_to(again + 4000000);
	assert_int_equal(fake_irq_rises[0], 2);
	/* Unmasked (the IOAPIC's pin 2, or the PIC's IRQ 0): dropped. */
	fake_advance_to(again + 6 * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 2);
	fake_irq_unmask(2);
	fake_advance(HPET_MIN_IRQ_NS);
	assert_int_equal(fake_irq_rises[0], 2);
	fake_advance_to(again + 7 * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 3);
	/* Halting and enabling the HPET. */
	fake_advance_to(again + 10 * 4000000ull);
	wr(HPET_GEN_CONF, HPET_LEG_RT_CNF);
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	fake_irq_ack(2);
	fake_advance(HPET_MIN_IRQ_NS);
	assert_int_equal(fake_irq_rises[0], 3);
	/* Reset. */
	fake_advance(5 * 4000000ull);
	unsigned before = fake_irq_rises[0];
	assert_int_equal(before, 4);	/* the first match after enabling; held since */
	hpet_model.reset(&dev);
	fake_irq_ack(2);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_rises[0], before);
	assert_int_equal(fake_armed_timers(), 0);
	/* Never taken: given up at match 2 + HPET_CATCHUP_MAX. */
	setup(NULL);
	fake_auto_ack = false;
	t0 = start_tick(400000);
	fake_advance_to(t0 + (2 + HPET_CATCHUP_MAX) * 4000000ull - 1);
	assert_int_equal(fake_irq_rises[0], 1);
	fake_advance_to(t0 + (2 + HPET_CATCHUP_MAX) * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 2);
	fake_advance_to(t0 + (5 + HPET_CATCHUP_MAX) * 4000000ull);
	assert_int_equal(fake_irq_rises[0], 5);
}

static void test_halt_stops_timers(void **unused)
{
	uint64_t due = start_timer(0, 0, 20, 1000);
	wr(HPET_GEN_CONF, 0);
	fake_advance_to(due + 1000000);
	assert_int_equal(fake_irq_rises[20], 0);
	/* Running again, the counter resumes where it stopped. */
	wr(HPET_GEN_CONF, HPET_ENABLE_CNF);
	fake_advance(10000);
	assert_int_equal(fake_irq_rises[20], 1);
}

static void test_access_sizes(void **unused)
{
	wr(HPET_TN_CMP(0), 0x1122334455667788ull);
	assert_int_equal(hpet_model.mmio_read(&dev, HPET_BASE + HPET_TN_CMP(0) + 1, 2), 0x6677);
	assert_int_equal(hpet_model.mmio_read(&dev, HPET_BASE + HPET_TN_CMP(0) + 7, 1), 0x11);
	hpet_model.mmio_write(&dev, HPET_BASE + HPET_TN_CMP(0) + 2, 1, 0xaa);
	assert_int_equal(rd(HPET_TN_CMP(0)), 0x1122334455aa7788ull);
	wr32(HPET_TN_CMP(0) + 4, 0xdeadbeef);
	assert_int_equal(rd(HPET_TN_CMP(0)), 0xdeadbeef55aa7788ull);
	/* Across two registers: GINTR_STA's last bytes and the next. */
	assert_int_equal(hpet_model.mmio_read(&dev, HPET_BASE + HPET_GCAP_ID + 6, 4),
			 (rd(HPET_GCAP_ID) >> 48) & 0xffff);
	assert_int_equal(locks_held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capabilities, setup),
		cmocka_unit_test_setup(test_counter, setup),
		cmocka_unit_test_setup(test_oneshot_edge, setup),
		cmocka_unit_test_setup(test_oneshot_32bit_wraps, setup),
		cmocka_unit_test_setup(test_comparator_behind, setup),
		cmocka_unit_test_setup(test_periodic, setup),
		cmocka_unit_test_setup(test_periodic_32bit, setup),
		cmocka_unit_test_setup(test_level, setup),
		cmocka_unit_test_setup(test_routes, setup),
		cmocka_unit_test_setup(test_legacy_replacement, setup),
		cmocka_unit_test_setup(test_rate_clamp, setup),
		cmocka_unit_test_setup(test_periodic_late, setup),
		cmocka_unit_test_setup(test_periodic_late_capped, setup),
		cmocka_unit_test_setup(test_periodic_late_dropped, setup),
		cmocka_unit_test_setup(test_held_until_acked, setup),
		cmocka_unit_test_setup(test_held_ioapic_route, setup),
		cmocka_unit_test_setup(test_held_dropped, setup),
		cmocka_unit_test_setup(test_halt_stops_timers, setup),
		cmocka_unit_test_setup(test_access_sizes, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
