/*
 * devices/hpet.c - the HPET (IA-PC HPET specification 1.0a; section numbers
 * below are that document's): the registers of 2.3, the timers' modes of
 * 2.3.9, and the interrupt routing of 2.3.9.2.4 (legacy replacement).
 *
 * Nothing ticks: the main counter is computed from time_ns() when read
 * (counter = offset + (now - base_ns) / 10 while ENABLE_CNF is set, frozen
 * at offset while clear). Each timer remembers the counter value of its
 * next comparator match (`due`, absolute, not wrapped) and a vtimer is set
 * for it while its interrupt is enabled.
 *
 * Choices (where the spec leaves room; QEMU's model agrees on each):
 * - A match happens when the counter reaches the comparator. A comparator
 *   written at or behind the counter matches after the counter wraps: 2^32
 *   ticks later in 32-bit mode, never in 64-bit mode.
 * - A write to a periodic timer's comparator sets the period (the value
 *   added at each match); with Tn_VAL_SET_CNF it also sets the comparator,
 *   and Tn_VAL_SET_CNF clears. In 32-bit mode the comparator and period
 *   keep 32 bits.
 * - Tn_INT_STS (GINTR_STA) is set by a level-triggered timer's interrupt
 *   and cleared by writing 1; the line stays high while it is set. Edge
 *   timers pulse their line and leave it clear.
 * - Legacy replacement routes timer 0 to IRQ 0 (IOAPIC pin 2) and timer 1
 *   to IRQ 8 while ENABLE_CNF and LEG_RT_CNF are both set (2.3.5); the PIT
 *   and RTC are then cut off their lines (core/run/irq.c).
 * - A route outside Tn_INT_ROUTE_CAP is not taken (the field keeps its old
 *   value); FSB delivery is not offered (Tn_FSB_INT_DEL_CAP 0).
 * - The main counter's own 64-bit wrap (5845 years at 100 MHz, sooner only
 *   if the guest writes it near 2^64) is not modelled: a match that lies
 *   beyond it never comes.
 * - Rate clamp: one timer's interrupts never come less than
 *   HPET_MIN_IRQ_NS apart; the comparator advances as the hardware's would.
 * - Ticks are held back and none is lost (edge-triggered periodic timers
 *   of at least HPET_CATCHUP_MIN_PERIOD_NS, 200 us): each match
 *   (2.3.9.2.2: each adds the period to the comparator) owes the guest an
 *   interrupt, and the next owed one is sent only once the guest has
 *   taken the previous (the PIC's acknowledge of IRQ 0 or 8 in legacy
 *   replacement, the EOI of the IOAPIC pin's vector: acknowledge
 *   notifiers, devices/irq.h), and at least HPET_MIN_IRQ_NS after it. So
 *   matches while the guest is not running (another VM's slice, a busy
 *   host) or still in its previous tick's handler are not merged into one
 *   pending interrupt but delivered one by one after. The model is KVM's
 *   PIT "reinject" policy with its acknowledge notifier (QEMU's kvm-pit:
 *   lost_tick_policy=delay, the default); here it matters most for timer
 *   0 in legacy replacement, Linux's IRQ 0 tick, whose boot check
 *   (check_timer) counts the ticks in a span of TSC time. At most
 *   HPET_CATCHUP_MAX (100) periods are owed beyond the one in flight (0.4
 *   s of a 250 Hz tick); a longer stall loses the rest, and an interrupt
 *   not taken by then is given up, so that the timer goes on. The timer's
 *   input unmasked (PIC or IOAPIC) drops what is owed and held, as in KVM;
 *   so do reprogramming the timer (Tn_CONF, its comparator, GEN_CONF, the
 *   main counter) and reset. Faster periods stay coalesced and are never
 *   held (pulses 100 us apart could not drain a backlog); level-triggered
 *   timers are not held (their status bit is their acknowledge); a
 *   one-shot timer owes at most its one match.
 */
#include "devices/hpet.h"
#include "devices/device.h"
#include "devices/bus.h"
#include "devices/irq.h"
#include "core/run/timer.h"
#include "core/vm/vm.h"

#define NEVER     UINT64_MAX
#define NO_LINE   0xffu
#define FAR_TICKS (1ull << 62)    /* ~1461 years: never */
#define TN_WRITABLE (HPET_TN_INT_TYPE_LEVEL | HPET_TN_INT_ENB | HPET_TN_PERIODIC | \
		     HPET_TN_VAL_SET | HPET_TN_32MODE)

struct hpet_timer {
	uint32_t conf;          /* the writable bits of Tn_CONF_CAP, and the route */
	uint64_t cmp, period;
	uint64_t due;           /* counter value of the next match, or NEVER */
	uint32_t owed;          /* matches passed, their interrupt not yet sent */
	bool unacked;           /* held: its last interrupt not yet taken */
	bool irq_sent;
	uint64_t last_irq_ns;
};

struct hpet_regs {
	uint32_t gen_conf;
	uint32_t isr;           /* GINTR_STA */
	uint64_t offset;        /* the counter at base_ns */
	uint64_t base_ns;
	uint32_t lines_high;    /* lines this HPET holds high, by IRQ number */
	bool legacy;            /* the PIT and RTC are cut off */
	struct hpet_timer t[HPET_TIMERS];
};

struct hpet {
	struct vtimer vt[HPET_TIMERS];  /* kept across reset (they may be linked) */
	struct irq_ack_notifier ack;
	struct hpet_regs r;
};

static bool enabled(const struct hpet *s) { return s->r.gen_conf & HPET_ENABLE_CNF; }

static bool legacy_routed(const struct hpet *s)
{
	return (s->r.gen_conf & (HPET_ENABLE_CNF | HPET_LEG_RT_CNF)) ==
	       (HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
}

static uint64_t counter(const struct hpet *s, uint64_t now)
{
	if (!enabled(s) || now <= s->r.base_ns)
		return s->r.offset;
	return s->r.offset + (now - s->r.base_ns) / HPET_NS_PER_TICK;
}

/* When the counter reaches `value` (>= the counter now), or NEVER. */
static uint64_t tick_ns(const struct hpet *s, uint64_t value)
{
	uint64_t ticks = value - s->r.offset;
	if (value == NEVER || ticks > (NEVER - s->r.base_ns) / HPET_NS_PER_TICK)
		return NEVER;
	return s->r.base_ns + ticks * HPET_NS_PER_TICK;
}

static uint64_t width_mask(const struct hpet_timer *t)
{
	return t->conf & HPET_TN_32MODE ? 0xffffffffull : ~0ull;
}

static bool periodic(const struct hpet_timer *t)
{
	return (t->conf & HPET_TN_PERIODIC) && t->period;
}

/* Interrupts owed at most: a periodic timer slow enough that pulses
 * HPET_MIN_IRQ_NS apart drain a backlog catches up HPET_CATCHUP_MAX missed
 * periods; any other keeps one (the clamp coalesces the rest). */
static uint32_t max_owed(const struct hpet_timer *t)
{
	uint64_t min_ticks = HPET_CATCHUP_MIN_PERIOD_NS / HPET_NS_PER_TICK;
	if (periodic(t) && (t->period & width_mask(t)) >= min_ticks)
		return 1 + HPET_CATCHUP_MAX;
	return 1;
}

/* The next match from the comparator, with the counter at c (the timer
 * was reprogrammed: interrupts still owed are dropped). */
static void recompute(struct hpet *s, struct hpet_timer *t, uint64_t c)
{
	uint64_t m = width_mask(t), delta = (t->cmp - c) & m;
	t->owed = 0;
	t->unacked = false;
	if (!enabled(s)) {
		t->due = NEVER;
		return;
	}
	if (delta == 0)	/* reached already: the next time is after the wrap */
		delta = m == ~0ull ? NEVER : m + 1;
	t->due = delta >= FAR_TICKS || c + delta < c ? NEVER : c + delta;
}

/* Matches up to counter c happened: a periodic comparator advances past c
 * (2.3.9.2.2); a one-shot one next matches after the counter wraps. Each
 * match with the interrupt enabled owes one (up to max_owed()). */
static void sync(struct hpet_timer *t, uint64_t c)
{
	if (t->due == NEVER || c < t->due)
		return;
	uint64_t step = periodic(t) ? t->period & width_mask(t) : 0;
	if (!step && (t->conf & HPET_TN_32MODE))
		step = 1ull << 32;
	if (!step) {
		if (t->conf & HPET_TN_INT_ENB)
			t->owed = 1;
		t->due = NEVER;
		return;
	}
	uint64_t k = (c - t->due) / step + 1;
	if (t->conf & HPET_TN_INT_ENB) {
		uint64_t owed = t->owed + k, most = max_owed(t);
		if (owed >= most && t->unacked)
			t->unacked = false;	/* not taken in all that time: given up */
		t->owed = (uint32_t)(owed < most ? owed : most);
	}
	if (periodic(t))
		t->cmp = (t->cmp + k * step) & width_mask(t);
	t->due = t->due + k * step < t->due ? NEVER : t->due + k * step;
}

static void sync_all(struct hpet *s, uint64_t c)
{
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		sync(&s->r.t[n], c);
}

/* A timer whose next interrupt waits for the guest's acknowledge of its
 * last: edge-triggered, periodic and caught up. */
static bool holds(const struct hpet_timer *t)
{
	return !(t->conf & HPET_TN_INT_TYPE_LEVEL) && max_owed(t) > 1;
}

/* The line timer n drives: an ISA IRQ (legacy), an IOAPIC pin, or none. */
static unsigned line_of(const struct hpet *s, unsigned n)
{
	if (legacy_routed(s) && n < 2)
		return n == 0 ? 0 : 8;
	unsigned route = (s->r.t[n].conf & HPET_TN_ROUTE_MASK) >> HPET_TN_ROUTE_SHIFT;
	return HPET_ROUTE_CAP >> route & 1 ? route : NO_LINE;
}

static void set_line(struct device *d, unsigned line, bool high)
{
	if (line < 16)
		vm_irq_set_replacing(d->vm, line, high);
	else
		vm_irq_set(d->vm, line, high);
}

/* Level-triggered timers hold their line high while Tn_INT_STS is set. */
static void update_lines(struct device *d)
{
	struct hpet *s = d->state;
	uint32_t want = 0;
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &s->r.t[n];
		unsigned line = line_of(s, n);
		if (enabled(s) && line != NO_LINE && (s->r.isr >> n & 1) &&
		    (t->conf & (HPET_TN_INT_TYPE_LEVEL | HPET_TN_INT_ENB)) ==
		    (HPET_TN_INT_TYPE_LEVEL | HPET_TN_INT_ENB))
			want |= 1u << line;
	}
	uint32_t change = want ^ s->r.lines_high;
	s->r.lines_high = want;
	for (unsigned line = 0; change; line++, change >>= 1)
		if (change & 1)
			set_line(d, line, want >> line & 1);
}

/* Cuts the PIT and RTC off IRQ 0 and 8 while legacy routing is on. */
static void update_legacy(struct device *d)
{
	struct hpet *s = d->state;
	bool on = legacy_routed(s);
	if (on == s->r.legacy)
		return;
	s->r.legacy = on;
	if (on) {
		vm_irq_legacy_replace(d->vm, true);
		update_lines(d);
	} else {
		update_lines(d);	/* drops this HPET's hold of 0 and 8 */
		vm_irq_legacy_replace(d->vm, false);
	}
}

/* The vtimer for the next interrupt: at once if one is owed (but the
 * clamp's distance after the last), else at the next match. */
static void arm(struct hpet *s, unsigned n)
{
	struct hpet_timer *t = &s->r.t[n];
	uint64_t at = NEVER;
	if (enabled(s) && (t->conf & HPET_TN_INT_ENB))
		at = t->owed && !t->unacked ? 0 : tick_ns(s, t->due);
	if (at == NEVER) {
		vtimer_cancel(&s->vt[n]);
		return;
	}
	if (t->irq_sent && at < t->last_irq_ns + HPET_MIN_IRQ_NS)
		at = t->last_irq_ns + HPET_MIN_IRQ_NS;
	vtimer_arm(&s->vt[n], at);
}

static void rearm_all(struct hpet *s, uint64_t c)
{
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		recompute(s, &s->r.t[n], c);
		arm(s, n);
	}
}

static void hpet_fire(struct vtimer *vt)
{
	struct device *d = vt->data;
	struct hpet *s = d->state;
	unsigned n = (unsigned)(vt - s->vt);
	struct hpet_timer *t = &s->r.t[n];
	uint64_t f = device_lock(d);
	uint64_t now = time_ns(), c = counter(s, now);
	if (enabled(s) && (t->conf & HPET_TN_INT_ENB))
		sync(t, c);
	if (!enabled(s) || !(t->conf & HPET_TN_INT_ENB)) {
		/* reprogrammed meanwhile */
	} else if (!t->owed || t->unacked ||
		   (t->irq_sent && now < t->last_irq_ns + HPET_MIN_IRQ_NS)) {
		arm(s, n);
	} else {
		t->owed--;
		t->irq_sent = true;
		t->last_irq_ns = now;
		unsigned line = line_of(s, n);
		t->unacked = holds(t) && line != NO_LINE;
		if (t->conf & HPET_TN_INT_TYPE_LEVEL) {
			s->r.isr |= 1u << n;
			update_lines(d);
		} else if (line != NO_LINE) {
			set_line(d, line, true);
			set_line(d, line, false);
		}
		arm(s, n);
	}
	device_unlock(d, f);
}

/* The GSI of a line_of() (ISA IRQ 0 is GSI 2), or NO_LINE. */
static unsigned gsi_of(unsigned line)
{
	return line < 16 ? isa_irq_to_gsi(line) : line;
}

/* The guest took an interrupt on these GSIs, or unmasked them: a held
 * timer there may send its next (devices/irq.h). */
static void hpet_acked(struct irq_ack_notifier *a, uint32_t acked, uint32_t unmasked)
{
	struct device *d = a->data;
	struct hpet *s = d->state;
	uint64_t f = device_lock(d);
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		struct hpet_timer *t = &s->r.t[n];
		unsigned gsi = gsi_of(line_of(s, n));
		if (gsi >= 32 || !((acked | unmasked) >> gsi & 1))
			continue;
		if (unmasked >> gsi & 1)
			t->owed = 0;
		if (t->unacked) {
			t->unacked = false;
			arm(s, n);
		}
	}
	device_unlock(d, f);
}

static uint64_t read64(struct hpet *s, unsigned reg, uint64_t now)
{
	uint64_t c = counter(s, now);
	if (reg == HPET_GCAP_ID)
		return (uint64_t)HPET_PERIOD_FS << 32 | HPET_GCAP_LOW;
	if (reg == HPET_GEN_CONF)
		return s->r.gen_conf;
	if (reg == HPET_GINTR_STA)
		return s->r.isr;
	if (reg == HPET_MAIN_CNT)
		return c;
	if (reg < HPET_TN_CONF(0) || reg >= HPET_TN_CONF(HPET_TIMERS))
		return 0;
	struct hpet_timer *t = &s->r.t[(reg - HPET_TN_CONF(0)) / 0x20];
	switch ((reg - HPET_TN_CONF(0)) % 0x20) {
	case 0:
		return (uint64_t)HPET_ROUTE_CAP << 32 | t->conf |
		       HPET_TN_PER_INT_CAP | HPET_TN_SIZE_CAP;
	case 8:
		sync(t, c);
		return t->cmp;
	default:	/* Tn_FSB_INT_ROUTE: no FSB delivery */
		return 0;
	}
}

static void write_gen_conf(struct device *d, uint32_t val, uint64_t now)
{
	struct hpet *s = d->state;
	uint64_t c = counter(s, now);
	sync_all(s, c);
	bool was = enabled(s);
	s->r.gen_conf = val & (HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	if (was && !enabled(s))
		s->r.offset = c;	/* the counter halts */
	else if (!was && enabled(s))
		s->r.base_ns = now;
	rearm_all(s, c);
	update_legacy(d);
	update_lines(d);
}

static void write_timer_conf(struct hpet *s, struct hpet_timer *t, uint32_t val, uint64_t c)
{
	sync(t, c);
	uint32_t route = val & HPET_TN_ROUTE_MASK;
	if (!(HPET_ROUTE_CAP >> (route >> HPET_TN_ROUTE_SHIFT) & 1))
		route = t->conf & HPET_TN_ROUTE_MASK;	/* not a route offered */
	t->conf = (val & TN_WRITABLE) | route;
	if (t->conf & HPET_TN_32MODE) {
		t->cmp &= 0xffffffffull;
		t->period &= 0xffffffffull;
	}
	recompute(s, t, c);
}

static void write_cmp(struct hpet *s, struct hpet_timer *t, uint64_t val, uint64_t mask,
		      uint64_t c)
{
	sync(t, c);
	mask &= width_mask(t);
	if (!(t->conf & HPET_TN_PERIODIC) || (t->conf & HPET_TN_VAL_SET))
		t->cmp = (t->cmp & ~mask) | (val & mask);
	if (t->conf & HPET_TN_PERIODIC)
		t->period = (t->period & ~mask) | (val & mask);
	t->conf &= ~HPET_TN_VAL_SET;
	recompute(s, t, c);
}

/* A write of the bits in `mask` of the 64-bit register at reg. */
static void write64(struct device *d, unsigned reg, uint64_t val, uint64_t mask, uint64_t now)
{
	struct hpet *s = d->state;
	uint64_t c = counter(s, now);
	if (reg == HPET_GEN_CONF) {
		write_gen_conf(d, (uint32_t)((s->r.gen_conf & ~mask) | (val & mask)), now);
	} else if (reg == HPET_GINTR_STA) {
		s->r.isr &= ~(uint32_t)(val & mask);	/* write 1 to clear */
		update_lines(d);
	} else if (reg == HPET_MAIN_CNT) {
		sync_all(s, c);
		s->r.offset = (c & ~mask) | (val & mask);
		s->r.base_ns = now;
		rearm_all(s, s->r.offset);
	} else if (reg >= HPET_TN_CONF(0) && reg < HPET_TN_CONF(HPET_TIMERS)) {
		unsigned n = (reg - HPET_TN_CONF(0)) / 0x20;
		struct hpet_timer *t = &s->r.t[n];
		unsigned field = (reg - HPET_TN_CONF(0)) % 0x20;
		if (field == 0)
			write_timer_conf(s, t, (uint32_t)((t->conf & ~mask) | (val & mask)), c);
		else if (field == 8)
			write_cmp(s, t, val, mask, c);
		else
			return;	/* Tn_FSB_INT_ROUTE */
		arm(s, n);
		update_lines(d);
	}
}

static uint64_t lane_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Any size at any offset: byte lanes of the 64-bit registers (an access
 * that crosses one is split in two). */
static uint64_t hpet_mmio_read(struct device *d, uint64_t gpa, unsigned size)
{
	uint64_t now = time_ns(), val = 0;
	unsigned reg = (unsigned)(gpa - d->decl->mmio_base) & 0xfff;
	for (unsigned done = 0; done < size && done < 8;) {
		unsigned at = reg + done, lane = at & 7;
		unsigned n = size - done < 8 - lane ? size - done : 8 - lane;
		uint64_t part = read64(d->state, at & ~7u, now) >> (8 * lane);
		val |= (part & lane_mask(n)) << (8 * done);
		done += n;
	}
	return val;
}

static void hpet_mmio_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	uint64_t now = time_ns();
	unsigned reg = (unsigned)(gpa - d->decl->mmio_base) & 0xfff;
	for (unsigned done = 0; done < size && done < 8;) {
		unsigned at = reg + done, lane = at & 7;
		unsigned n = size - done < 8 - lane ? size - done : 8 - lane;
		uint64_t part = (val >> (8 * done)) & lane_mask(n);
		write64(d, at & ~7u, part << (8 * lane), lane_mask(n) << (8 * lane), now);
		done += n;
	}
}

static void hpet_init(struct device *d)
{
	struct hpet *s = d->state;
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		s->vt[n].fire = hpet_fire;
		s->vt[n].data = d;
		s->vt[n].fire_count = &d->vm->timer_fires;
	}
	s->ack.notify = hpet_acked;
	s->ack.data = d;
	vm_irq_ack_notifier_add(d->vm, &s->ack);
}

/* The VM has stopped: its timers never fire again (devices/device.h). */
static void hpet_stop(struct device *d)
{
	struct hpet *s = d->state;
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		vtimer_freeze(&s->vt[n]);
}

/* 2.3: everything 0 (counter halted, timers off, routes 0). */
static void hpet_reset(struct device *d)
{
	struct hpet *s = d->state;
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		vtimer_cancel(&s->vt[n]);
	s->r.gen_conf = 0;
	update_legacy(d);
	update_lines(d);
	s->r = (struct hpet_regs){ 0 };
}

const struct device_model hpet_model = {
	.name = "hpet",
	.state_size = sizeof(struct hpet),
	.init = hpet_init,
	.stop = hpet_stop,
	.reset = hpet_reset,
	.mmio_read = hpet_mmio_read,
	.mmio_write = hpet_mmio_write,
};
