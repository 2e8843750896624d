/*
 * tests/guests/platform.c - the PC platform yakvm emulates, tested from
 * inside a guest: PIT interrupts at two rates, PIC masking, EOI and
 * priority, the UART in loopback and with interrupts, the RTC, the LAPIC
 * timer in its three modes, an IOAPIC-routed interrupt, PCI configuration
 * space, and string I/O in both directions.
 *
 * One line per check, "platform: ok NAME" or "platform: FAIL NAME: why";
 * the exit status is the number of failures. No check depends on how fast
 * the host is: each wait for an interrupt ends when it comes (the bound,
 * WAIT_MS of the guest's own TSC time, only ends a wait for one that never
 * comes); a rate check counts over a window of the platform's own time and
 * needs at least one tick (a host that stalls the emulator merges pending
 * ticks) and at most the window's worth plus two (none delivered twice;
 * the PIT's missed periods are caught up, but only the window's own).
 */
#include "rt.h"
#include "hw.h"

static int failures;
static uint64_t per_ms;

/* How long a wait for an interrupt that must come may last before the check
 * fails: not a speed assumption, a bound for a machine that hangs. */
#define WAIT_MS 20000

static void check(bool ok, const char *name, const char *fmt, uint32_t a, uint32_t b)
{
	if (ok) {
		printf("platform: ok %s\n", name);
		return;
	}
	failures++;
	printf("platform: FAIL %s: ", name);
	printf(fmt, a, b);
	printf("\n");
}

/* A periodic source's count over a window of `ticks` periods of the guest's
 * TSC: ticks that come while the last one is still pending merge, so a host
 * that stalls the emulator may leave only one; none may come twice, so never
 * more than the window holds, plus one at each edge. */
static bool at_rate(uint32_t got, uint32_t ticks)
{
	return got >= 1 && got <= ticks + 2;
}

/* --- PIT and PIC ------------------------------------------------------ */

static volatile bool eoi_in_handler = true;

static void irq0_handler(struct rt_frame *f)
{
	if (eoi_in_handler)
		pic_eoi(0);
}

/* Lets a late interrupt from the previous step arrive uncounted. */
static void drain(void)
{
	sti();
	tsc_delay_ms(per_ms, 2);
	cli();
}

/* With IF=1 until `want` interrupts of `vector` came or `ms` passed: for
 * checks of whether an interrupt comes, not when (a busy host may hold
 * one back for several ms). Returns how many came. */
static uint32_t await_irqs(unsigned vector, uint32_t want, uint32_t ms)
{
	uint32_t before = rt_irq_count[vector];
	uint64_t t0 = rdtsc();
	sti();
	while (rt_irq_count[vector] - before < want && rdtsc() - t0 < per_ms * ms)
		;
	cli();
	return rt_irq_count[vector] - before;
}

/* Interrupts of `vector` taken over `ms` (at most 54) of the platform's own
 * time: PIT channel 2 in mode 0 counts the window down in one go, polled
 * until its OUT (port 0x61 bit 5) goes high. The same clock as the
 * interrupt sources' (a TSC rate calibrated on a busy host is off by half);
 * a guest that notices the end late was stalled, and a stalled guest takes
 * no interrupts (pending ones merge), so no extra tick is counted. With
 * `pit_hz` (the rate channel 0 was just set to) channel 0's count is written
 * again once the window has begun: yakvm catches up periods a late host
 * timer missed (devices/pit.c), and the write drops those missed before
 * the window, so that only the window's own are counted. */
static uint32_t count_irq(unsigned vector, uint32_t ms, uint32_t pit_hz)
{
	uint32_t before = rt_irq_count[vector];
	uint8_t p61 = inb(0x61);
	uint32_t count = ms * 1193 + ms * 182 / 1000;	/* 1193182 Hz */
	outb(0x61, (p61 & ~0x02) | 0x01);
	outb(0x43, 0xb0);		/* channel 2, lo/hi, mode 0 */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	if (pit_hz) {	/* the same count: it takes over at the period's end */
		outb(0x40, (uint8_t)(1193182u / pit_hz));
		outb(0x40, (uint8_t)(1193182u / pit_hz >> 8));
	}
	sti();
	while (!(inb(0x61) & 0x20))
		;
	cli();
	outb(0x61, p61);
	return rt_irq_count[vector] - before;
}

static void test_pit_pic(void)
{
	pic_init();
	rt_set_irq_handler(0x20, irq0_handler);

	pit_set_rate(100);
	pic_mask(0xfffe);
	uint32_t n100 = count_irq(0x20, 50, 100);
	check(at_rate(n100, 5), "pit-100hz", "%u interrupts in 50 ms, expected 1 to 7", n100, 0);

	pit_set_rate(1000);
	uint32_t n1000 = count_irq(0x20, 50, 1000);
	check(at_rate(n1000, 50), "pit-1000hz", "%u interrupts in 50 ms, expected 1 to 52", n1000, 0);
	printf("platform: pit counts %u at 100 Hz, %u at 1000 Hz in 50 ms\n", n100, n1000);
	/* 100 Hz gave no more than its window holds (7 in 50 ms), and 1000 Hz
	 * delivers 25 more ticks, waited for as events. How long they took is
	 * printed, not checked: a host that stalls the emulator stretches it. */
	uint64_t t0 = rdtsc();
	uint32_t got25 = await_irqs(0x20, 25, WAIT_MS);
	/* 32-bit division (no __udivdi3): both in units of 1024 TSC ticks. */
	uint32_t ms25 = (uint32_t)((rdtsc() - t0) >> 10) / (uint32_t)(per_ms >> 10);
	check(got25 >= 25 && n100 <= 7, "pit-rate-ratio",
	      "25 ticks at 1000 Hz took %u ms; 100 Hz gave %u in 50 ms", ms25, n100);

	pic_mask(0xffff);
	uint32_t masked = count_irq(0x20, 50, 0);
	check(masked == 0, "pic-mask", "%u interrupts while IRQ 0 was masked", masked, 0);

	/* Without an EOI, IRQ 0 stays in service and is not delivered again. */
	eoi_in_handler = false;
	pic_mask(0xfffe);
	uint32_t no_eoi = await_irqs(0x20, 1, WAIT_MS);
	no_eoi += count_irq(0x20, 50, 0);	/* and no second one */
	uint16_t isr = pic_read_reg(0x0b);
	check(no_eoi == 1 && (isr & 1), "pic-no-eoi-blocks",
	      "%u deliveries without EOI, ISR=0x%x", no_eoi, isr);
	pic_eoi(0);
	eoi_in_handler = true;
	uint32_t after = await_irqs(0x20, 2, WAIT_MS);
	check(after >= 2, "pic-eoi-resumes", "%u interrupts after the EOI", after, 0);
	pic_mask(0xffff);
}

/* Priority: with IRQ 0 and IRQ 4 both pending, IRQ 0 comes first. */
static volatile uint32_t order[4];
static volatile unsigned norder;

static void record_irq(struct rt_frame *f)
{
	if (norder < 4)
		order[norder++] = f->vector;
	if (f->vector == 0x24) {
		inb(0x3f8);	/* take the byte: the RX interrupt goes away */
		inb(0x3fa);
	}
	pic_eoi(f->vector - 0x20);
}

static void test_pic_priority(void)
{
	rt_set_irq_handler(0x20, record_irq);
	rt_set_irq_handler(0x24, record_irq);
	/* IRQ 4: the UART in loopback with its receive interrupt. */
	outb(0x3f9, 0x01);		/* IER: received data */
	outb(0x3fc, 0x18);		/* MCR: loopback, OUT2 */
	pic_mask(0xffff);
	outb(0x3f8, 'p');		/* IRQ 4 pending (masked) */
	outb(0x43, 0x30);		/* PIT channel 0, mode 0: one IRQ 0 ... */
	outb(0x40, 0xa9);
	outb(0x40, 0x04);		/* ... after 1193 clocks (1 ms) */
	/* Until the one-shot has fired: its OUT (bit 7 of the status the
	 * read-back command 0xe2 latches) goes high. Not until IRR bit 0 is
	 * set: a tick of the 1000 Hz rate before may already have set it, and
	 * the one-shot would then come again after the unmasking. */
	uint8_t status = 0;
	for (uint64_t t0 = rdtsc(); !(status & 0x80) && rdtsc() - t0 < per_ms * WAIT_MS;) {
		outb(0x43, 0xe2);	/* read-back: status of channel 0 */
		status = inb(0x40);
	}
	/* yakvm raises IRQ 0 when its host timer for the PIT fires, which a
	 * busy host may deliver after a status read already shows OUT high
	 * (seen: IRR=0x10): wait for the edge in IRR too. */
	uint16_t irr = 0;
	for (uint64_t t0 = rdtsc(); (irr & 0x11) != 0x11 && rdtsc() - t0 < per_ms * WAIT_MS;)
		irr = pic_read_reg(0x0a);
	norder = 0;
	pic_mask(0xffee);		/* IRQ 0 and 4 */
	/* Both arrive within microseconds on a quiet machine; wait for them. */
	uint64_t t0 = rdtsc();
	sti();
	while (norder < 2 && rdtsc() - t0 < per_ms * WAIT_MS)
		;
	uint64_t took = rdtsc() - t0;
	tsc_delay_ms(per_ms, 1);	/* nothing more may come */
	cli();
	pic_mask(0xffff);
	outb(0x3f9, 0x00);
	outb(0x3fc, 0x00);		/* loopback off: printing is safe again */
	printf("platform: pic-priority: %u vectors in %u us\n", norder,
	       (uint32_t)took / ((uint32_t)per_ms / 1000));	/* 32-bit: no __udivdi3 */
	check((irr & 0x11) == 0x11, "pic-irr", "IRR=0x%x, expected bits 0 and 4", irr, 0);
	check(norder >= 2 && order[0] == 0x20 && order[1] == 0x24, "pic-priority",
	      "first vectors 0x%x then 0x%x, expected 0x20 then 0x24", order[0], order[1]);
	rt_set_irq_handler(0x20, irq0_handler);
}

/* --- UART ------------------------------------------------------------- */

static volatile uint8_t uart_iir_seen, uart_rx;

static void uart_handler(struct rt_frame *f)
{
	uint8_t iir = inb(0x3fa);
	uart_iir_seen = iir;
	if ((iir & 0x0e) == 0x04)
		uart_rx = inb(0x3f8);
	pic_eoi(4);
}

static void test_uart(void)
{
	/* Loopback: what we send comes back; MSR mirrors MCR. (Nothing may be
	 * printed while the loop is on: it would go into our own receiver.) */
	outb(0x3fc, 0x10 | 0x03);	/* loopback, DTR, RTS */
	outb(0x3f8, 'Z');
	uint8_t lsr = inb(0x3fd), rbr = inb(0x3f8), msr = inb(0x3fe);
	outb(0x3fc, 0x03);
	check((lsr & 1) && rbr == 'Z', "uart-loopback", "LSR=0x%x RBR=0x%x", lsr, rbr);
	check((msr & 0x30) == 0x30, "uart-loopback-msr", "MSR=0x%x", msr, 0);

	rt_set_irq_handler(0x24, uart_handler);
	pic_mask(0xffef);
	outb(0x3fc, 0x10 | 0x08);	/* loopback, OUT2 (the IRQ line) */
	outb(0x3f9, 0x01);		/* receive interrupt */
	uart_rx = 0;
	outb(0x3f8, 'q');
	uint32_t rx_irqs = await_irqs(0x24, 1, WAIT_MS);

	/* Enabling the THR-empty interrupt with an empty THR raises it. */
	uart_iir_seen = 0;
	outb(0x3f9, 0x02);
	uint32_t thre_irqs = await_irqs(0x24, 1, WAIT_MS);
	outb(0x3f9, 0x00);
	outb(0x3fc, 0x03);
	pic_mask(0xffff);
	check(rx_irqs >= 1 && uart_rx == 'q', "uart-rx-interrupt",
	      "%u interrupts, received 0x%x", rx_irqs, uart_rx);
	check(thre_irqs >= 1 && (uart_iir_seen & 0x0f) == 0x02, "uart-thre-interrupt",
	      "%u interrupts, IIR=0x%x", thre_irqs, uart_iir_seen);
}

/* --- RTC -------------------------------------------------------------- */

static unsigned bcd(uint8_t v) { return (v & 0x0f) + (v >> 4) * 10; }

static void test_rtc(void)
{
	while (cmos_read(0x0a) & 0x80)	/* update in progress */
		;
	uint8_t b = cmos_read(0x0b);
	unsigned s = cmos_read(0x00), m = cmos_read(0x02), h = cmos_read(0x04);
	unsigned d = cmos_read(0x07), mo = cmos_read(0x08), y = cmos_read(0x09);
	unsigned c = cmos_read(0x32);
	if (!(b & 0x04)) {
		s = bcd(s); m = bcd(m); h = bcd(h & 0x7f);
		d = bcd(d); mo = bcd(mo); y = bcd(y); c = bcd(c);
	}
	/* The e2e test compares this line with the host's clock. */
	printf("platform: rtc %02u%02u-%02u-%02u %02u:%02u:%02u\n", c, y, mo, d, h, m, s);
	check(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && m < 60 && s < 60,
	      "rtc-fields", "month %u day %u", mo, d);

	/* Binary mode gives the same minute. */
	cmos_write(0x0b, b | 0x04);
	unsigned mbin = cmos_read(0x02);
	cmos_write(0x0b, b);
	check(mbin == m || mbin == (m + 1) % 60, "rtc-binary-mode", "binary minute %u, BCD %u", mbin, m);

	/* Periodic interrupt at 256 Hz (rate 8) on IRQ 8, through the slave. */
	pic_mask(0xfefb);		/* IRQ 2 (cascade) and IRQ 8 */
	cmos_write(0x0a, 0x28);
	cmos_write(0x0b, b | 0x40);	/* PIE */
	cmos_read(0x0c);
	uint32_t n = count_irq(0x28, 50, 0);
	cmos_write(0x0b, b);
	pic_mask(0xffff);
	check(at_rate(n, 13), "rtc-periodic", "%u interrupts in 50 ms at 256 Hz", n, 0);
}

static void rtc_handler(struct rt_frame *f)
{
	cmos_read(0x0c);		/* acknowledge: lowers IRQ 8 */
	pic_eoi(8);
}

/* --- LAPIC and IOAPIC ------------------------------------------------- */

static void lapic_eoi_handler(struct rt_frame *f) { lapic_write(0xb0, 0); }

static void test_lapic(void)
{
	check(lapic_read(0x20) >> 24 == 0, "lapic-id", "ID register 0x%x", lapic_read(0x20), 0);
	check((lapic_read(0x30) & 0xff) >= 0x10, "lapic-version", "VERSION 0x%x", lapic_read(0x30), 0);
	/* A vector per step: a late interrupt of one step (a busy host may
	 * hold it back for ms) is not counted by the next. */
	for (unsigned vec = 0x40; vec <= 0x43; vec++)
		rt_set_irq_handler(vec, lapic_eoi_handler);
	lapic_write(0xf0, 0x1ff);		/* software enable, spurious 0xff */
	lapic_write(0x80, 0);			/* TPR */
	lapic_write(0x3e0, 0x0b);		/* divide by 1 */

	/* One-shot: exactly one interrupt. */
	lapic_write(0x320, 0x40);
	lapic_write(0x380, 1000000);
	uint32_t one = await_irqs(0x40, 1, WAIT_MS);	/* 1000000 bus clocks on */
	one += count_irq(0x40, 20, 0);			/* and no second one */
	check(one == 1, "lapic-timer-oneshot", "%u interrupts", one, 0);

	/* Periodic: many, and the current count moves. */
	lapic_write(0x320, 0x41 | (1u << 17));
	lapic_write(0x380, 1000000);
	uint32_t c1 = lapic_read(0x390);
	uint32_t per = await_irqs(0x41, 5, WAIT_MS);
	uint32_t c2 = lapic_read(0x390);
	lapic_write(0x380, 0);
	drain();
	check(per >= 5 && c1 != c2, "lapic-timer-periodic", "%u interrupts, count 0x%x", per, c2);

	/* TSC deadline: CPUID.1:ECX[24], then one interrupt at the deadline. */
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 24))) {
		check(false, "lapic-timer-tsc-deadline", "CPUID does not offer it", 0, 0);
	} else {
		lapic_write(0x320, 0x42 | (2u << 17));
		uint64_t dl = rdtsc() + per_ms * 5;
		wrmsr_safe(0x6e0, dl);
		uint32_t n = await_irqs(0x42, 1, WAIT_MS);
		n += count_irq(0x42, 5, 0);	/* and no second one */
		check(n == 1, "lapic-timer-tsc-deadline", "%u interrupts", n, 0);
	}
	lapic_write(0x320, 0x10000);		/* masked */

	/* TPR: a vector at or below the TPR's class waits. */
	lapic_write(0x80, 0x40);
	lapic_write(0x320, 0x43);		/* class 4: blocked by TPR 0x40 */
	lapic_write(0x380, 1000);
	uint32_t blocked = count_irq(0x43, 10, 0);
	lapic_write(0x80, 0);
	uint32_t released = await_irqs(0x43, 1, WAIT_MS);
	released += count_irq(0x43, 2, 0);		/* and no second one */
	check(blocked == 0 && released == 1, "lapic-tpr", "%u while TPR=0x40, %u after", blocked, released);
}

static void test_ioapic(void)
{
	uint32_t ver = ioapic_read(0x01);
	check((ver & 0xff) == 0x11 && ((ver >> 16) & 0xff) == 23, "ioapic-version",
	      "VERSION 0x%x", ver, 0);
	/* ISA IRQ 0 is IOAPIC pin 2 (the PC's override); PIC fully masked. */
	pic_mask(0xffff);
	rt_set_irq_handler(0x50, lapic_eoi_handler);
	ioapic_write(0x10 + 2 * 2 + 1, 0);		/* destination APIC ID 0 */
	ioapic_write(0x10 + 2 * 2, 0x50);		/* fixed, edge, unmasked */
	pit_set_rate(1000);
	uint32_t n = count_irq(0x50, 50, 1000);
	ioapic_write(0x10 + 2 * 2, 0x10000);		/* masked */
	printf("platform: ioapic-routed-irq: %u interrupts in 50 ms\n", n);
	check(at_rate(n, 50), "ioapic-routed-irq", "%u interrupts in 50 ms at 1000 Hz", n, 0);
}

/* --- PCI and string I/O ----------------------------------------------- */

static void test_pci_and_string_io(void)
{
	uint32_t id = pci_config_read(0, 0, 0, 0);
	check(id != 0xffffffffu && (id & 0xffff) != 0xffff, "pci-host-bridge", "ID 0x%x", id, 0);
	uint32_t absent = pci_config_read(0, 31, 0, 0);
	check(absent == 0xffffffffu, "pci-absent-device", "read 0x%x", absent, 0);

	/* rep insd: four reads of the same config register. */
	uint32_t buf[6] = { 0 };
	uint32_t *dst = buf, count = 4;
	outl(0xcf8, 0x80000000u);
	__asm__ volatile("cld; rep insl" : "+D"(dst), "+c"(count) : "d"(0xcfc) : "memory");
	check(buf[0] == id && buf[3] == id && buf[4] == 0, "string-in-rep-insd",
	      "got 0x%x, last 0x%x", buf[0], buf[3]);

	/* rep insw with DF=1 fills downwards. */
	uint16_t w[4] = { 0, 0, 0, 0 };
	uint16_t *wdst = &w[2];
	count = 2;
	__asm__ volatile("std; rep insw; cld" : "+D"(wdst), "+c"(count) : "d"(0xcfc) : "memory");
	check(w[2] == (uint16_t)id && w[1] == (uint16_t)id && w[0] == 0 && w[3] == 0,
	      "string-in-df1", "w[1]=0x%x w[2]=0x%x", w[1], w[2]);

	/* rep outsb to the UART: the line shows on the console. */
	static const char msg[] = "platform: string out via rep outsb\n";
	const char *src = msg;
	count = sizeof(msg) - 1;
	__asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(count) : "d"(0x3f8) : "memory");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	per_ms = tsc_per_ms();
	printf("platform: TSC %u kHz (PIT channel 2)\n", (uint32_t)per_ms);
	rt_set_irq_handler(0x28, rtc_handler);
	test_pit_pic();
	test_pic_priority();
	test_uart();
	test_rtc();
	test_lapic();
	test_ioapic();
	test_pci_and_string_io();
	printf("platform: %d failed\n", failures);
	return failures;
}
