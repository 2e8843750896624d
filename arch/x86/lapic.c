/*
 * arch/x86/lapic.c - host local APIC driver (AMD APM vol. 2, 16.3-16.4 for the
 * registers and the timer; 16.11 for x2APIC, where register R is MSR
 * 0x800 + R/16). The timer's rate is measured against the PIT (tsc.c).
 */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"

#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)

enum { REG_ID = 0x20, REG_EOI = 0xb0, REG_SVR = 0xf0, REG_ICR_LO = 0x300,
       REG_ICR_HI = 0x310, REG_LVT_TIMER = 0x320, REG_TIMER_INIT = 0x380,
       REG_TIMER_CUR = 0x390, REG_TIMER_DIV = 0x3e0, REG_LVT_LINT0 = 0x350 };

#define LVT_DELIVERY_NMI (4u << 8)

static volatile uint32_t *mmio;
static bool x2apic;
static uint64_t ticks_per_ms;

static uint32_t lapic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(0x800 + reg / 16) : mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

bool lapic_x2apic(void) { return x2apic; }

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void) { lapic_write(REG_EOI, 0); }

void lapic_set_lint_nmi(unsigned pin)
{
	/* Delivery mode NMI, edge, not masked; the vector is ignored (16.4.2). */
	lapic_write(REG_LVT_LINT0 + 0x10 * (pin & 1), LVT_DELIVERY_NMI);
}

void lapic_init(bool want_x2apic)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_APIC_BASE, base);
	}
	/* xAPIC -> x2APIC is a legal transition with the LAPIC enabled (the
	 * reverse is not; APM vol. 2, 16.11). */
	if (want_x2apic && !(base & APIC_BASE_X2APIC) && (cpuid(1, 0).ecx & (1u << 21))) {
		base |= APIC_BASE_X2APIC;
		wrmsr(MSR_APIC_BASE, base);
	}
	x2apic = base & APIC_BASE_X2APIC;
	mmio = (volatile uint32_t *)(base & 0xffffff000ull);
	lapic_write(REG_SVR, 0x100 | 0xff);	/* enabled, spurious vector 0xff */
	lapic_write(REG_TIMER_DIV, 0x3);	/* divide by 16 */
	if (!ticks_per_ms) {
		/* Count the timer down for 10 ms of PIT time. */
		lapic_write(REG_LVT_TIMER, 1u << 16);	/* masked, one-shot */
		lapic_write(REG_TIMER_INIT, 0xffffffff);
		pit_wait_us(10000);
		ticks_per_ms = (0xffffffffu - lapic_read(REG_TIMER_CUR)) / 10;
		lapic_write(REG_TIMER_INIT, 0);
		if (!ticks_per_ms)
			ticks_per_ms = 1000;
	}
}

void lapic_timer_oneshot(uint8_t vector, uint64_t ns)
{
	/* "No deadline" (UINT64_MAX ns) must saturate, not wrap: below the
	 * bound the product stays under 2^53. */
	uint64_t count = ns / 1000000 >= 0xffffffffull / ticks_per_ms ? 0xffffffffull :
			 ticks_per_ms * ns / 1000000;
	if (count == 0)
		count = 1;
	if (count > 0xffffffffull)
		count = 0xffffffffull;
	lapic_write(REG_LVT_TIMER, vector);	/* one-shot */
	lapic_write(REG_TIMER_INIT, (uint32_t)count);
}

static void send_icr(uint32_t apic_id, uint32_t low)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | low);
		return;
	}
	uint64_t f = irq_save();
	lapic_write(REG_ICR_HI, apic_id << 24);
	lapic_write(REG_ICR_LO, low);
	while (lapic_read(REG_ICR_LO) & (1u << 12))	/* delivery status */
		cpu_relax();
	irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, vector);	/* fixed, physical, edge */
}

void lapic_send_self_ipi(uint8_t vector)
{
	send_icr(0, (1u << 18) | vector);	/* fixed, shorthand 01: self */
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, 0x4500);	/* INIT, level assert */
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	send_icr(apic_id, 0x4600 | page);	/* STARTUP */
}
