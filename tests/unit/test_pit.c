/*
 * tests/unit/test_pit.c - the 8254 (devices/pit.c) through ports 0x40-0x43
 * and 0x61, with fake time: counter values and OUT in each mode, the access
 * modes and latches, read-back, channel 2's gate and port 0x61, IRQ 0 counts
 * and timing, the rate clamp, late timers and reprogramming mid-count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/pit.h"
#include "devices/device.h"
#include "core/vm/vm.h"
#include "tests/unit/fake_platform.h"

/* The bus's lock helpers (devices/bus.c), not linked here. */
unsigned locks_held;
uint64_t device_lock(struct device *d) { locks_held++; return 0; }
void device_unlock(struct device *d, uint64_t f) { locks_held--; }

static const struct device_decl decl = {
	"pit", &pit_model, .pio = { { 0x40, 4 }, { 0x61, 1 } }, .irq = 0,
};
static struct vm vm;
static struct device dev;
static _Alignas(64) uint8_t state[4096];
static uint64_t t0;	/* when the count under test was written */

static int setup(void **unused)
{
	fake_platform_reset();
	fake_now_ns = 5000000123ull;	/* not zero: time is absolute */
	memset(&vm, 0, sizeof(vm));
	memset(state, 0, sizeof(state));
	assert_true(pit_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .vm = &vm, .state = state };
	pit_model.init(&dev);
	pit_model.reset(&dev);
	locks_held = 0;
	return 0;
}

static void out(uint16_t port, uint8_t val) { pit_model.pio_write(&dev, port, 1, val); }
static uint8_t in(uint16_t port) { return (uint8_t)pit_model.pio_read(&dev, port, 1); }

/* The first ns at which `ticks` input clocks have passed since t. */
static uint64_t at_tick(uint64_t t, uint64_t ticks)
{
	return t + (uint64_t)(((unsigned __int128)ticks * 1000000000u + PIT_HZ - 1) / PIT_HZ);
}

/* Control word for channel ch, lobyte/hibyte, mode; then the count. */
static void program(unsigned ch, unsigned mode, uint16_t count)
{
	out(0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
	out(0x40 + ch, count & 0xff);
	t0 = fake_now_ns;
	out(0x40 + ch, count >> 8);
}

static uint16_t read16(unsigned ch)
{
	uint8_t lo = in(0x40 + ch);
	return (uint16_t)(lo | in(0x40 + ch) << 8);
}

/* Latched value of channel ch, `ticks` clocks after t0 (timers fire). */
static uint16_t count_at(unsigned ch, uint64_t ticks)
{
	fake_advance_to(at_tick(t0, ticks));
	out(0x43, (uint8_t)(ch << 6));
	return read16(ch);
}

static uint8_t status_at(unsigned ch, uint64_t ticks)
{
	fake_advance_to(at_tick(t0, ticks));
	out(0x43, (uint8_t)(0xe0 | 2u << ch));
	return in(0x40 + ch);
}

static bool out_at(unsigned ch, uint64_t ticks) { return status_at(ch, ticks) & 0x80; }

/* A stopped VM's PIT at 10 kHz (issue 17): no timer left, no interrupt,
 * and the guest's writes (had it a vCPU left) arm none either. */
static void test_stop(void **unused)
{
	uint64_t fires = vm.timer_fires;
	program(0, 2, 119);
	fake_advance(1000000);
	unsigned pulses = fake_irq_pulses[0];
	assert_true(pulses >= 5);
	assert_int_equal(fake_armed_timers(), 1);
	assert_true(vm.timer_fires - fires >= pulses);
	pit_model.stop(&dev);
	assert_int_equal(fake_armed_timers(), 0);
	fake_advance(1000000);
	program(0, 2, 119);
	fake_advance(1000000);
	assert_int_equal(fake_armed_timers(), 0);
	assert_int_equal(fake_irq_pulses[0], pulses);
}

static void test_mode0(void **unused)
{
	program(0, 0, 1000);
	assert_int_equal(count_at(0, 0), 1000);
	assert_int_equal(count_at(0, 100), 900);
	assert_false(out_at(0, 999));
	assert_int_equal(fake_irq_pulses[0], 0);
	assert_int_equal(count_at(0, 999), 1);
	assert_true(out_at(0, 1000));	/* OUT rises at terminal count */
	assert_int_equal(fake_irq_pulses[0], 1);
	assert_int_equal(fake_irq_events[0].at_ns, at_tick(t0, 1000));
	assert_int_equal(count_at(0, 1005), 65531);	/* wraps, keeps counting */
	assert_true(out_at(0, 70000));
	fake_advance(2000000000);
	assert_int_equal(fake_irq_pulses[0], 1);	/* once */
	assert_int_equal(fake_armed_timers(), 0);
	/* The first byte of a new count stops it, OUT low; the second starts. */
	out(0x40, 10);
	assert_false(out_at(0, 0) );
	out(0x40, 0);
	t0 = fake_now_ns;
	assert_int_equal(count_at(0, 4), 6);
	assert_true(out_at(0, 10));
	assert_int_equal(fake_irq_pulses[0], 2);
}

static void test_mode2(void **unused)
{
	out(0x61, 0x01);
	program(2, 2, 100);
	assert_int_equal(count_at(2, 0), 100);
	assert_int_equal(count_at(2, 1), 99);
	assert_true(out_at(2, 98));
	assert_int_equal(count_at(2, 99), 1);
	assert_false(out_at(2, 99));	/* low for one clock */
	assert_int_equal(count_at(2, 100), 100);
	assert_true(out_at(2, 100));
	assert_int_equal(count_at(2, 150), 50);
	assert_int_equal(count_at(2, 100 * 1000 + 37), 63);
	assert_int_equal(fake_irq_pulses[0], 0);	/* channel 2: no IRQ */
	/* Mode 6 is mode 2. */
	program(2, 6, 50);
	assert_int_equal(count_at(2, 60), 40);
}

static void test_mode3(void **unused)
{
	out(0x61, 0x01);
	program(2, 3, 10);	/* even: by two, OUT 5 high, 5 low */
	assert_int_equal(count_at(2, 0), 10);
	assert_int_equal(count_at(2, 1), 8);
	assert_int_equal(count_at(2, 4), 2);
	assert_true(out_at(2, 4));
	assert_int_equal(count_at(2, 5), 10);
	assert_false(out_at(2, 5));
	assert_int_equal(count_at(2, 9), 2);
	assert_false(out_at(2, 9));
	assert_int_equal(count_at(2, 10), 10);
	assert_true(out_at(2, 10));
	program(2, 3, 9);	/* odd: OUT 5 high, 4 low; n-1 down by two */
	assert_int_equal(count_at(2, 0), 8);
	assert_int_equal(count_at(2, 4), 0);
	assert_true(out_at(2, 4));
	assert_int_equal(count_at(2, 5), 8);
	assert_false(out_at(2, 5));
	assert_int_equal(count_at(2, 8), 2);
	assert_false(out_at(2, 8));
	assert_true(out_at(2, 9));
	assert_int_equal(count_at(2, 9), 8);
	program(2, 7, 100);	/* mode 7 is mode 3 */
	assert_int_equal(count_at(2, 10), 80);
}

static void test_mode4(void **unused)
{
	program(0, 4, 50);
	assert_true(out_at(0, 0));
	assert_int_equal(count_at(0, 20), 30);
	assert_true(out_at(0, 49));
	assert_false(out_at(0, 50));	/* the strobe */
	assert_int_equal(fake_irq_pulses[0], 0);
	assert_true(out_at(0, 51));
	assert_int_equal(fake_irq_pulses[0], 1);
	assert_int_equal(count_at(0, 52), 65534);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_pulses[0], 1);
}

static void test_mode1_and_5_gate(void **unused)
{
	program(2, 1, 100);
	assert_true(in(0x61) & 0x20);	/* OUT high, waiting for a trigger */
	assert_int_equal(status_at(2, 500) & 0xc0, 0xc0);	/* null count */
	out(0x61, 0x01);	/* gate rises: trigger */
	t0 = fake_now_ns;
	assert_false(in(0x61) & 0x20);
	assert_int_equal(count_at(2, 30), 70);
	assert_int_equal(status_at(2, 30) & 0xc0, 0x00);
	/* Retrigger at 60: 100 more clocks from there. */
	fake_advance_to(at_tick(t0, 60));
	out(0x61, 0x00);
	out(0x61, 0x01);
	t0 = fake_now_ns;
	assert_false(out_at(2, 99));
	assert_true(out_at(2, 100));
	assert_true(in(0x61) & 0x20);
	/* Mode 5: a strobe 100 clocks after the trigger. */
	out(0x61, 0x00);
	program(2, 5, 100);
	assert_true(out_at(2, 500));
	out(0x61, 0x01);
	t0 = fake_now_ns;
	assert_true(out_at(2, 99));
	assert_false(out_at(2, 100));
	assert_true(out_at(2, 101));
	/* Channel 0's gate is tied high: mode 1 never starts, no IRQ. */
	program(0, 1, 10);
	fake_advance(100000000);
	assert_int_equal(fake_irq_pulses[0], 0);
}

static void test_access_modes(void **unused)
{
	out(0x61, 0x01);
	out(0x43, 0x94);	/* ch2, LSB only, mode 2 */
	out(0x42, 200);
	t0 = fake_now_ns;
	assert_int_equal(in(0x42), 200);
	assert_int_equal(count_at(2, 0) & 0xff, 200);
	fake_advance_to(at_tick(t0, 50));
	assert_int_equal(in(0x42), 150);
	assert_int_equal(in(0x42), 150);	/* no flip-flop */
	out(0x43, 0xa4);	/* ch2, MSB only, mode 2 */
	out(0x42, 0x12);
	t0 = fake_now_ns;
	assert_int_equal(in(0x42), 0x12);
	fake_advance_to(at_tick(t0, 0x100));
	assert_int_equal(in(0x42), 0x11);
	out(0x43, 0xb4);	/* LSB then MSB */
	out(0x42, 0x34);
	out(0x42, 0x12);
	t0 = fake_now_ns;
	assert_int_equal(in(0x42), 0x34);
	assert_int_equal(in(0x42), 0x12);
	assert_int_equal(in(0x42), 0x34);	/* the flip-flop wrapped */
	/* A control word resets the read flip-flop. */
	out(0x43, 0xb4);
	out(0x42, 0x78);
	out(0x42, 0x56);
	assert_int_equal(in(0x42), 0x78);
	assert_int_equal(in(0x43), 0xff);	/* write-only */
}

static void test_latch(void **unused)
{
	out(0x61, 0x01);
	program(2, 2, 1000);
	fake_advance_to(at_tick(t0, 10));
	out(0x43, 0x80);
	fake_advance_to(at_tick(t0, 400));
	out(0x43, 0x80);	/* ignored: the first latch is unread */
	assert_int_equal(in(0x42), 990 & 0xff);
	fake_advance_to(at_tick(t0, 500));
	assert_int_equal(in(0x42), 990 >> 8);	/* still the latch */
	assert_int_equal(read16(2), 500);	/* released: live again */
	/* Latched in LSB-only mode: one read releases it. */
	out(0x43, 0x94);
	out(0x42, 100);
	t0 = fake_now_ns;
	fake_advance_to(at_tick(t0, 5));
	out(0x43, 0x80);
	fake_advance_to(at_tick(t0, 7));
	assert_int_equal(in(0x42), 95);
	assert_int_equal(in(0x42), 93);
}

static void test_read_back(void **unused)
{
	out(0x43, 0x34);	/* ch0 lsb/msb mode 2: OUT high, null count */
	out(0x43, 0xe2);	/* status of channel 0 */
	assert_int_equal(in(0x40), 0x80 | 0x40 | 0x30 | 0x04);
	out(0x40, 0x00);
	out(0x40, 0x10);
	t0 = fake_now_ns;
	fake_advance_to(at_tick(t0, 0x20));
	out(0x43, 0xc2);	/* count and status: status comes first */
	assert_int_equal(in(0x40), 0x80 | 0x30 | 0x04);
	assert_int_equal(read16(0), 0x1000 - 0x20);
	/* Status of several channels at once, BCD reported, RW reported. */
	out(0x43, 0x91);	/* ch2 LSB mode 0 BCD */
	out(0x43, 0x6a);	/* ch1 MSB mode 5 */
	out(0x43, 0xec);	/* status of 1 and 2 */
	assert_int_equal(in(0x42), 0x40 | 0x10 | 0x00 | 0x01);
	assert_int_equal(in(0x41), 0x80 | 0x40 | 0x20 | 0x0a);
	/* Read-back of the count only; a second read-back is ignored. */
	out(0x61, 0x01);	/* channel 2's gate */
	out(0x42, 50);
	t0 = fake_now_ns;
	fake_advance_to(at_tick(t0, 5));
	out(0x43, 0xd8);
	fake_advance_to(at_tick(t0, 9));
	out(0x43, 0xd8);
	assert_int_equal(in(0x42), 45);
	/* A second status latch before the read is ignored. */
	fake_advance_to(at_tick(t0, 40));
	out(0x43, 0xe8);
	fake_advance_to(at_tick(t0, 60));
	out(0x43, 0xe8);
	assert_false(in(0x42) & 0x80);
	assert_true(status_at(2, 60) & 0x80);
	/* Mode 0 status: OUT low until the terminal count. */
	program(2, 0, 50);
	assert_false(status_at(2, 49) & 0x80);
	assert_true(status_at(2, 50) & 0x80);
}

static void test_port61(void **unused)
{
	/* The classic calibration loop: gate on, mode 0 count N, poll bit 5. */
	out(0x61, (in(0x61) & ~0x02) | 0x01);
	out(0x43, 0xb0);
	out(0x42, 11932 & 0xff);
	out(0x42, 11932 >> 8);
	uint64_t start = fake_now_ns;
	unsigned polls = 0;
	while (!(in(0x61) & 0x20) && polls < 100000) {
		fake_advance(1000);
		polls++;
	}
	assert_true(fake_now_ns >= at_tick(start, 11932));
	assert_true(fake_now_ns < at_tick(start, 11932) + 1000);
	assert_int_equal(in(0x61) & 0x0f, 0x01);
	out(0x61, 0x03);
	assert_int_equal(in(0x61) & 0x0f, 0x03);
	/* Bit 4 toggles every 15 us. */
	fake_now_ns = 15000 * 1000;
	uint8_t a = in(0x61) & 0x10;
	fake_now_ns += 15000;
	uint8_t b = in(0x61) & 0x10;
	fake_now_ns += 15000;
	assert_int_not_equal(a, b);
	assert_int_equal(in(0x61) & 0x10, a);
	/* Gate low pauses mode 0, gate high resumes. */
	out(0x61, 0x01);
	program(2, 0, 1000);
	fake_advance_to(at_tick(t0, 300));
	out(0x61, 0x00);
	fake_advance(10000000);
	assert_int_equal(read16(2), 700);
	out(0x61, 0x01);
	t0 = fake_now_ns;
	assert_int_equal(count_at(2, 200), 500);
	assert_false(in(0x61) & 0x20);
	assert_true(out_at(2, 700));
	/* Mode 2 with the gate low: OUT high, stopped; the gate reloads it. */
	program(2, 2, 100);
	fake_advance_to(at_tick(t0, 30));
	out(0x61, 0x00);
	fake_advance(1000000);
	assert_int_equal(read16(2), 70);
	assert_true(in(0x61) & 0x20);
	out(0x61, 0x01);
	t0 = fake_now_ns;
	assert_int_equal(count_at(2, 10), 90);
	/* Mode 3 stopped in its low half: OUT goes high. */
	program(2, 3, 100);
	fake_advance_to(at_tick(t0, 70));
	assert_false(in(0x61) & 0x20);
	out(0x61, 0x00);
	assert_true(in(0x61) & 0x20);
}

/* Pulses of IRQ 0 in 1 s of fake time, periodic mode with count n. */
static unsigned pulses_in_1s(unsigned mode, uint16_t n)
{
	program(0, mode, n);
	fake_advance_to(t0 + 1000000000);
	unsigned got = fake_irq_pulses[0];
	for (unsigned k = 1; k <= got && k <= FAKE_MAX_EVENTS; k++)
		assert_int_equal(fake_irq_events[k - 1].at_ns,
				 at_tick(t0, (uint64_t)k * (n ? n : 65536)));
	return got;
}

static void test_irq_100hz(void **unused)
{
	/* 1193182 / 11932 = 99.998: 99 whole periods in one second. */
	assert_int_equal(pulses_in_1s(2, 11932), 99);
}

static void test_irq_1000hz(void **unused)
{
	assert_int_equal(pulses_in_1s(2, 1193), 1000);
}

static void test_irq_mode3_and_count0(void **unused)
{
	assert_int_equal(pulses_in_1s(3, 1193), 1000);
	setup(NULL);
	assert_int_equal(pulses_in_1s(3, 0), 18);	/* 65536: 18.2 Hz */
}

static void test_rate_clamp(void **unused)
{
	program(0, 2, 1);	/* would be 1.19 MHz */
	fake_advance_to(t0 + 1000000000);
	unsigned n = fake_irq_pulses[0];
	assert_true(n <= 1000000000 / PIT_MIN_IRQ_NS);
	assert_true(n >= 1000000000 / PIT_MIN_IRQ_NS * 99 / 100);
	for (unsigned i = 1; i < fake_irq_count; i++)
		assert_true(fake_irq_events[i].at_ns - fake_irq_events[i - 1].at_ns
			    >= PIT_MIN_IRQ_NS);
	/* Count 50 (41.9 us): every third period, on the guest's grid. */
	setup(NULL);
	program(0, 2, 50);
	fake_advance_to(t0 + 1000000000);
	assert_int_equal(fake_irq_pulses[0], (1193182 - 50) / 150 + 1);
	for (unsigned i = 0; i < fake_irq_count; i++)
		assert_int_equal(fake_irq_events[i].at_ns, at_tick(t0, 50 + 150 * i));
	/* Count 2 in mode 3, and re-writing mode 0 count 1 in a loop. */
	setup(NULL);
	program(0, 3, 2);
	fake_advance(10000000);
	assert_true(fake_irq_pulses[0] <= 10000000 / PIT_MIN_IRQ_NS);
	setup(NULL);
	out(0x43, 0x30);
	uint64_t start = fake_now_ns;
	for (unsigned i = 0; i < 10000; i++) {
		out(0x40, 1);
		out(0x40, 0);
		fake_advance(1000);
	}
	assert_true(fake_irq_pulses[0] <= (fake_now_ns - start) / PIT_MIN_IRQ_NS + 1);
	for (unsigned i = 1; i < fake_irq_count; i++)
		assert_true(fake_irq_events[i].at_ns - fake_irq_events[i - 1].at_ns
			    >= PIT_MIN_IRQ_NS);
}

/* Pulses recorded since event `from` must be `count`, PIT_MIN_IRQ_NS apart
 * from the one at `start` on. */
static void assert_spaced(unsigned from, unsigned count, uint64_t start)
{
	assert_true(fake_irq_count >= from + count);
	for (unsigned i = 0; i < count; i++)
		assert_int_equal(fake_irq_events[from + i].at_ns, start + i * PIT_MIN_IRQ_NS);
}

/* A late vtimer (the host was busy): the missed periods come one by one,
 * PIT_MIN_IRQ_NS apart, then the grid again; none is lost. */
static void test_late_timer(void **unused)
{
	program(0, 2, 1193);
	fake_advance_to(at_tick(t0, 1193 * 3));
	assert_int_equal(fake_irq_pulses[0], 3);
	/* Busy until 600 ticks past edge 13: edges 4 to 13 (ten) are late. */
	uint64_t late = at_tick(t0, 1193 * 13 + 600);
	fake_now_ns = late;
	fake_advance(0);
	assert_int_equal(fake_irq_pulses[0], 4);
	assert_int_equal(fake_irq_events[3].at_ns, late);
	/* Nine more, and edge 14 (497 us on) joins the backlog: ten more. */
	fake_advance_to(at_tick(t0, 1193 * 15) - 1);
	assert_int_equal(fake_irq_pulses[0], 14);
	assert_spaced(3, 11, late);
	/* Back on the grid: fifteen periods, fifteen pulses. */
	fake_advance_to(at_tick(t0, 1193 * 15));
	assert_int_equal(fake_irq_pulses[0], 15);
	assert_int_equal(fake_irq_events[14].at_ns, at_tick(t0, 1193 * 15));
	fake_advance_to(at_tick(t0, 1193 * 100));
	assert_int_equal(fake_irq_pulses[0], 100);
}

/* A stall of 500 periods: PIT_CATCHUP_MAX of them are caught up. */
static void test_late_timer_capped(void **unused)
{
	program(0, 2, 0);	/* 65536: 54.9 ms, longer than the catch-up */
	fake_advance_to(at_tick(t0, 65536));
	assert_int_equal(fake_irq_pulses[0], 1);
	uint64_t late = at_tick(t0, 65536 * 500ull + 7);
	fake_now_ns = late;
	fake_advance(0);
	fake_advance_to(at_tick(t0, 65536 * 501ull) - 1);
	assert_int_equal(fake_irq_pulses[0], 2 + PIT_CATCHUP_MAX);
	assert_spaced(1, 1 + PIT_CATCHUP_MAX, late);
	fake_advance_to(at_tick(t0, 65536 * 501ull));
	assert_int_equal(fake_irq_pulses[0], 3 + PIT_CATCHUP_MAX);
	assert_int_equal(fake_irq_events[2 + PIT_CATCHUP_MAX].at_ns, at_tick(t0, 65536 * 501ull));
}

/* Held ticks: with the guest not taking IRQ 0 (no acknowledge), N
 * elapsed periods give one pulse and N-1 held; each acknowledge releases
 * the next (PIT_MIN_IRQ_NS after the previous at the earliest), none
 * merged, none lost; then the grid again. */
static void test_held_until_acked(void **unused)
{
	fake_auto_ack = false;
	program(0, 2, 4773);	/* 250 Hz: 4 ms */
	fake_advance_to(at_tick(t0, 4773 * 10));
	assert_int_equal(fake_irq_pulses[0], 1);	/* 10 periods: 1 sent, 9 held */
	assert_int_equal(fake_irq_events[0].at_ns, at_tick(t0, 4773));
	assert_int_equal(fake_armed_timers(), 1);	/* counting the edges on */
	/* The acknowledge releases the next at once (the last pulse is long
	 * past); one right after it waits for the clamp's distance. */
	uint64_t acked = fake_now_ns;
	fake_irq_ack(2);	/* ISA IRQ 0 is GSI 2 */
	fake_advance(0);
	assert_int_equal(fake_irq_pulses[0], 2);
	assert_int_equal(fake_irq_events[1].at_ns, acked);
	fake_irq_ack(2);
	fake_advance(PIT_MIN_IRQ_NS - 1);
	assert_int_equal(fake_irq_pulses[0], 2);
	fake_advance(1);
	assert_int_equal(fake_irq_pulses[0], 3);
	assert_int_equal(fake_irq_events[2].at_ns, acked + PIT_MIN_IRQ_NS);
	for (unsigned k = 4; k <= 10; k++) {
		fake_advance(1000000);
		assert_int_equal(fake_irq_pulses[0], k - 1);	/* not before its acknowledge */
		acked = fake_now_ns;
		fake_irq_ack(2);
		fake_advance(0);
		assert_int_equal(fake_irq_pulses[0], k);
		assert_int_equal(fake_irq_events[k - 1].at_ns, acked);
	}
	/* All ten delivered; the 11th edge (at 44 ms) came meanwhile. */
	assert_true(fake_now_ns > at_tick(t0, 4773 * 11));
	fake_irq_ack(2);
	fake_advance(PIT_MIN_IRQ_NS);
	assert_int_equal(fake_irq_pulses[0], 11);
	/* Taken at once from here on: one pulse per edge, on the grid. */
	fake_irq_ack(2);
	fake_auto_ack = true;
	uint64_t k0 = (uint64_t)((unsigned __int128)(fake_now_ns - t0) * PIT_HZ / 1000000000u) / 4773 + 1;
	fake_advance_to(at_tick(t0, 4773 * (k0 + 4)));
	assert_int_equal(fake_irq_pulses[0], 11 + 5);
	assert_int_equal(fake_irq_events[15].at_ns, at_tick(t0, 4773 * (k0 + 4)));
	/* An acknowledge for another GSI, or none pending, changes nothing. */
	fake_auto_ack = false;
	fake_advance_to(at_tick(t0, 4773 * (k0 + 7)));
	assert_int_equal(fake_irq_pulses[0], 17);
	fake_irq_ack(0);
	fake_irq_ack(8);
	fake_advance(PIT_MIN_IRQ_NS);
	assert_int_equal(fake_irq_pulses[0], 17);
}

/* Reprogramming, reset and an unmasked input drop what is held; a pulse
 * never taken is given up after 1 + PIT_CATCHUP_MAX periods. */
static void test_held_dropped(void **unused)
{
	fake_auto_ack = false;
	program(0, 2, 4773);
	fake_advance_to(at_tick(t0, 4773 * 5));
	assert_int_equal(fake_irq_pulses[0], 1);
	program(0, 2, 4773);	/* reprogrammed: the 4 held are dropped */
	fake_irq_ack(2);
	fake_advance(PIT_MIN_IRQ_NS);
	assert_int_equal(fake_irq_pulses[0], 1);
	fake_advance_to(at_tick(t0, 4773));
	assert_int_equal(fake_irq_pulses[0], 2);	/* its first edge: not held */
	/* Unmasked (here the IOAPIC's pin 2): owed and held dropped. */
	fake_advance_to(at_tick(t0, 4773 * 6));
	assert_int_equal(fake_irq_pulses[0], 2);
	fake_irq_unmask(2);
	fake_advance(PIT_MIN_IRQ_NS);
	assert_int_equal(fake_irq_pulses[0], 2);
	fake_advance_to(at_tick(t0, 4773 * 7));
	assert_int_equal(fake_irq_pulses[0], 3);	/* the next edge */
	/* Reset. */
	fake_advance_to(at_tick(t0, 4773 * 12));
	pit_model.reset(&dev);
	fake_irq_ack(2);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_pulses[0], 3);
	assert_int_equal(fake_armed_timers(), 0);
	/* Never taken: given up once 1 + PIT_CATCHUP_MAX are owed, and then
	 * one pulse per period (a guest with IRQ 0 masked everywhere). */
	program(0, 2, 4773);
	fake_advance_to(at_tick(t0, 4773 * (2 + PIT_CATCHUP_MAX)) - 1);
	assert_int_equal(fake_irq_pulses[0], 4);
	fake_advance_to(at_tick(t0, 4773 * (2 + PIT_CATCHUP_MAX)));
	assert_int_equal(fake_irq_pulses[0], 5);
	fake_advance_to(at_tick(t0, 4773 * (2 + 3 + PIT_CATCHUP_MAX)));
	assert_int_equal(fake_irq_pulses[0], 8);
}

/* Reprogramming drops the backlog; a period too fast to drain one (under
 * PIT_CATCHUP_MIN_PERIOD_NS) is coalesced as the clamp always did. */
static void test_late_timer_dropped(void **unused)
{
	program(0, 2, 1193);
	uint64_t late = at_tick(t0, 1193 * 20 + 5);
	fake_now_ns = late;
	fake_advance(0);
	fake_advance(PIT_MIN_IRQ_NS);
	assert_int_equal(fake_irq_pulses[0], 2);
	out(0x43, 0x34);	/* mode 2 again, count 2386 */
	out(0x40, 2386 & 0xff);
	t0 = fake_now_ns;
	out(0x40, 2386 >> 8);
	fake_advance_to(at_tick(t0, 2386) - 1);
	assert_int_equal(fake_irq_pulses[0], 2);
	fake_advance_to(at_tick(t0, 2386 * 3));
	assert_int_equal(fake_irq_pulses[0], 5);
	assert_int_equal(fake_irq_events[2].at_ns, at_tick(t0, 2386));
	/* Count 200 (168 us): one pulse, then the grid (missed ones dropped). */
	setup(NULL);
	program(0, 2, 200);
	late = at_tick(t0, 200 * 10 + 50);
	fake_now_ns = late;
	fake_advance(0);
	assert_int_equal(fake_irq_pulses[0], 1);
	fake_advance_to(at_tick(t0, 200 * 11));
	assert_int_equal(fake_irq_pulses[0], 2);
	assert_int_equal(fake_irq_events[1].at_ns, at_tick(t0, 200 * 11));
	/* Reset drops it too. */
	setup(NULL);
	program(0, 2, 1193);
	fake_now_ns = at_tick(t0, 1193 * 20 + 5);
	fake_advance(0);
	pit_model.reset(&dev);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_pulses[0], 1);
	assert_int_equal(fake_armed_timers(), 0);
}

static void test_reprogram_mid_count(void **unused)
{
	/* Mode 2: the new count waits for the end of the period. */
	program(0, 2, 1193);
	uint64_t first = t0;
	fake_advance_to(at_tick(t0, 500));
	out(0x40, 2386 & 0xff);
	out(0x40, 2386 >> 8);
	assert_int_equal(status_at(0, 500) & 0x40, 0x40);	/* null count */
	assert_int_equal(count_at(0, 600), 593);
	assert_int_equal(fake_irq_pulses[0], 0);
	t0 = at_tick(first, 1193);
	assert_int_equal(count_at(0, 10), 2376);
	assert_int_equal(status_at(0, 10) & 0x40, 0);
	assert_int_equal(fake_irq_pulses[0], 1);
	assert_int_equal(fake_irq_events[0].at_ns, t0);
	fake_advance_to(at_tick(t0, 2386 * 2));
	assert_int_equal(fake_irq_pulses[0], 3);
	assert_int_equal(fake_irq_events[1].at_ns, at_tick(t0, 2386));
	/* A fast period (coalesced) switching to a slow one: the edge at the
	 * switch comes as soon as the clamp allows, then the new grid. */
	setup(NULL);
	program(0, 2, 100);
	fake_advance_to(at_tick(t0, 310));
	assert_int_equal(fake_irq_pulses[0], 2);	/* at 100 and 300 */
	out(0x40, 1193 & 0xff);
	out(0x40, 1193 >> 8);
	uint64_t sw = at_tick(t0, 400);
	fake_advance_to(at_tick(sw, 1193));
	assert_int_equal(fake_irq_pulses[0], 4);
	assert_int_equal(fake_irq_events[2].at_ns, at_tick(t0, 300) + PIT_MIN_IRQ_NS);
	assert_int_equal(fake_irq_events[3].at_ns, at_tick(sw, 1193));
	/* Mode 0: a new count restarts it from the write. */
	setup(NULL);
	program(0, 0, 1000);
	fake_advance_to(at_tick(t0, 600));
	program(0, 0, 1000);
	assert_false(out_at(0, 999));
	assert_int_equal(fake_irq_pulses[0], 0);
	assert_true(out_at(0, 1000));
	assert_int_equal(fake_irq_pulses[0], 1);
	/* A new control word stops channel 0's interrupts. */
	program(0, 2, 1193);
	fake_advance_to(at_tick(t0, 1193 * 2));
	assert_int_equal(fake_irq_pulses[0], 3);
	out(0x43, 0x34);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_pulses[0], 3);
	assert_int_equal(fake_armed_timers(), 0);
}

static void test_reset(void **unused)
{
	program(0, 2, 1193);
	pit_model.reset(&dev);
	assert_int_equal(fake_armed_timers(), 0);
	fake_advance(1000000000);
	assert_int_equal(fake_irq_pulses[0], 0);
	assert_int_equal(in(0x61) & 0x2f, 0);
}

/* Random guest writes and time steps: no crash, the clamp always holds. */
static void test_garbage(void **unused)
{
	static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61 };
	uint32_t x = 777;
	for (unsigned i = 0; i < 200000; i++) {
		x = x * 1103515245 + 12345;
		unsigned r = x >> 8;
		if (r % 3 == 0)
			out(ports[(r >> 2) % 5], (uint8_t)(r >> 8));
		else if (r % 3 == 1)
			in(ports[(r >> 2) % 5]);
		else
			fake_advance((r >> 4) % 200000);
	}
	for (unsigned i = 1; i < fake_irq_count; i++)
		assert_true(fake_irq_events[i].at_ns - fake_irq_events[i - 1].at_ns
			    >= PIT_MIN_IRQ_NS);
	assert_int_equal(locks_held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mode0, setup),
		cmocka_unit_test_setup(test_mode2, setup),
		cmocka_unit_test_setup(test_mode3, setup),
		cmocka_unit_test_setup(test_mode4, setup),
		cmocka_unit_test_setup(test_mode1_and_5_gate, setup),
		cmocka_unit_test_setup(test_access_modes, setup),
		cmocka_unit_test_setup(test_latch, setup),
		cmocka_unit_test_setup(test_read_back, setup),
		cmocka_unit_test_setup(test_port61, setup),
		cmocka_unit_test_setup(test_irq_100hz, setup),
		cmocka_unit_test_setup(test_irq_1000hz, setup),
		cmocka_unit_test_setup(test_irq_mode3_and_count0, setup),
		cmocka_unit_test_setup(test_rate_clamp, setup),
		cmocka_unit_test_setup(test_late_timer, setup),
		cmocka_unit_test_setup(test_late_timer_capped, setup),
		cmocka_unit_test_setup(test_late_timer_dropped, setup),
		cmocka_unit_test_setup(test_held_until_acked, setup),
		cmocka_unit_test_setup(test_held_dropped, setup),
		cmocka_unit_test_setup(test_reprogram_mid_count, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_garbage, setup),
		cmocka_unit_test_setup(test_stop, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
