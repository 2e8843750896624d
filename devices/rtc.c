/*
 * devices/rtc.c - the PC's real-time clock and CMOS memory: a Motorola
 * MC146818A (data sheet sections "Address Map", "Time, Calendar and Alarm
 * Locations", "Registers A-D", "Interrupts") behind port 0x70 (index, bits
 * 6:0; bit 7 is the PC's NMI mask latch) and 0x71 (data), on IRQ 8.
 *
 * The clock is the host's wall clock (wallclock_boot_seconds() + time_ns())
 * plus whatever the guest set: base_secs is the clock's reading at base_ns,
 * a second boundary. Time registers are encoded on each read, in BCD or
 * binary (B bit 2) and 12/24-hour (B bit 1, PM in hour bit 7); century at
 * 0x32 follows the same encoding. While SET (B bit 7) is 1 updates stop and
 * the time registers are plain memory; clearing SET starts the clock from
 * them, the next update one second later. A write to a time register with
 * SET clear takes effect at once. The day of week is always derived from the
 * date; DSE (daylight saving) is stored but has no effect; the divider bits
 * of A are stored but the time base is always 32.768 kHz.
 *
 * Flags in C (PF, AF, UF) are set whether or not enabled in B; IRQF = (PF &
 * PIE) | (AF & AIE) | (UF & UIE), and IRQ 8 follows IRQF until C is read.
 * The update timer runs once per second (UF, alarm); the periodic timer runs
 * only while PIE is set and PF is clear, so a guest that never reads C costs
 * nothing, and never faster than 8192 Hz. PF without PIE is computed when
 * read.
 */
#include <stdbool.h>
#include "devices/device.h"
#include "devices/rtc.h"
#include "devices/irq.h"
#include "devices/bus.h"
#include "core/run/timer.h"
#include "lib/civil_time.h"
#include "core/vm/vm.h"
#include "guest/layout.h"

#define PORT_INDEX   0x70
#define NMI_MASK     0x80

enum {
	REG_SEC = 0x00, REG_ALM_SEC = 0x01, REG_MIN = 0x02, REG_ALM_MIN = 0x03,
	REG_HOUR = 0x04, REG_ALM_HOUR = 0x05, REG_DOW = 0x06, REG_DAY = 0x07,
	REG_MONTH = 0x08, REG_YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b,
	REG_C = 0x0c, REG_D = 0x0d, REG_DIAG = 0x0e, REG_SHUTDOWN = 0x0f,
	REG_BASE_LO = 0x15, REG_BASE_HI = 0x16, REG_EXT_LO = 0x17, REG_EXT_HI = 0x18,
	REG_CSUM_HI = 0x2e, REG_CSUM_LO = 0x2f, REG_EXT2_LO = 0x30, REG_EXT2_HI = 0x31,
	REG_CENTURY = 0x32, REG_HIGH_LO = 0x34, REG_HIGH_HI = 0x35,
	REG_ABOVE4G_0 = 0x5b, REG_ABOVE4G_1 = 0x5c, REG_ABOVE4G_2 = 0x5d,
	CMOS_SIZE = 128,
};

#define A_UIP     0x80
#define A_RATE    0x0f
#define B_SET     0x80
#define B_PIE     0x40
#define B_AIE     0x20
#define B_UIE     0x10
#define B_SQWE    0x08
#define B_BINARY  0x04
#define B_24H     0x02
#define C_IRQF    0x80
#define C_PF      0x40
#define C_AF      0x20
#define C_UF      0x10
#define D_VRT     0x80
#define HOUR_PM   0x80
#define ALARM_ANY 0xc0      /* 0xc0-0xff: "don't care" */

#define NS_PER_S  1000000000ull
/* The 32.768 kHz time base: one tick is 1e9/32768 = 1953125/64 ns. */
#define TICK_NS_NUM 1953125ull
#define TICK_NS_DEN 64ull
#define UIP_NS    244141ull /* UIP rises 244 us (8 ticks) before an update */

struct rtc {
	uint8_t cmos[CMOS_SIZE];
	uint8_t index;
	bool nmi_masked;
	bool irq_high;
	int64_t base_secs;      /* the clock at base_ns */
	uint64_t base_ns;       /* a second boundary of the clock */
	uint64_t pf_checked_ns; /* PF is up to date until here */
	struct vtimer periodic, update;
};

bool rtc_nmi_masked(struct device *d)
{
	return ((struct rtc *)d->state)->nmi_masked;
}

/* ---- the clock -------------------------------------------------------- */

/* The clock's seconds at now, and when the next update is due. */
static int64_t clock_at(const struct rtc *r, uint64_t now, uint64_t *next_update)
{
	uint64_t whole = now > r->base_ns ? (now - r->base_ns) / NS_PER_S : 0;
	if (next_update)
		*next_update = r->base_ns + (whole + 1) * NS_PER_S;
	return r->base_secs + (int64_t)whole;
}

static uint8_t to_reg(const struct rtc *r, unsigned v)
{
	v %= 100;
	return (r->cmos[REG_B] & B_BINARY) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned from_reg(const struct rtc *r, uint8_t v)
{
	return (r->cmos[REG_B] & B_BINARY) ? v : (v >> 4) * 10u + (v & 0x0f);
}

static uint8_t hour_to_reg(const struct rtc *r, unsigned h)
{
	if (r->cmos[REG_B] & B_24H)
		return to_reg(r, h);
	return (uint8_t)(to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? HOUR_PM : 0));
}

static unsigned hour_from_reg(const struct rtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_24H)
		return from_reg(r, v);
	return from_reg(r, v & ~HOUR_PM) % 12 + (v & HOUR_PM ? 12 : 0);
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The time registers from the clock value s. */
static void encode_time(struct rtc *r, int64_t s)
{
	struct civil_time t;
	civil_from_seconds(s, &t);
	uint64_t year = t.year < 0 ? 0 : (uint64_t)t.year;
	r->cmos[REG_SEC] = to_reg(r, t.sec);
	r->cmos[REG_MIN] = to_reg(r, t.min);
	r->cmos[REG_HOUR] = hour_to_reg(r, t.hour);
	r->cmos[REG_DOW] = to_reg(r, t.wday + 1);   /* 1 = Sunday */
	r->cmos[REG_DAY] = to_reg(r, t.day);
	r->cmos[REG_MONTH] = to_reg(r, t.month);
	r->cmos[REG_YEAR] = to_reg(r, (unsigned)(year % 100));
	r->cmos[REG_CENTURY] = to_reg(r, (unsigned)(year / 100 % 100));
}

/* The clock value the time registers hold; guest values are clamped into
 * range (a day past the month's end rolls into the next month). */
static int64_t decode_time(const struct rtc *r)
{
	struct civil_time t = {
		.year = clamp(from_reg(r, r->cmos[REG_CENTURY]), 0, 99) * 100 +
			clamp(from_reg(r, r->cmos[REG_YEAR]), 0, 99),
		.month = clamp(from_reg(r, r->cmos[REG_MONTH]), 1, 12),
		.day = clamp(from_reg(r, r->cmos[REG_DAY]), 1, 31),
		.hour = clamp(hour_from_reg(r, r->cmos[REG_HOUR]), 0, 23),
		.min = clamp(from_reg(r, r->cmos[REG_MIN]), 0, 59),
		.sec = clamp(from_reg(r, r->cmos[REG_SEC]), 0, 59),
	};
	return civil_to_seconds(&t);
}

static bool is_time_reg(unsigned i)
{
	return i == REG_SEC || i == REG_MIN || i == REG_HOUR || i == REG_DOW ||
	       i == REG_DAY || i == REG_MONTH || i == REG_YEAR || i == REG_CENTURY;
}

static bool alarm_field_matches(uint8_t alarm, uint8_t now)
{
	return (alarm & ALARM_ANY) == ALARM_ANY || alarm == now;
}

/* ---- interrupts --------------------------------------------------------- */

static void update_irq(struct device *d)
{
	struct rtc *r = d->state;
	uint8_t *c = &r->cmos[REG_C];
	if (*c & r->cmos[REG_B] & (C_PF | C_AF | C_UF))   /* B's enables sit at C's flags */
		*c |= C_IRQF;
	else
		*c &= ~C_IRQF;
	bool high = *c & C_IRQF;
	if (high != r->irq_high) {
		r->irq_high = high;
		vm_irq_set(d->vm, d->decl->irq, high);
	}
}

/* Periodic rate in 32.768 kHz ticks (data sheet Table 5): rates 1 and 2
 * are 256 and 128 Hz, 3-15 are 8192 Hz down to 2 Hz, 0 is off. */
static uint64_t period_ticks(const struct rtc *r)
{
	unsigned rate = r->cmos[REG_A] & A_RATE;
	if (rate == 0)
		return 0;
	if (rate <= 2)
		return 64u << rate;
	return 1u << (rate - 1);
}

static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / TICK_NS_NUM * TICK_NS_DEN + ns % TICK_NS_NUM * TICK_NS_DEN / TICK_NS_NUM;
}

static uint64_t ticks_to_ns(uint64_t t)   /* rounded up */
{
	return t / TICK_NS_DEN * TICK_NS_NUM +
	       (t % TICK_NS_DEN * TICK_NS_NUM + TICK_NS_DEN - 1) / TICK_NS_DEN;
}

/* Sets PF if a periodic tick passed since the last check. */
static void sync_pf(struct rtc *r, uint64_t now)
{
	uint64_t p = period_ticks(r);
	if (p && now > r->pf_checked_ns &&
	    ns_to_ticks(now) / p != ns_to_ticks(r->pf_checked_ns) / p)
		r->cmos[REG_C] |= C_PF;
	r->pf_checked_ns = now;
}

/* The periodic timer runs while its interrupt could be raised. */
static void arm_periodic(struct rtc *r, uint64_t now)
{
	uint64_t p = period_ticks(r);
	if (!p || !(r->cmos[REG_B] & B_PIE) || (r->cmos[REG_C] & C_PF)) {
		vtimer_cancel(&r->periodic);
		return;
	}
	vtimer_arm(&r->periodic, ticks_to_ns((ns_to_ticks(now) / p + 1) * p));
}

static void periodic_fire(struct vtimer *t)
{
	struct device *d = t->data;
	struct rtc *r = d->state;
	uint64_t f = device_lock(d);
	uint64_t now = time_ns();
	sync_pf(r, now);
	update_irq(d);
	arm_periodic(r, now);
	device_unlock(d, f);
}

static void arm_update(struct rtc *r, uint64_t now)
{
	uint64_t next;
	if (r->cmos[REG_B] & B_SET) {
		vtimer_cancel(&r->update);
		return;
	}
	clock_at(r, now, &next);
	vtimer_arm(&r->update, next);
}

/* Once per second: the update cycle ends (UF) and the alarm is compared. */
static void update_fire(struct vtimer *t)
{
	struct device *d = t->data;
	struct rtc *r = d->state;
	uint64_t f = device_lock(d);
	uint64_t now = time_ns();
	if (!(r->cmos[REG_B] & B_SET)) {
		encode_time(r, clock_at(r, now, NULL));
		r->cmos[REG_C] |= C_UF;
		if (alarm_field_matches(r->cmos[REG_ALM_SEC], r->cmos[REG_SEC]) &&
		    alarm_field_matches(r->cmos[REG_ALM_MIN], r->cmos[REG_MIN]) &&
		    alarm_field_matches(r->cmos[REG_ALM_HOUR], r->cmos[REG_HOUR]))
			r->cmos[REG_C] |= C_AF;
		update_irq(d);
	}
	arm_update(r, now);
	device_unlock(d, f);
}

/* ---- registers ----------------------------------------------------------- */

static void write_b(struct device *d, uint8_t v, uint64_t now)
{
	struct rtc *r = d->state;
	uint8_t old = r->cmos[REG_B];
	if (v & B_SET)
		v &= ~B_UIE;   /* setting SET clears UIE */
	if ((old & B_SET) && !(v & B_SET)) {
		/* The clock restarts from the registers (in the format they were
		 * written in); the first update comes one second later. */
		r->base_secs = decode_time(r);
		r->base_ns = now;
	}
	sync_pf(r, now);
	r->cmos[REG_B] = v;
	if (!(old & B_SET) && (v & B_SET))
		encode_time(r, clock_at(r, now, NULL));   /* frozen for the guest */
	update_irq(d);
	arm_periodic(r, now);
	arm_update(r, now);
}

static void write_time(struct rtc *r, unsigned i, uint8_t v, uint64_t now)
{
	if (r->cmos[REG_B] & B_SET) {
		r->cmos[i] = v;
		return;
	}
	uint64_t next;
	encode_time(r, clock_at(r, now, &next));
	r->cmos[i] = v;
	r->base_secs = decode_time(r);
	r->base_ns = next - NS_PER_S;   /* the second in progress keeps its phase */
}

static uint8_t read_data(struct device *d)
{
	struct rtc *r = d->state;
	unsigned i = r->index;
	uint64_t now = time_ns();
	uint64_t next;
	uint8_t v;
	if (is_time_reg(i) && !(r->cmos[REG_B] & B_SET))
		encode_time(r, clock_at(r, now, NULL));
	switch (i) {
	case REG_A:
		clock_at(r, now, &next);
		v = r->cmos[REG_A] & ~A_UIP;
		if (!(r->cmos[REG_B] & B_SET) && next - now <= UIP_NS)
			v |= A_UIP;
		return v;
	case REG_C:
		sync_pf(r, now);
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		update_irq(d);
		arm_periodic(r, now);
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->cmos[i];
	}
}

static void write_data(struct device *d, uint8_t v)
{
	struct rtc *r = d->state;
	unsigned i = r->index;
	uint64_t now = time_ns();
	switch (i) {
	case REG_A:
		sync_pf(r, now);   /* ticks of the old rate */
		r->cmos[REG_A] = v & ~A_UIP;
		arm_periodic(r, now);
		break;
	case REG_B:
		write_b(d, v, now);
		break;
	case REG_C:
	case REG_D:
		break;             /* read-only */
	default:
		if (is_time_reg(i))
			write_time(r, i, v, now);
		else
			r->cmos[i] = v;  /* alarms and battery-backed memory */
		break;
	}
}

static uint32_t rtc_read(struct device *d, uint16_t port, unsigned size)
{
	if (port == PORT_INDEX)
		return 0xff;       /* write-only */
	return read_data(d);
}

static void rtc_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct rtc *r = d->state;
	if (port == PORT_INDEX) {
		r->index = val & 0x7f;
		r->nmi_masked = val & NMI_MASK;
	} else {
		write_data(d, (uint8_t)val);
	}
}

/* ---- power-on and reset -------------------------------------------------- */

static void put16(uint8_t *p, uint64_t v, uint64_t max)
{
	v = v > max ? max : v;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Memory size fields, as PC BIOSes (and SeaBIOS from QEMU's CMOS) keep them,
 * for the layout of guest/layout.h: RAM up to 3 GiB, the rest above 4 GiB. */
static void fill_memory_sizes(struct rtc *r, uint64_t mem)
{
	uint64_t low = mem < GUEST_MMIO_START ? mem : GUEST_MMIO_START;
	uint64_t high = mem - low;
	uint64_t ext_kb = low > (1u << 20) ? (low - (1u << 20)) >> 10 : 0;
	uint64_t over16m = low > (16u << 20) ? (low - (16u << 20)) >> 16 : 0;
	uint64_t above4g = high >> 16;
	put16(&r->cmos[REG_BASE_LO], 640, 640);
	put16(&r->cmos[REG_EXT_LO], ext_kb, 0xffff);
	put16(&r->cmos[REG_EXT2_LO], ext_kb, 0xffff);
	put16(&r->cmos[REG_HIGH_LO], over16m, 0xffff);
	if (above4g > 0xffffff)
		above4g = 0xffffff;
	r->cmos[REG_ABOVE4G_0] = (uint8_t)above4g;
	r->cmos[REG_ABOVE4G_1] = (uint8_t)(above4g >> 8);
	r->cmos[REG_ABOVE4G_2] = (uint8_t)(above4g >> 16);
	/* The standard checksum over 0x10-0x2d, big-endian at 0x2e. */
	unsigned sum = 0;
	for (unsigned i = 0x10; i < REG_CSUM_HI; i++)
		sum += r->cmos[i];
	r->cmos[REG_CSUM_HI] = (uint8_t)(sum >> 8);
	r->cmos[REG_CSUM_LO] = (uint8_t)sum;
}

static void rtc_stop(struct device *d)
{
	struct rtc *r = d->state;
	vtimer_freeze(&r->periodic);
	vtimer_freeze(&r->update);
}

/* Power-on: the clock and the battery-backed memory (kept across resets). */
static void rtc_init(struct device *d)
{
	struct rtc *r = d->state;
	uint64_t now = time_ns();
	r->periodic = (struct vtimer){ .fire = periodic_fire, .data = d,
				       .fire_count = &d->vm->timer_fires };
	r->update = (struct vtimer){ .fire = update_fire, .data = d,
				     .fire_count = &d->vm->timer_fires };
	r->cmos[REG_A] = 0x26;          /* 32.768 kHz divider, 1024 Hz */
	r->cmos[REG_B] = B_24H;         /* BCD, 24-hour, as PC firmware sets it */
	r->cmos[REG_DIAG] = 0;
	r->cmos[REG_SHUTDOWN] = 0;
	fill_memory_sizes(r, d->vm->desc.mem);
	r->base_secs = (int64_t)wallclock_boot_seconds();
	r->base_ns = 0;                 /* the wall clock's time_ns() origin */
	r->pf_checked_ns = now;
	encode_time(r, clock_at(r, now, NULL));
}

/* The RESET pin (data sheet "RESET"): interrupts off and flags cleared;
 * the clock, alarm and memory are untouched. */
static void rtc_reset(struct device *d)
{
	struct rtc *r = d->state;
	uint64_t now = time_ns();
	r->index = 0;
	r->nmi_masked = false;
	r->cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[REG_C] = 0;
	r->pf_checked_ns = now;
	update_irq(d);
	arm_periodic(r, now);
	arm_update(r, now);
}

const struct device_model rtc_model = {
	.name = "rtc",
	.state_size = sizeof(struct rtc),
	.init = rtc_init,
	.stop = rtc_stop,
	.reset = rtc_reset,
	.pio_read = rtc_read,
	.pio_write = rtc_write,
};
