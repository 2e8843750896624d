/*
 * devices/pit.c - the 8254 programmable interval timer (Intel 8254 data
 * sheet: "Control Word Format", "Read-Back Command", "Mode Definitions")
 * and the PC's system control port B at 0x61 (IBM PC/AT technical
 * reference: bit 0 timer 2 gate, bit 1 speaker data, bit 4 refresh toggle,
 * bit 5 timer 2 OUT).
 *
 * Nothing ticks: a channel remembers when its count was loaded, and its
 * value and OUT are computed from time_ns() when read. Only channel 0's
 * interrupt uses a vtimer, set for OUT's next rising edge.
 *
 * Choices:
 * - Counting starts at the write of the count (the chip loads it on the
 *   next CLK, 838 ns later); count 0 is 65536.
 * - BCD (control word bit 0) is stored and reported in the status byte,
 *   but the counter counts in binary.
 * - Mode 2/3 count written while counting takes effect at the end of the
 *   current period (the data sheet: mode 3 at the end of the half-cycle).
 * - Mode 4's strobe interrupts on its rising edge, one clock after the
 *   terminal count.
 * - IRQ 0 rate clamp: never two pulses less than PIT_MIN_IRQ_NS (100 us)
 *   apart. A faster period is coalesced: the next pulse goes to the first
 *   point of the guest's own grid at least 100 us later.
 * - Ticks are held back and none is lost (modes 2 and 3, periods of at
 *   least PIT_CATCHUP_MIN_PERIOD_NS, 200 us): each rising edge of OUT (one
 *   per N clocks, data sheet "Mode 2" and "Mode 3") is owed to the guest,
 *   and IRQ 0 is pulsed for the next owed edge only once the guest has
 *   taken the previous pulse (the PIC's acknowledge of IRQ 0, or the EOI
 *   of IOAPIC pin 2's vector: acknowledge notifiers, devices/irq.h), and
 *   at least PIT_MIN_IRQ_NS after it. So edges that come while the guest
 *   is not running (another VM's slice, a busy host) or still in its
 *   previous tick's handler are not merged into one pending interrupt but
 *   delivered one by one after. The model is KVM's in-kernel PIT with its
 *   "reinject" policy and acknowledge notifier (QEMU's kvm-pit:
 *   lost_tick_policy=delay, the default): a guest that counts its timer
 *   interrupts keeps time, and Linux's boot check of IRQ 0 (check_timer)
 *   sees the ticks its TSC says have passed. At most PIT_CATCHUP_MAX (100)
 *   edges are owed: 0.4 s at Linux's 250 Hz, 5.5 s at the BIOS's 18.2 Hz;
 *   a longer stall loses the rest, and a pulse not taken by then (a route
 *   masked after the edge reached it, a disabled LAPIC) is given up, so
 *   that IRQ 0 goes on. An input of IRQ 0 unmasked (at the PIC or the
 *   IOAPIC) drops what is owed and held, as in KVM: what was sent while
 *   it was masked may never be taken. Reprogramming channel 0, a new count
 *   taking over, and reset drop them too. Faster periods keep the clamp's
 *   coalescing and are never held: pulses 100 us apart could not drain
 *   their backlog. The vtimer fires on time while the monitor pauses a VM
 *   (or gdb stops it): what it owes then waits for its acknowledge.
 * - Reset: no channel is counting (a BIOS would leave channel 0 at 18.2 Hz;
 *   our guests boot without one); channel 2's gate is low.
 */
#include "devices/pit.h"
#include "devices/device.h"
#include "devices/bus.h"
#include "devices/irq.h"
#include "core/run/timer.h"
#include "core/vm/vm.h"

#define NS_PER_S      1000000000ull
#define PORT_CTRL     0x43
#define PORT_B        0x61
#define PORTB_GATE2   0x01
#define PORTB_RW      0x0f        /* gate, speaker, parity/IOCHK enables */
#define PORTB_REFRESH 0x10
#define PORTB_OUT2    0x20
#define REFRESH_NS    15000u      /* the refresh toggle's half period */
#define NEVER         UINT64_MAX

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

struct pit_chan {
	uint8_t mode;          /* 0-5 (6 and 7 act as 2 and 3) */
	uint8_t mode_bits;     /* as programmed, for the status byte */
	uint8_t rw;            /* RW_LSB, RW_MSB or RW_WORD */
	bool bcd;
	uint32_t n;            /* the count in use, 1..65536 */
	bool loaded;           /* a count was written since the control word */
	bool triggered;        /* modes 1, 5: a gate edge started it */
	bool gate;
	bool paused;           /* gate low: ticks frozen in `offset` */
	uint64_t base_ns;      /* when counting (re)started */
	uint64_t offset;       /* ticks counted before base_ns */
	bool pending;          /* a new count waits for `switch_ns` or the gate */
	uint32_t next_n;
	uint64_t switch_ns;
	bool null_count;
	bool write_msb;        /* RW_WORD: the next byte written is the MSB */
	uint8_t write_lsb;
	bool read_msb;         /* RW_WORD: the next byte read is the MSB */
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
};

struct pit_regs {
	struct pit_chan ch[3];
	uint8_t portb;
	bool irq_armed;        /* channel 0 has a rising edge to come */
	uint64_t irq_due_ns;
	bool pulsed;
	uint64_t last_pulse_ns;
	/* Held ticks (modes 2 and 3): edges are counted on the grid that
	 * started at grid_base_ns; next_k is the first one not yet counted,
	 * backlog those counted but not yet pulsed; unacked: the last pulse
	 * has not been taken yet. */
	uint64_t grid_base_ns;
	uint64_t next_k;
	uint32_t backlog;
	bool unacked;
};

struct pit {
	struct vtimer timer;   /* kept across reset (it may be linked) */
	struct irq_ack_notifier ack;
	struct pit_regs r;
};

/* floor(ns * PIT_HZ / 1e9) without overflow. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * PIT_HZ + ns % NS_PER_S * PIT_HZ / NS_PER_S;
}

/* ceil(ticks * 1e9 / PIT_HZ): the first ns at which `ticks` have passed. */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks / PIT_HZ * NS_PER_S +
	       (ticks % PIT_HZ * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

static bool gate_triggered_mode(const struct pit_chan *c)
{
	return c->mode == 1 || c->mode == 5;
}

static bool counting(const struct pit_chan *c)
{
	return c->loaded && (!gate_triggered_mode(c) || c->triggered);
}

/* Clock pulses counted since the count was loaded. */
static uint64_t elapsed(const struct pit_chan *c, uint64_t now)
{
	if (!counting(c))
		return 0;
	if (c->paused)
		return c->offset;
	return c->offset + (now > c->base_ns ? ns_to_ticks(now - c->base_ns) : 0);
}

/* When elapsed() reaches `ticks` (not paused). */
static uint64_t tick_time(const struct pit_chan *c, uint64_t ticks)
{
	return c->base_ns + (ticks > c->offset ? ticks_to_ns(ticks - c->offset) : 0);
}

static void start(struct pit_chan *c, uint32_t n, uint64_t now)
{
	c->n = n;
	c->base_ns = now;
	c->offset = 0;
	c->pending = false;
	c->null_count = false;
}

/* A count waiting for the end of a mode 2/3 period takes over. */
static void sync(struct pit_chan *c, uint64_t now)
{
	if (c->pending && c->switch_ns != NEVER && now >= c->switch_ns)
		start(c, c->next_n, c->switch_ns);
}

static uint16_t value(const struct pit_chan *c, uint64_t now)
{
	if (!counting(c))
		return (uint16_t)c->n;
	uint64_t t = elapsed(c, now);
	uint32_t n = c->n, p = (uint32_t)(t % n);
	switch (c->mode) {
	case 2:
		return (uint16_t)(n - p);
	case 3:
		if (n % 2 == 0)
			return (uint16_t)(n - 2 * (p % (n / 2)));
		/* odd: n-1 down by two for (n+1)/2 clocks, then for (n-1)/2 */
		if (p >= (n + 1) / 2)
			p -= (n + 1) / 2;
		return (uint16_t)(n - 1 - 2 * p);
	default:	/* 0, 1, 4, 5: down from n, wrapping after zero */
		return (uint16_t)(n - (uint32_t)(t & 0xffff));
	}
}

static bool out(const struct pit_chan *c, uint64_t now)
{
	if (!c->loaded)
		return c->mode != 0;	/* a control word sets OUT's initial state */
	uint64_t t = elapsed(c, now);
	uint32_t n = c->n;
	switch (c->mode) {
	case 0:
		return t >= n;
	case 1:
		return !c->triggered || t >= n;
	case 2:
		return !c->gate || t % n != n - 1;
	case 3:
		return !c->gate || t % n < (n + 1) / 2;
	case 4:
		return t != n;
	default:	/* 5 */
		return !c->triggered || t != n;
	}
}

/* Channel 0's next rising edge of OUT at or after `earliest`, or NEVER. */
static uint64_t next_edge(const struct pit_chan *c, uint64_t now, uint64_t earliest)
{
	if (!counting(c) || c->paused)
		return NEVER;
	uint64_t t = elapsed(c, now), n = c->n, e;
	switch (c->mode) {
	case 0:
		return t < n ? tick_time(c, n) : NEVER;
	case 4:
		return t < n + 1 ? tick_time(c, n + 1) : NEVER;
	case 2:
	case 3: {
		/* On the grid base + k*n, strictly after now, not before earliest. */
		uint64_t k = t / n + 1, ke = elapsed(c, earliest) / n;
		if (ke > k)
			k = ke;
		/* A pending count switches at a grid point: sync() then
		 * starts the new grid there. */
		e = tick_time(c, k * n);
		if (e < earliest)
			e = tick_time(c, (k + 1) * n);
		return e;
	}
	default:	/* 1, 5: gate 0 is tied high, no trigger ever comes */
		return NEVER;
	}
}

/* A periodic channel 0 whose missed edges are caught up: one slow enough
 * that pulses PIT_MIN_IRQ_NS apart drain a backlog (faster ones are
 * coalesced by the clamp, and their dropped edges stay dropped). */
static bool catches_up(const struct pit_chan *c)
{
	return counting(c) && !c->paused && (c->mode == 2 || c->mode == 3) &&
	       ticks_to_ns(c->n) >= PIT_CATCHUP_MIN_PERIOD_NS;
}

/* Channel 0's next interrupt is at e (a grid point, or NEVER). */
static void set_due(struct pit *s, uint64_t e)
{
	const struct pit_chan *c = &s->r.ch[0];
	s->r.irq_armed = e != NEVER;
	s->r.irq_due_ns = e;
	s->r.grid_base_ns = c->base_ns;
	s->r.next_k = e != NEVER && c->n ? elapsed(c, e) / c->n : 0;
	if (s->r.irq_armed)
		vtimer_arm(&s->timer, e);	/* pit_fire() applies the clamp */
	else
		vtimer_cancel(&s->timer);
}

/* The guest (re)programmed channel 0: a backlog is dropped. */
static void arm_irq(struct pit *s, uint64_t now)
{
	s->r.backlog = 0;
	s->r.unacked = false;
	set_due(s, next_edge(&s->r.ch[0], now, now));
}

/* Counts the edges of the grid up to now as owed (at most the next and
 * PIT_CATCHUP_MAX more: a pulse not taken by then is given up). */
static void count_edges(struct pit *s, uint64_t now)
{
	const struct pit_chan *c = &s->r.ch[0];
	uint64_t k_now = elapsed(c, now) / c->n;
	if (k_now < s->r.next_k)
		return;
	uint64_t owed = s->r.backlog + (k_now - s->r.next_k + 1);
	s->r.next_k = k_now + 1;
	if (owed >= 1 + PIT_CATCHUP_MAX) {
		owed = 1 + PIT_CATCHUP_MAX;
		s->r.unacked = false;
	}
	s->r.backlog = (uint32_t)owed;
}

/* Arms the timer for the next grid edge, or sooner for an owed edge that
 * may go (taken the last, and the clamp's distance after it). */
static void arm_next(struct pit *s, uint64_t now)
{
	const struct pit_chan *c = &s->r.ch[0];
	uint64_t e = tick_time(c, s->r.next_k * c->n);
	if (s->r.backlog && !s->r.unacked) {
		uint64_t release = s->r.pulsed ? s->r.last_pulse_ns + PIT_MIN_IRQ_NS : now;
		if (release < e)
			e = release < now ? now : release;
	}
	s->r.irq_armed = true;
	s->r.irq_due_ns = e;
	vtimer_arm(&s->timer, e);
}

static bool clamped(const struct pit *s, uint64_t now)
{
	return s->r.pulsed && now < s->r.last_pulse_ns + PIT_MIN_IRQ_NS;
}

static void pit_fire(struct vtimer *t)
{
	struct device *d = t->data;
	struct pit *s = d->state;
	struct pit_chan *c = &s->r.ch[0];
	bool pulse = false;
	uint64_t f = device_lock(d);
	uint64_t now = time_ns();
	sync(c, now);
	if (!s->r.irq_armed) {
		/* reprogrammed or reset meanwhile */
	} else if (now < s->r.irq_due_ns) {
		vtimer_arm(t, s->r.irq_due_ns);
	} else if (catches_up(c) && c->base_ns == s->r.grid_base_ns) {
		count_edges(s, now);
		if (s->r.backlog && !s->r.unacked && !clamped(s, now)) {
			pulse = true;
			s->r.backlog--;
			s->r.unacked = true;
			s->r.pulsed = true;
			s->r.last_pulse_ns = now;
		}
		arm_next(s, now);
	} else if (clamped(s, now)) {
		vtimer_arm(t, s->r.last_pulse_ns + PIT_MIN_IRQ_NS);	/* coalesce */
	} else {
		/* Not held (too fast, or not periodic), or a new count took
		 * over at a grid point: nothing owed; the next edge at least
		 * the clamp away. */
		pulse = true;
		s->r.pulsed = true;
		s->r.last_pulse_ns = now;
		s->r.backlog = 0;
		s->r.unacked = false;
		set_due(s, next_edge(c, now, now + PIT_MIN_IRQ_NS));
	}
	device_unlock(d, f);
	if (pulse)
		vm_irq_pulse(d->vm, d->decl->irq);
}

/* The guest took an IRQ 0 pulse (or unmasked an input of IRQ 0): the next
 * owed edge may go (devices/irq.h). */
static void pit_acked(struct irq_ack_notifier *n, uint32_t acked, uint32_t unmasked)
{
	struct device *d = n->data;
	struct pit *s = d->state;
	uint32_t bit = 1u << isa_irq_to_gsi(d->decl->irq);
	if (!((acked | unmasked) & bit))
		return;
	uint64_t f = device_lock(d);
	uint64_t now = time_ns();
	if (unmasked & bit)
		s->r.backlog = 0;
	if (s->r.unacked) {
		s->r.unacked = false;
		if (s->r.irq_armed && s->r.backlog && catches_up(&s->r.ch[0]))
			arm_next(s, now);
	}
	device_unlock(d, f);
}

/* A new count (0 is 65536) from the guest. */
static void load(struct pit_chan *c, uint16_t count, uint64_t now)
{
	uint32_t n = count ? count : 65536;
	c->null_count = true;
	if ((c->mode == 2 || c->mode == 3) && c->loaded) {
		/* The current period runs out first. */
		c->pending = true;
		c->next_n = n;
		c->switch_ns = NEVER;	/* gate low: at the gate's rising edge */
		if (!c->paused)
			c->switch_ns = tick_time(c, (elapsed(c, now) / c->n + 1) * c->n);
		return;
	}
	if (gate_triggered_mode(c) && c->triggered) {
		c->pending = true;	/* used by the next trigger */
		c->next_n = n;
		c->switch_ns = NEVER;
		return;
	}
	c->loaded = true;
	c->triggered = false;
	start(c, n, now);
	if (gate_triggered_mode(c)) {
		c->null_count = true;	/* until the trigger loads it */
		c->paused = false;
	} else {
		c->paused = !c->gate;
		c->offset = 0;
	}
}

static void set_gate(struct pit_chan *c, bool gate, uint64_t now)
{
	sync(c, now);
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (gate_triggered_mode(c)) {
		if (gate) {	/* trigger: (re)load and count */
			c->triggered = true;
			start(c, c->pending ? c->next_n : c->n, now);
		}
		return;
	}
	if (!gate) {
		c->offset = elapsed(c, now);
		c->paused = true;
		return;
	}
	c->paused = false;
	c->base_ns = now;
	if (c->mode == 2 || c->mode == 3)	/* the gate's rising edge reloads */
		start(c, c->pending ? c->next_n : c->n, now);
}

static void latch_count(struct pit_chan *c, uint64_t now)
{
	if (c->count_latched)
		return;	/* a second latch before the read is ignored */
	c->count_latched = true;
	c->latch = value(c, now);
}

static void latch_status(struct pit_chan *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status_latched = true;
	c->status = (uint8_t)((out(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			      c->rw << 4 | c->mode_bits << 1 | (c->bcd ? 1 : 0));
}

static void control_word(struct pit *s, uint8_t val, uint64_t now)
{
	unsigned sc = val >> 6, rw = (val >> 4) & 3;
	if (sc == 3) {	/* read-back: bit 5 clear latches counts, bit 4 status */
		for (unsigned i = 0; i < 3; i++) {
			struct pit_chan *c = &s->r.ch[i];
			if (!(val & (2u << i)))
				continue;
			sync(c, now);
			if (!(val & 0x10))
				latch_status(c, now);
			if (!(val & 0x20))
				latch_count(c, now);
		}
		return;
	}
	struct pit_chan *c = &s->r.ch[sc];
	sync(c, now);
	if (rw == RW_LATCH) {
		latch_count(c, now);
		return;
	}
	c->rw = (uint8_t)rw;
	c->mode_bits = (val >> 1) & 7;
	c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
	c->bcd = val & 1;
	c->loaded = false;
	c->triggered = false;
	c->paused = false;
	c->pending = false;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	c->status_latched = false;
	if (sc == 0)
		arm_irq(s, now);
}

static void write_count(struct pit *s, unsigned i, uint8_t val, uint64_t now)
{
	struct pit_chan *c = &s->r.ch[i];
	sync(c, now);
	switch (c->rw) {
	case RW_LSB:
		load(c, val, now);
		break;
	case RW_MSB:
		load(c, (uint16_t)(val << 8), now);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = val;
			c->write_msb = true;
			if (c->mode == 0)
				c->loaded = false;	/* counting stops, OUT low */
			break;
		}
		c->write_msb = false;
		load(c, (uint16_t)(c->write_lsb | val << 8), now);
		break;
	}
	if (i == 0)
		arm_irq(s, now);
}

static uint8_t read_count(struct pit_chan *c, uint64_t now)
{
	sync(c, now);
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	uint16_t v = c->count_latched ? c->latch : value(c, now);
	bool msb = c->rw == RW_MSB || (c->rw == RW_WORD && c->read_msb);
	if (c->rw == RW_WORD)
		c->read_msb = !c->read_msb;
	if (c->rw != RW_WORD || !c->read_msb)
		c->count_latched = false;	/* all of it was read */
	return (uint8_t)(msb ? v >> 8 : v);
}

static uint8_t read_byte(struct pit *s, uint16_t port, uint64_t now)
{
	if (port >= 0x40 && port <= 0x42)
		return read_count(&s->r.ch[port - 0x40], now);
	if (port == PORT_B) {
		struct pit_chan *c2 = &s->r.ch[2];
		sync(c2, now);
		return (uint8_t)((s->r.portb & PORTB_RW) |
				 ((now / REFRESH_NS) & 1 ? PORTB_REFRESH : 0) |
				 (out(c2, now) ? PORTB_OUT2 : 0));
	}
	return 0xff;	/* 0x43 is write-only */
}

static void write_byte(struct pit *s, uint16_t port, uint8_t val, uint64_t now)
{
	if (port >= 0x40 && port <= 0x42)
		write_count(s, port - 0x40, val, now);
	else if (port == PORT_CTRL)
		control_word(s, val, now);
	else if (port == PORT_B) {
		s->r.portb = val & PORTB_RW;
		set_gate(&s->r.ch[2], val & PORTB_GATE2, now);
	}
}

static bool owns(uint16_t port)
{
	return (port >= 0x40 && port <= PORT_CTRL) || port == PORT_B;
}

static uint32_t pit_pio_read(struct device *d, uint16_t port, unsigned size)
{
	uint64_t now = time_ns();
	uint32_t val = 0;
	for (unsigned i = 0; i < size && i < 4; i++) {
		uint16_t at = (uint16_t)(port + i);
		val |= (uint32_t)(owns(at) ? read_byte(d->state, at, now) : 0xff) << (8 * i);
	}
	return val;
}

static void pit_pio_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	uint64_t now = time_ns();
	for (unsigned i = 0; i < size && i < 4; i++) {
		uint16_t at = (uint16_t)(port + i);
		if (owns(at))
			write_byte(d->state, at, (uint8_t)(val >> (8 * i)), now);
	}
}

static void pit_init(struct device *d)
{
	struct pit *s = d->state;
	s->timer.fire = pit_fire;
	s->timer.data = d;
	s->timer.fire_count = &d->vm->timer_fires;
	s->ack.notify = pit_acked;
	s->ack.data = d;
	vm_irq_ack_notifier_add(d->vm, &s->ack);
}

static void pit_stop(struct device *d)
{
	struct pit *s = d->state;
	vtimer_freeze(&s->timer);
}

static void pit_reset(struct device *d)
{
	struct pit *s = d->state;
	vtimer_cancel(&s->timer);
	s->r = (struct pit_regs){ 0 };
	for (unsigned i = 0; i < 3; i++) {
		struct pit_chan *c = &s->r.ch[i];
		c->rw = RW_WORD;
		c->n = 65536;
		c->gate = i != 2;	/* gates 0 and 1 are tied high */
	}
}

const struct device_model pit_model = {
	.name = "pit8254",
	.state_size = sizeof(struct pit),
	.init = pit_init,
	.stop = pit_stop,
	.reset = pit_reset,
	.pio_read = pit_pio_read,
	.pio_write = pit_pio_write,
};
