/*
 * tests/guests/hostile_apicbase.c - moves its LAPIC with APIC_BASE (MSR
 * 0x1b) over its own RAM, over the IOAPIC page, and back; tries the
 * reserved bits; disables and re-enables it. Run with vcpus=2: the AP reads
 * and writes the RAM page while the boot vCPU's LAPIC covers it (the LAPIC
 * is per vCPU, so the AP must see RAM there), reaches the IOAPIC while the
 * boot vCPU's LAPIC covers that, and spins in the guest on another CPU
 * while the boot vCPU moves its LAPIC back and forth (yakvm's nested-TLB
 * shootdown). Last it resets the VM with its LAPIC over RAM, and the second
 * boot checks the LAPIC and the RAM page are back. What yakvm defines (core/run/lapic_window.h): a page the vCPU's
 * LAPIC left reads all ones and ignores writes unless RAM or a device is
 * there.
 *
 * Output: "apicbase: ok NAME" / "apicbase: FAIL NAME (...)", then (after
 * the reset) "apicbase: N failures" for both boots; the exit status is N.
 */
#include "rt.h"
#include "hw.h"
#include "ap.h"

#define MSR_APIC_BASE 0x1b
#define AE   (1u << 11)
#define BSC  (1u << 8)
#define TIMER_VECTOR 0x40
#define AP_SLOT 0xf00           /* the AP's counter in the page */
#define MOVES 20
#define CMOS_PHASE    0x52      /* survives the VM reset */
#define CMOS_FAILURES 0x53
#define PHASE_RESET   0xa5
#define HPET_PAGE     0xfed00000u

enum { REG_ID = 0x20, REG_VERSION = 0x30, REG_TPR = 0x80, REG_EOI = 0xb0,
       REG_SVR = 0xf0, REG_ISR = 0x100, REG_ICR_LO = 0x300, REG_ICR_HI = 0x310,
       REG_LVT_TIMER = 0x320, REG_TIMER_INIT = 0x380, REG_TIMER_DIV = 0x3e0 };

static uint8_t page[4096] __attribute__((aligned(4096)));
static volatile uint32_t base = LAPIC_BASE;     /* where this vCPU's LAPIC is */
static uint64_t tpm;

/* AP phases, set by the boot vCPU. */
enum { P_SPIN, P_RAM, P_IOAPIC, P_STOP };
static volatile uint32_t phase, ap_seen = ~0u, ap_id_ok, ap_ram_reads, ap_ram_bad,
	ap_writes, ap_ioapic_reads, ap_ioapic_bad, ioapic_version;

static uint32_t rd(uint32_t b, uint32_t reg) { return mmio_read32(b + reg); }
static void wr(uint32_t b, uint32_t reg, uint32_t v) { mmio_write32(b + reg, v); }

static uint8_t pattern(unsigned i) { return (uint8_t)(i * 7 + 3); }

#define check(...) rt_check("apicbase", __VA_ARGS__)

static uint64_t apic_base_msr(void)
{
	uint64_t v = 0;
	rdmsr_safe(MSR_APIC_BASE, &v);
	return v;
}

static int move_to(uint32_t new_base, uint32_t flags)
{
	int vec = wrmsr_safe(MSR_APIC_BASE, (uint64_t)new_base | flags);
	if (!vec)
		base = new_base;
	return vec;
}

static bool wait_for(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
	uint64_t end = rdtsc() + tpm * ms;
	while (*p < want)
		if (rdtsc() > end)
			return false;
	return true;
}

static void set_phase(uint32_t p)
{
	phase = p;
	uint64_t end = rdtsc() + tpm * 3000;
	while (ap_seen != p && rdtsc() < end)
		__builtin_ia32_pause();
}

/* ---- the AP ---------------------------------------------------------------- */

static void ap_main(uint32_t id)
{
	sti();	/* Bochs 2.7 takes no physical interrupt in a guest with IF=0 */
	for (;;) {
		uint32_t p = phase;
		if (p == P_RAM) {
			ap_id_ok = rd(LAPIC_BASE, REG_ID) == id << 24;
			for (unsigned i = 0; i < 4096; i += 256)
				if (i != AP_SLOT && page[i] != pattern(i))
					ap_ram_bad++;
			*(volatile uint32_t *)(page + AP_SLOT) = ++ap_writes;
			ap_ram_reads++;
		} else if (p == P_IOAPIC) {
			if (ioapic_read(1) != ioapic_version)
				ap_ioapic_bad++;
			ap_ioapic_reads++;
		}
		ap_seen = p;
		__builtin_ia32_pause();
	}
}

static bool start_ap(void)
{
	rt_ap_prepare(ap_main);
	wr(base, REG_ICR_HI, 1u << 24);
	wr(base, REG_ICR_LO, 0x4500);		/* INIT, assert */
	tsc_delay_ms(tpm, 10);
	wr(base, REG_ICR_LO, 0x4600 | RT_AP_SIPI_VECTOR);
	set_phase(P_SPIN);
	return ap_seen == P_SPIN;
}

/* ---- the boot vCPU --------------------------------------------------------- */

static void timer_handler(struct rt_frame *f)
{
	wr(base, REG_EOI, 0);
}

static void test_over_ram(void)
{
	uint32_t pa = (uint32_t)page;
	for (unsigned i = 0; i < 4096; i++)
		page[i] = pattern(i);
	check(move_to(pa, AE) == 0, "moving APIC_BASE over a RAM page is accepted", "#%d", 0);
	printf("apicbase: LAPIC moved to 0x%x\n", pa);
	check(apic_base_msr() == (pa | AE | BSC), "APIC_BASE reads the new base",
	      "0x%x", (uint32_t)apic_base_msr());
	uint32_t id = rd(pa, REG_ID), ver = rd(pa, REG_VERSION);
	check(id == 0 && (ver & 0xff) == 0x14 && (ver >> 16) == 5,
	      "LAPIC ID and VERSION read at the new base", "id 0x%x version 0x%x", id, ver);
	uint32_t old = rd(LAPIC_BASE, REG_VERSION);
	check(old == 0xffffffffu, "the old page 0xfee00000 reads all ones once the LAPIC left it",
	      "0x%x", old);
	wr(LAPIC_BASE, REG_TPR, 0x20);
	check(rd(pa, REG_TPR) == 0, "a write to the old page is ignored (TPR unchanged)",
	      "TPR 0x%x", rd(pa, REG_TPR));

	/* The timer, programmed and acknowledged through the new base. */
	wr(pa, REG_SVR, 0x1ff);
	wr(pa, REG_TIMER_DIV, 0xb);
	wr(pa, REG_LVT_TIMER, TIMER_VECTOR);
	uint32_t before = rt_irq_count[TIMER_VECTOR];
	sti();
	wr(pa, REG_TIMER_INIT, 100000);
	bool fired = wait_for(&rt_irq_count[TIMER_VECTOR], before + 1, 2000);
	cli();
	check(fired, "the LAPIC timer interrupts through the new base", "no interrupt");
	check(!(rd(pa, REG_ISR + 0x20) & 1), "EOI through the new base clears the ISR",
	      "ISR 0x%x", rd(pa, REG_ISR + 0x20));

	/* The AP reads and writes the page meanwhile: RAM for it. */
	set_phase(P_RAM);
	bool went = wait_for(&ap_ram_reads, 50, 5000);
	set_phase(P_SPIN);
	check(went && ap_ram_bad == 0 && ap_writes > 0,
	      "the other vCPU reads RAM under this vCPU's LAPIC page",
	      "%u reads, %u bad", ap_ram_reads, ap_ram_bad);
	check(ap_id_ok, "the other vCPU's LAPIC stays at 0xfee00000", "its ID register");

	check(move_to(LAPIC_BASE, AE) == 0, "moving APIC_BASE back is accepted", "#GP");
	bool intact = true;
	for (unsigned i = 0; i < 4096; i++)
		if ((i < AP_SLOT || i >= AP_SLOT + 4) && page[i] != pattern(i))
			intact = false;
	check(intact, "RAM under the LAPIC page is intact after moving back "
	      "(the LAPIC writes did not reach it)", "pattern changed");
	uint32_t slot = *(volatile uint32_t *)(page + AP_SLOT);
	check(slot == ap_writes, "the other vCPU's writes under the LAPIC page reached RAM",
	      "slot %u, %u writes", slot, ap_writes);
	check(rd(LAPIC_BASE, REG_VERSION) == ver && rd(LAPIC_BASE, REG_TPR) == 0,
	      "the LAPIC answers at 0xfee00000 again", "version 0x%x", rd(LAPIC_BASE, REG_VERSION));
	page[0x80] = 0x5a;
	check(page[0x80] == 0x5a, "the page is plain RAM again", "read back 0x%x", page[0x80]);
	page[0x80] = pattern(0x80);

	/* Back and forth with the AP spinning in the guest on another CPU. */
	for (unsigned i = 0; i < MOVES; i++) {
		move_to(pa, AE);
		if (rd(pa, REG_VERSION) != ver)
			intact = false;
		move_to(LAPIC_BASE, AE);
		if (page[0x30] != pattern(0x30))
			intact = false;
	}
	check(intact, "20 moves over RAM and back: LAPIC there each time, RAM after",
	      "a read went to the wrong side");
}

static void test_over_ioapic(void)
{
	ioapic_version = ioapic_read(1);
	check(move_to(IOAPIC_BASE, AE) == 0, "moving APIC_BASE over the IOAPIC page is accepted",
	      "#GP");
	uint32_t ver = rd(IOAPIC_BASE, REG_VERSION), id = rd(IOAPIC_BASE, REG_ID);
	mmio_write32(IOAPIC_BASE, 1);	/* IOREGSEL for this vCPU: the LAPIC's offset 0 */
	check((ver & 0xff) == 0x14 && id == 0, "over the IOAPIC page the LAPIC wins for this vCPU",
	      "id 0x%x version 0x%x", id, ver);
	set_phase(P_IOAPIC);
	bool went = wait_for(&ap_ioapic_reads, 20, 5000);
	set_phase(P_SPIN);
	check(went && ap_ioapic_bad == 0, "the other vCPU still reaches the IOAPIC there",
	      "%u reads, %u bad", ap_ioapic_reads, ap_ioapic_bad);
	check(move_to(LAPIC_BASE, AE) == 0, "moving APIC_BASE back from the IOAPIC is accepted",
	      "#GP");
	check(ioapic_read(1) == ioapic_version, "the IOAPIC answers this vCPU again",
	      "version 0x%x, was 0x%x", ioapic_read(1), ioapic_version);
	check(rd(LAPIC_BASE, REG_ID) == 0, "... and the LAPIC at 0xfee00000", "ID 0x%x",
	      rd(LAPIC_BASE, REG_ID));
}

/* The HPET's usual page: nothing of the VM's is there, the LAPIC is. */
static void test_over_hole(void)
{
	int vec = move_to(HPET_PAGE, AE);
	uint32_t ver = vec ? 0 : rd(HPET_PAGE, REG_VERSION);	/* only while it is there */
	check(!vec && (ver & 0xff) == 0x14, "over the HPET hole (no device there) the LAPIC answers",
	      "#%d, version 0x%x", vec, ver);
	vec = move_to(LAPIC_BASE, AE);
	ver = rd(LAPIC_BASE, REG_VERSION);
	check(!vec && (ver & 0xff) == 0x14, "... and is back at 0xfee00000 after",
	      "#%d, version 0x%x", vec, ver);
}

static void test_reserved(void)
{
	uint32_t r[4];
	cpuid(0x80000008, 0, r);
	unsigned maxphy = r[0] & 0xff;
	uint64_t good = LAPIC_BASE | AE;
	check(wrmsr_safe(MSR_APIC_BASE, good | (1u << 10)) == 13,
	      "x2APIC enable (bit 10) gives #GP (x2APIC is hidden)", "no #GP");
	check(wrmsr_safe(MSR_APIC_BASE, good | (1u << 9)) == 13, "reserved bit 9 gives #GP",
	      "no #GP");
	check(wrmsr_safe(MSR_APIC_BASE, good | 1) == 13, "reserved bit 0 gives #GP", "no #GP");
	check(wrmsr_safe(MSR_APIC_BASE, good | 0x80) == 13, "reserved bit 7 gives #GP", "no #GP");
	check(maxphy >= 32 && maxphy < 64 &&
	      wrmsr_safe(MSR_APIC_BASE, good | 1ull << maxphy) == 13,
	      "a base bit at MAXPHYADDR gives #GP", "MAXPHYADDR %u", maxphy);
	check(wrmsr_safe(MSR_APIC_BASE, good | 1ull << 63) == 13, "bit 63 gives #GP", "no #GP");
	check(apic_base_msr() == (good | BSC), "APIC_BASE is unchanged after the #GPs", "0x%x",
	      (uint32_t)apic_base_msr());
	check(wrmsr_safe(MSR_APIC_BASE, good) == 0 && apic_base_msr() == (good | BSC),
	      "writing BSC as 0 is ignored", "0x%x", (uint32_t)apic_base_msr());
}

static void test_disable(void)
{
	check(move_to(LAPIC_BASE, 0) == 0, "clearing AE (global disable) is accepted", "#GP");
	check(rd(LAPIC_BASE, REG_VERSION) == 0xffffffffu,
	      "a globally disabled LAPIC's page reads all ones", "0x%x", rd(LAPIC_BASE, REG_VERSION));
	check(move_to(LAPIC_BASE, AE) == 0, "setting AE again is accepted", "#GP");
	check(rd(LAPIC_BASE, REG_SVR) == 0xff && rd(LAPIC_BASE, REG_LVT_TIMER) == 0x10000,
	      "re-enabled, the LAPIC is in its power-on state", "SVR 0x%x LVT timer 0x%x",
	      rd(LAPIC_BASE, REG_SVR), rd(LAPIC_BASE, REG_LVT_TIMER));
}

/* Second boot: the VM reset (i8042 0xfe) with the LAPIC over RAM. */
static int after_reset(void)
{
	check(apic_base_msr() == (LAPIC_BASE | AE | BSC),
	      "after a VM reset APIC_BASE reads 0xfee00900 again", "0x%x",
	      (uint32_t)apic_base_msr());
	check(rd(LAPIC_BASE, REG_VERSION) != 0xffffffffu && rd(LAPIC_BASE, REG_ID) == 0,
	      "after the reset the LAPIC answers at 0xfee00000", "version 0x%x",
	      rd(LAPIC_BASE, REG_VERSION));
	uint32_t ver = rd((uint32_t)page, REG_VERSION);
	page[0x30] = 0xa5;
	check(ver == 0 && page[0x30] == 0xa5,
	      "after the reset the page under the old base is RAM again (cleared)",
	      "version offset reads 0x%x", ver);
	rt_failures += cmos_read(CMOS_FAILURES);
	cmos_write(CMOS_PHASE, 0);
	cmos_write(CMOS_FAILURES, 0);
	printf("apicbase: %d failures\n", rt_failures);
	return rt_failures;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	tpm = tsc_per_ms();
	if (cmos_read(CMOS_PHASE) == PHASE_RESET)
		return after_reset();
	rt_set_irq_handler(TIMER_VECTOR, timer_handler);
	check(apic_base_msr() == (LAPIC_BASE | AE | BSC),
	      "APIC_BASE reads 0xfee00900 at power-on", "0x%x", (uint32_t)apic_base_msr());
	wr(base, REG_SVR, 0x1ff);
	check(start_ap(), "the AP starts", "no answer");
	test_over_ram();
	test_over_ioapic();
	test_over_hole();
	test_reserved();
	test_disable();
	/* A reset must put the LAPIC back and give the RAM page back. */
	cmos_write(CMOS_FAILURES, (uint8_t)rt_failures);
	cmos_write(CMOS_PHASE, PHASE_RESET);
	move_to((uint32_t)page, AE);
	printf("apicbase: resetting with the LAPIC over RAM\n");
	outb(0x64, 0xfe);
	for (;;)
		__asm__ volatile("hlt");
}
