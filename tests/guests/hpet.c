/*
 * tests/guests/hpet.c - the HPET (devices/hpet.c) from inside a guest, as
 * an OS finds and uses it: the ACPI HPET table (scanned from the RSDP), the
 * capabilities, the main counter, a one-shot timer through the IOAPIC (not
 * before its comparator, once), a periodic one (its comparator steps by the
 * period), 32-bit mode (the comparator matches the counter's low half), a
 * level-triggered one (held until GINTR_STA is cleared), and legacy
 * replacement (timer 0 takes IRQ 0 from the PIT, timer 1 IRQ 8 from the
 * RTC, and the PIT gets IRQ 0 back after).
 *
 * Every check waits for an event (an interrupt, the counter moving), never
 * for an amount of time; each interrupt handler records the main counter,
 * so "not before the comparator" is checked against the HPET itself.
 * One line per check, "hpet: ok NAME" or "hpet: FAIL NAME (...)".
 */
#include "rt.h"
#include "hw.h"

#define TAG "hpet"
#define REG_CAP   0x000
#define REG_CONF  0x010
#define REG_ISR   0x020
#define REG_CNT   0x0f0
#define TN_CONF(n) (0x100 + 0x20 * (n))
#define TN_CMP(n)  (0x108 + 0x20 * (n))
#define ENABLE    1u
#define LEG_RT    2u
#define TN_LEVEL  (1u << 1)
#define TN_INT_ENB (1u << 2)
#define TN_PERIODIC (1u << 3)
#define TN_PER_CAP (1u << 4)
#define TN_SIZE_CAP (1u << 5)
#define TN_VAL_SET (1u << 6)
#define TN_32MODE (1u << 8)
#define TN_FSB_CAP (1u << 15)

#define VEC_ONESHOT  0x60
#define VEC_PERIODIC 0x61
#define VEC_LEVEL    0x62
#define VEC_32BIT    0x63
#define VEC_IRQ0     0x70
#define VEC_IRQ8     0x71

static uint32_t hpet;	/* its base, from ACPI */

static uint32_t rd(uint32_t reg) { return mmio_read32(hpet + reg); }
static void wr(uint32_t reg, uint32_t v) { mmio_write32(hpet + reg, v); }

static uint64_t counter(void)
{
	uint32_t hi, lo;
	do {
		hi = rd(REG_CNT + 4);
		lo = rd(REG_CNT);
	} while (rd(REG_CNT + 4) != hi);
	return (uint64_t)hi << 32 | lo;
}

static void wr64(uint32_t reg, uint64_t v)
{
	wr(reg + 4, (uint32_t)(v >> 32));
	wr(reg, (uint32_t)v);
}

static uint64_t rd64(uint32_t reg) { return rd(reg) | (uint64_t)rd(reg + 4) << 32; }

/* Timers are programmed with the main counter halted, so that a comparator
 * set ahead of it is still ahead when it runs, however slowly this guest
 * runs (a comparator left behind would match only after the wrap). */
static void halt(void) { wr(REG_CONF, rd(REG_CONF) & ~ENABLE); }
static void resume(void) { wr(REG_CONF, rd(REG_CONF) | ENABLE); }

/* ---- ACPI: RSDP in 0xe0000-0xfffff, RSDT, the table called HPET -------- */

static bool sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

static const uint8_t *find_table(const char sig[4])
{
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16) {
		const uint8_t *p = (const uint8_t *)a;
		if (memcmp(p, "RSD PTR ", 8) || !sum_ok(p, 20))
			continue;
		const uint8_t *rsdt = (const uint8_t *)*(const uint32_t *)(p + 16);
		uint32_t len = *(const uint32_t *)(rsdt + 4);
		if (memcmp(rsdt, "RSDT", 4) || !sum_ok(rsdt, len))
			return NULL;
		for (uint32_t off = 36; off + 4 <= len; off += 4) {
			const uint8_t *t = (const uint8_t *)*(const uint32_t *)(rsdt + off);
			if (!memcmp(t, sig, 4))
				return t;
		}
		return NULL;
	}
	return NULL;
}

/* ---- interrupts ------------------------------------------------------- */

static volatile uint64_t at_irq[256];	/* the counter at the last one */
static volatile uint32_t isr_at_irq[2];
static volatile uint32_t period_cmp[8];
static volatile uint32_t last_cmp;

static void eoi(void) { lapic_write(0xb0, 0); }

static void on_irq(struct rt_frame *f)
{
	at_irq[f->vector] = counter();
	eoi();
}

static void on_periodic(struct rt_frame *f)
{
	uint32_t n = rt_irq_count[VEC_PERIODIC];
	at_irq[VEC_PERIODIC] = counter();
	last_cmp = rd(TN_CMP(0));
	if (n <= 8)
		period_cmp[n - 1] = last_cmp;
	eoi();
}

/* Level: the status bit is set. The first time it is left set at the EOI,
 * so the line stays high and the IOAPIC delivers again at once; the second
 * time it is cleared (as on a PC, a level interrupt not cleared comes for
 * ever). */
static void on_level(struct rt_frame *f)
{
	uint32_t n = rt_irq_count[VEC_LEVEL];
	at_irq[VEC_LEVEL] = counter();
	if (n <= 2)
		isr_at_irq[n - 1] = rd(REG_ISR);
	if (n >= 2)
		wr(REG_ISR, 1u << 1);
	eoi();
}

static void on_rtc(struct rt_frame *f)
{
	at_irq[VEC_IRQ8] = counter();
	cmos_read(0x0c);	/* the RTC's flags: lets its line go */
	eoi();
}

/* IOAPIC pin -> vector, to APIC ID 0, fixed, unmasked. */
static void route_pin(unsigned pin, unsigned vec, bool level)
{
	ioapic_write(0x10 + 2 * pin + 1, 0);
	ioapic_write(0x10 + 2 * pin, vec | (level ? 1u << 15 : 0));
}

static void mask_pin(unsigned pin) { ioapic_write(0x10 + 2 * pin, 0x10000); }

/* With IF=1 until `vector` has come `n` times since `before`. */
static void await(unsigned vector, uint32_t before, uint32_t n, const char *what)
{
	printf(TAG ": waiting for %s\n", what);
	sti();
	while (rt_irq_count[vector] - before < n)
		__asm__ volatile("pause");
	cli();
}

/* The lowest IOAPIC pin >= 16 timer n may be routed to, or 0. */
static unsigned pick_pin(unsigned n, unsigned skip)
{
	uint32_t cap = rd(TN_CONF(n) + 4);
	for (unsigned pin = 16; pin < 24; pin++)
		if (cap >> pin & 1 && pin != skip)
			return pin;
	return 0;
}

/* ---- the checks -------------------------------------------------------- */

static bool test_acpi(void)
{
	const uint8_t *t = find_table("HPET");
	rt_check(TAG, t != NULL, "acpi-table", "no HPET table in the RSDT");
	if (!t)
		return false;
	uint32_t len = *(const uint32_t *)(t + 4);
	uint32_t base_lo = *(const uint32_t *)(t + 44), base_hi = *(const uint32_t *)(t + 48);
	rt_check(TAG, len == 56 && sum_ok(t, len) && t[40] == 0 && base_hi == 0 && base_lo,
		 "acpi-table-valid", "length %u, space %u, base 0x%x%08x", len, t[40],
		 base_hi, base_lo);
	hpet = base_lo;
	printf(TAG ": table at 0x%x: base 0x%x, id 0x%x\n", (uint32_t)t, hpet,
	       *(const uint32_t *)(t + 36));
	rt_check(TAG, *(const uint32_t *)(t + 36) == rd(REG_CAP), "acpi-id-matches",
		 "table id 0x%x, GCAP_ID 0x%x", *(const uint32_t *)(t + 36), rd(REG_CAP));
	return hpet != 0;
}

static void test_capabilities(void)
{
	uint32_t cap = rd(REG_CAP), period = rd(REG_CAP + 4);
	unsigned ntimers = ((cap >> 8) & 0x1f) + 1;
	printf(TAG ": GCAP_ID 0x%x%08x: %u timers, %u fs per tick\n", period, cap, ntimers, period);
	rt_check(TAG, (cap & 0xff) != 0 && ntimers == 3 && (cap & (1u << 13)) && (cap & (1u << 15)),
		 "capabilities", "GCAP_ID low 0x%x", cap);
	rt_check(TAG, period && period <= 0x05f5e100, "period", "%u fs", period);
	bool ok = true;
	for (unsigned n = 0; n < 3; n++) {
		uint32_t c = rd(TN_CONF(n));
		ok &= (c & TN_PER_CAP) && (c & TN_SIZE_CAP) && !(c & TN_FSB_CAP) &&
		      rd(TN_CONF(n) + 4) != 0;
	}
	rt_check(TAG, ok, "timer-capabilities", "periodic, 64-bit, a route, no FSB: not so");
}

static void test_counter(void)
{
	wr(REG_CONF, 0);
	wr64(REG_CNT, 0x00000001fffffff0ull);
	uint64_t a = counter(), b = counter();
	rt_check(TAG, a == b && a == 0x00000001fffffff0ull, "counter-halted",
		 "0x%x%08x then 0x%x%08x", (uint32_t)(a >> 32), (uint32_t)a,
		 (uint32_t)(b >> 32), (uint32_t)b);
	wr(REG_CONF, ENABLE);
	while ((b = counter()) == a)
		;
	/* It moved up, carrying into the high half (the low half wrapped). */
	while ((b = counter()) < 0x0000000200000010ull)
		;
	rt_check(TAG, b > a && (b >> 32) == 2, "counter-advances", "0x%x%08x",
		 (uint32_t)(b >> 32), (uint32_t)b);
}

static void test_oneshot(unsigned pin)
{
	rt_set_irq_handler(VEC_ONESHOT, on_irq);
	route_pin(pin, VEC_ONESHOT, false);
	halt();
	wr(TN_CONF(2), TN_INT_ENB | pin << 9);
	uint64_t cmp = counter() + 100000;	/* 1 ms */
	wr64(TN_CMP(2), cmp);
	resume();
	await(VEC_ONESHOT, 0, 1, "the one-shot timer");
	uint64_t got = at_irq[VEC_ONESHOT];
	rt_check(TAG, got >= cmp, "oneshot-ioapic", "came at counter 0x%x, comparator 0x%x",
		 (uint32_t)got, (uint32_t)cmp);
}

static void test_periodic(unsigned pin)
{
	rt_set_irq_handler(VEC_PERIODIC, on_periodic);
	route_pin(pin, VEC_PERIODIC, false);
	uint32_t period = 100000;
	/* A periodic comparator in 32-bit halves: each write with Tn_VAL_SET
	 * sets that half of the comparator (and Tn_VAL_SET clears); writes
	 * without it set the period. */
	uint32_t conf = TN_PERIODIC | pin << 9;
	halt();
	uint64_t first = counter() + period;
	wr(TN_CONF(0), conf | TN_VAL_SET);
	wr(TN_CMP(0) + 4, (uint32_t)(first >> 32));
	wr(TN_CONF(0), conf | TN_VAL_SET);
	wr(TN_CMP(0), (uint32_t)first);
	wr64(TN_CMP(0), period);
	wr(TN_CONF(0), conf | TN_INT_ENB);
	resume();
	await(VEC_PERIODIC, 0, 5, "5 periodic interrupts");
	/* Periods a stalled host missed are caught up (devices/hpet.c): up to
	 * 101 interrupts 100 us apart, which may all see the same comparator.
	 * Wait on until one sees the next. */
	for (uint32_t n = 6; last_cmp == period_cmp[0] && n <= 5 + 2 * 101; n++)
		await(VEC_PERIODIC, 0, n, "the next match");
	wr(TN_CONF(0), 0);
	/* In each handler the comparator is the next match: the first one
	 * plus a whole number of periods, moving on. (Two handlers may see the
	 * same one: QEMU's TCG has been seen to deliver an interrupt twice.) */
	bool ok = last_cmp != period_cmp[0];
	for (unsigned i = 0; i < 5; i++) {
		uint32_t step = period_cmp[i] - (uint32_t)first;
		ok &= step != 0 && step % period == 0;
	}
	rt_check(TAG, ok, "periodic", "comparators 0x%x 0x%x 0x%x 0x%x 0x%x, first 0x%x",
		 period_cmp[0], period_cmp[1], period_cmp[2], period_cmp[3], period_cmp[4],
		 (uint32_t)first);
	/* The one-shot timer did not come again meanwhile (a one-shot that
	 * rearmed itself would have come every 100 us by now; 2 is let pass:
	 * QEMU's TCG may deliver an interrupt twice, see above). */
	rt_check(TAG, rt_irq_count[VEC_ONESHOT] <= 2, "oneshot-once",
		 "%u one-shot interrupts", rt_irq_count[VEC_ONESHOT]);
	mask_pin(pin);
}

/* 32-bit mode: the comparator matches the counter's low half, so one
 * "behind" the 64-bit counter fires after the low half wraps. */
static void test_32bit(unsigned pin)
{
	rt_set_irq_handler(VEC_32BIT, on_irq);
	route_pin(pin, VEC_32BIT, false);
	wr(REG_CONF, 0);
	wr64(REG_CNT, 0x00000005ffff0000ull);
	wr(TN_CONF(2), TN_INT_ENB | TN_32MODE | pin << 9);
	wr64(TN_CMP(2), 0xffffffff00000100ull);
	uint64_t cmp = rd64(TN_CMP(2));
	rt_check(TAG, cmp == 0x100, "32bit-comparator", "reads 0x%x%08x",
		 (uint32_t)(cmp >> 32), (uint32_t)cmp);
	wr(REG_CONF, ENABLE);
	await(VEC_32BIT, 0, 1, "the 32-bit timer");
	uint64_t got = at_irq[VEC_32BIT];
	rt_check(TAG, got >= 0x0000000600000100ull, "32bit-match-after-wrap",
		 "came at counter 0x%x%08x", (uint32_t)(got >> 32), (uint32_t)got);
	wr(TN_CONF(2), 0);
	mask_pin(pin);
}

static void test_level(unsigned pin)
{
	rt_set_irq_handler(VEC_LEVEL, on_level);
	route_pin(pin, VEC_LEVEL, true);
	halt();
	wr(TN_CONF(1), TN_INT_ENB | TN_LEVEL | pin << 9);
	uint64_t cmp = counter() + 50000;
	wr64(TN_CMP(1), cmp);
	resume();
	await(VEC_LEVEL, 0, 2, "the level interrupt, twice (status not cleared the first time)");
	rt_check(TAG, (isr_at_irq[0] & 2) && (isr_at_irq[1] & 2) && at_irq[VEC_LEVEL] >= cmp,
		 "level-held", "GINTR_STA 0x%x, then 0x%x", isr_at_irq[0], isr_at_irq[1]);
	rt_check(TAG, rd(REG_ISR) == 0, "level-status-cleared", "GINTR_STA 0x%x", rd(REG_ISR));
	/* Cleared: one more timer interrupt (edge, another vector) comes, and
	 * the level one has not come again by then. */
	unsigned pin2 = pick_pin(2, pin);
	wr(TN_CONF(2), TN_INT_ENB | pin2 << 9);
	route_pin(pin2, VEC_ONESHOT, false);
	uint32_t o = rt_irq_count[VEC_ONESHOT];
	halt();
	wr64(TN_CMP(2), counter() + 50000);
	resume();
	await(VEC_ONESHOT, o, 1, "a one-shot after the cleared level interrupt");
	rt_check(TAG, rt_irq_count[VEC_LEVEL] <= 3, "level-released",
		 "%u level interrupts, 2 expected (3 let pass: TCG may deliver one twice)",
		 rt_irq_count[VEC_LEVEL]);
	wr(TN_CONF(1), 0);
	wr(TN_CONF(2), 0);
	mask_pin(pin);
	mask_pin(pin2);
}

/* Legacy replacement: IRQ 0 (IOAPIC pin 2) and IRQ 8 (pin 8) belong to
 * timers 0 and 1; the PIT at 1 kHz and the RTC at 1024 Hz, both running,
 * do not reach them. The first interrupt on each is the HPET's, which
 * comes only once its comparator, 20 ms ahead, is reached. */
static void test_legacy(void)
{
	rt_set_irq_handler(VEC_IRQ0, on_irq);
	rt_set_irq_handler(VEC_IRQ8, on_rtc);
	pic_mask(0xffff);
	route_pin(2, VEC_IRQ0, false);
	route_pin(8, VEC_IRQ8, false);
	wr(REG_CONF, LEG_RT);			/* halted: legacy routing not yet */
	/* Routes that point elsewhere do not matter in legacy mode. */
	wr(TN_CONF(0), TN_INT_ENB | pick_pin(0, 0) << 9);
	wr(TN_CONF(1), TN_INT_ENB | pick_pin(1, 0) << 9);
	uint64_t cmp = counter() + 2000000;
	wr64(TN_CMP(0), cmp);
	wr64(TN_CMP(1), cmp);
	wr(REG_CONF, ENABLE | LEG_RT);
	pit_set_rate(1000);
	cmos_write(0x0a, 0x26);			/* 1024 Hz */
	cmos_write(0x0b, cmos_read(0x0b) | 0x40);	/* periodic interrupt on */
	uint32_t b0 = rt_irq_count[VEC_IRQ0], b8 = rt_irq_count[VEC_IRQ8];
	await(VEC_IRQ0, b0, 1, "IRQ 0 in legacy replacement mode");
	await(VEC_IRQ8, b8, 1, "IRQ 8 in legacy replacement mode");
	rt_check(TAG, at_irq[VEC_IRQ0] >= cmp, "legacy-irq0-is-timer0",
		 "IRQ 0 came at counter 0x%x, before timer 0's comparator 0x%x (the PIT's?)",
		 (uint32_t)at_irq[VEC_IRQ0], (uint32_t)cmp);
	rt_check(TAG, at_irq[VEC_IRQ8] >= cmp, "legacy-irq8-is-timer1",
		 "IRQ 8 came at counter 0x%x, before timer 1's comparator 0x%x (the RTC's?)",
		 (uint32_t)at_irq[VEC_IRQ8], (uint32_t)cmp);
	/* Legacy off, the HPET's timers off: IRQ 0 is the PIT's again. */
	wr(TN_CONF(0), 0);
	wr(TN_CONF(1), 0);
	cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
	cmos_read(0x0c);
	wr(REG_CONF, ENABLE);
	b0 = rt_irq_count[VEC_IRQ0];
	await(VEC_IRQ0, b0, 3, "the PIT's IRQ 0 after legacy replacement is off");
	rt_check(TAG, true, "legacy-off-pit-back", "%s", "");
	outb(0x43, 0x30);			/* PIT channel 0: mode 0, no count */
	mask_pin(2);
	mask_pin(8);
}

/* Information, not a check: what a clock read costs a guest through the
 * HPET (an MMIO exit) and through the ACPI PM timer (a port exit), in TSC
 * cycles (docs/vm-config.md compares them). */
static void read_costs(void)
{
	enum { N = 1000 };
	uint32_t sink = 0;
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < N; i++)
		sink += rd(REG_CNT);
	uint64_t t1 = rdtsc();
	for (unsigned i = 0; i < N; i++)
		sink += inl(PM_TIMER_PORT);
	uint64_t t2 = rdtsc();
	printf(TAG ": read cost: HPET counter %u TSC cycles, PM timer %u (mean of %u)%s\n",
	       (uint32_t)(t1 - t0) / N, (uint32_t)(t2 - t1) / N, N, sink == 1 ? " " : "");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	lapic_write(0xf0, 0x1ff);		/* software enable, spurious 0xff */
	lapic_write(0x80, 0);
	pic_init();
	pic_mask(0xffff);
	if (!test_acpi()) {
		printf(TAG ": %d failed\n", rt_failures);
		return rt_failures;
	}
	test_capabilities();
	test_counter();
	unsigned pin = pick_pin(2, 0), pin2 = pick_pin(0, pin);
	printf(TAG ": IOAPIC pins %u and %u\n", pin, pin2);
	rt_check(TAG, pin && pin2, "ioapic-routes", "timer route caps 0x%x", rd(TN_CONF(2) + 4));
	test_oneshot(pin);
	test_periodic(pin2);
	test_32bit(pin);
	test_level(pin);
	test_legacy();
	read_costs();
	wr(REG_CONF, 0);
	printf(TAG ": %d failed\n", rt_failures);
	return rt_failures;
}
