/*
 * guest/rt/hw.h - the PC hardware our test guests program: the 8259A PICs,
 * the 8254 PIT, the local APIC and the IOAPIC (xAPIC MMIO), the RTC, the
 * ACPI PM timer port yakvm provides, and PCI configuration mechanism #1.
 */
#ifndef GUEST_RT_HW_H
#define GUEST_RT_HW_H

#include "rt.h"

#define PIC_VECTOR_BASE 0x20	/* IRQ n -> vector 0x20 + n */
#define LAPIC_BASE  0xfee00000u
#define IOAPIC_BASE 0xfec00000u
#define PM_TIMER_PORT 0xb008
#define PM_TIMER_HZ 3579545u

/* Both PICs initialized (ICW1-4), vectors 0x20-0x2f, everything masked. */
static inline void pic_init(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, PIC_VECTOR_BASE); outb(0xa1, PIC_VECTOR_BASE + 8);
	outb(0x21, 0x04); outb(0xa1, 0x02);
	outb(0x21, 0x01); outb(0xa1, 0x01);
	outb(0x21, 0xff); outb(0xa1, 0xff);
}

static inline void pic_mask(uint16_t mask)
{
	outb(0x21, (uint8_t)mask);
	outb(0xa1, (uint8_t)(mask >> 8));
}

static inline void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
}

/* OCW3: 0x0a selects IRR, 0x0b ISR for the next read of port 0x20/0xa0. */
static inline uint16_t pic_read_reg(uint8_t ocw3)
{
	outb(0x20, ocw3);
	outb(0xa0, ocw3);
	return inb(0x20) | (uint16_t)inb(0xa0) << 8;
}

/* PIT channel 0 in mode 2 (rate generator) at about `hz`. */
static inline void pit_set_rate(uint32_t hz)
{
	uint32_t div = 1193182u / hz;
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
}

/* Local APIC registers: offsets from LAPIC_BASE (APM vol. 2, 16.3). */
#define LAPIC_ID        0x20
#define LAPIC_TPR       0x80
#define LAPIC_EOI       0xb0
#define LAPIC_LDR       0xd0
#define LAPIC_DFR       0xe0
#define LAPIC_SVR       0xf0
#define LAPIC_IRR       0x200
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TMICT     0x380
#define LAPIC_TDCR      0x3e0

static inline uint32_t lapic_read(uint32_t reg) { return mmio_read32(LAPIC_BASE + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { mmio_write32(LAPIC_BASE + reg, v); }

static inline void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

static inline uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(IOAPIC_BASE, reg);
	return mmio_read32(IOAPIC_BASE + 0x10);
}

static inline uint8_t cmos_read(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static inline void cmos_write(uint8_t idx, uint8_t v)
{
	outb(0x70, idx);
	outb(0x71, v);
}

static inline uint32_t pci_config_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	outl(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return inl(0xcfc);
}

/* TSC ticks per millisecond, measured with PIT channel 2 (gate and OUT on
 * port 0x61) over 20 ms. */
static inline uint64_t tsc_per_ms(void)
{
	uint8_t p61 = inb(0x61);
	outb(0x61, (p61 & ~0x02) | 0x01);
	outb(0x43, 0xb0);		/* channel 2, lo/hi, mode 0 */
	uint16_t count = 23864;		/* 20 ms */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	uint64_t t1 = rdtsc();
	outb(0x61, p61);
	uint64_t d = t1 - t0;
	return (uint32_t)(d >> 4) / 5 * 4 + 1;	/* d / 20 without a 64-bit division */
}

/* Busy-waits `ms` milliseconds of TSC time. */
static inline void tsc_delay_ms(uint64_t per_ms, uint32_t ms)
{
	uint64_t end = rdtsc() + per_ms * ms;
	while (rdtsc() < end)
		;
}

#endif
