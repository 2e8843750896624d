/*
 * tests/guests/hostile_storm.c - an interrupt storm from one guest: its LAPIC
 * timer at the smallest period (count 1, divide by 1), a flood of self-IPIs,
 * the PIT at count 1 and the RTC at 8192 Hz, all at once for about a second
 * (of its TSC), or with "until=key" until a byte arrives on its serial port
 * (the harness types it once the neighbour has beaten during the storm) and
 * every source has interrupted at least once.
 * yakvm clamps each source's rate; the neighbour VM must keep its heartbeat
 * and the storm VM must still count its interrupts and end normally. The
 * timer's vector (0x41) is above the IPIs' (0x40) in the same priority
 * class: the flood of IPIs, always pending, would otherwise starve it, as
 * on a real LAPIC.
 */
#include "rt.h"
#include "hw.h"

static void eoi_lapic(struct rt_frame *f) { lapic_write(0xb0, 0); }
static void eoi_pit(struct rt_frame *f) { pic_eoi(0); }
static void eoi_rtc(struct rt_frame *f) { cmos_read(0x0c); pic_eoi(8); }

static bool all_sources_seen(void)
{
	return rt_irq_count[0x40] && rt_irq_count[0x41] && rt_irq_count[0x20] &&
	       rt_irq_count[0x28];
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	bool until_key = str_contains(c, "until=key");
	uint64_t per_ms = tsc_per_ms();
	pic_init();
	rt_set_irq_handler(0x20, eoi_pit);
	rt_set_irq_handler(0x28, eoi_rtc);
	rt_set_irq_handler(0x40, eoi_lapic);
	rt_set_irq_handler(0x41, eoi_lapic);

	lapic_write(0xf0, 0x1ff);
	lapic_write(0x350, 0x700);			/* LINT0: ExtINT (the PIC) */
	lapic_write(0x3e0, 0x0b);			/* divide by 1 */
	lapic_write(0x320, 0x41 | (1u << 17));		/* periodic, vector 0x41 */
	lapic_write(0x380, 1);				/* the smallest count */
	outb(0x43, 0x34); outb(0x40, 1); outb(0x40, 0);	/* PIT count 1 */
	cmos_write(0x0a, 0x23);				/* RTC rate 3: 8192 Hz */
	cmos_write(0x0b, cmos_read(0x0b) | 0x40);
	pic_mask(0xfefa);				/* IRQ 0, 2, 8 */
	printf("storm: started\n");

	uint32_t ipis = 0;
	uint64_t end = rdtsc() + per_ms * 1000;
	sti();
	for (bool key = false;;) {
		lapic_write(0x300, 0x40 | (1u << 18));	/* fixed, to self */
		ipis++;
		if (until_key && !key && ipis % 64 == 0)
			key = inb(0x3fd) & 0x01;
		if (ipis >= 200 && (until_key ? key && all_sources_seen() : rdtsc() >= end))
			break;
	}
	cli();
	lapic_write(0x380, 0);
	lapic_write(0x320, 0x10000);
	pic_mask(0xffff);
	cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
	printf("storm: done: %u lapic timer, %u self-IPI (of %u sent), %u PIT, %u RTC interrupts\n",
	       rt_irq_count[0x41], rt_irq_count[0x40], ipis, rt_irq_count[0x20], rt_irq_count[0x28]);
	return all_sources_seen() ? 0 : 1;
}
