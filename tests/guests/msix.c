/*
 * tests/guests/msix.c - MSI-X and INTx of a PCI function, from inside a
 * 2-vCPU guest, with the test device (testdev=1, PCI 00:01.0; devices/
 * testdev.h): tests/e2e/scenarios_msix.py checks each line.
 *
 * The guest walks the capability list (PCI LB 3.0, 6.7) to the MSI-X
 * capability (6.8.2), programs table entries to APIC ID 0 and APIC ID 1
 * (physical and logical) with distinct vectors, makes the device raise them
 * (its register 0x844) and checks that each arrives on the right vCPU with
 * the right vector, and nowhere else. A masked vector sets its pending bit
 * and arrives at the unmask, not before; the function mask holds every
 * vector the same way. With MSI-X off the device's INTA# reaches the
 * IOAPIC pin its interrupt line names (level, active low); the command
 * register's interrupt disable holds it. Messages to an address outside
 * 0xfee00000-0xfeefffff or with a reserved delivery mode reach no vCPU.
 *
 * "Not before" and "nowhere else" are read from the LAPICs themselves:
 * an MSI is in the target's IRR by the time the device's register write
 * completes (the write is an exit), so reading the IRR afterwards (the
 * other vCPU's through a request it answers) decides without waiting.
 * Every wait for an interrupt is for an event, bounded only to fail
 * instead of hanging. Output: "msix: ok NAME" / "msix: FAIL NAME (...)",
 * then "msix: N passed, M failed"; the exit status is M.
 */
#include "rt.h"
#include "hw.h"
#include "ap.h"

static const char *const TAG = "msix";

#define TD_CFG    0x80000800u	/* CONFIG_ADDRESS of 00:01.0 */
#define TD_BAR0   0xfeb00000u
#define TD_RAISE  (TD_BAR0 + 0x844)
#define TD_INTX   (TD_BAR0 + 0x848)

/* Vectors: 0x50 + table entry, 0x58 logical, 0x60 INTx. */
#define V_CPU0    0x50
#define V_CPU1    0x51
#define V_MASKED0 0x52
#define V_MASKED1 0x53
#define V_LOGICAL 0x58
#define V_INTX    0x60
#define V_FIRST   0x50
#define V_COUNT   0x20

#define WAIT_MS   30000		/* only ever reached by a failure */

static uint64_t tpm;
static volatile uint32_t cnt[2][V_COUNT];	/* [APIC ID][vector - V_FIRST] */
static volatile uint32_t ap_alive;
static volatile uint32_t req_seq, req_vector, ack_seq, ack_irr;
static uint32_t passed;
static uint32_t msix_cap, table, pba;	/* config offset; table and PBA addresses */

/* ---- configuration space ------------------------------------------------- */

static uint32_t cfg_in(unsigned reg)
{
	outl(0xcf8, TD_CFG | reg);
	return inl(0xcfc);
}

static void cfg_out(unsigned reg, uint32_t v)
{
	outl(0xcf8, TD_CFG | reg);
	outl(0xcfc, v);
}

/* Message control (6.8.2.3): the cap's ID and next pointer are read-only. */
static void msix_control(uint16_t ctrl)
{
	cfg_out(msix_cap, (uint32_t)ctrl << 16);
}

/* ---- the device and the LAPICs --------------------------------------------- */

static void entry_write(unsigned n, uint32_t addr, uint32_t addr_hi, uint32_t data, uint32_t ctrl)
{
	uint32_t e = table + 16 * n;
	mmio_write32(e + 12, 1);		/* masked while it changes */
	mmio_write32(e + 0, addr);
	mmio_write32(e + 4, addr_hi);
	mmio_write32(e + 8, data);
	mmio_write32(e + 12, ctrl);
}

static bool pending(unsigned n)
{
	return mmio_read32(pba) >> n & 1;
}

static void raise(unsigned k)
{
	mmio_write32(TD_RAISE, k);
}

static bool irr_has(unsigned v)
{
	return lapic_read(LAPIC_IRR + 0x10 * (v / 32)) >> (v % 32) & 1;
}

static uint32_t count(unsigned cpu, unsigned v)
{
	return cnt[cpu][v - V_FIRST];
}

static bool wait_count(unsigned cpu, unsigned v, uint32_t want)
{
	uint64_t end = rdtsc() + tpm * WAIT_MS;
	while (count(cpu, v) < want)
		if (rdtsc() > end)
			return false;
	return true;
}

/* Asks vCPU 1 whether `v` is in its IRR (it answers from its main loop). */
static bool ap_irr_has(unsigned v)
{
	req_vector = v;
	uint32_t seq = __atomic_add_fetch(&req_seq, 1, __ATOMIC_SEQ_CST);
	uint64_t end = rdtsc() + tpm * WAIT_MS;
	while (__atomic_load_n(&ack_seq, __ATOMIC_ACQUIRE) != seq)
		if (rdtsc() > end)
			return true;	/* no answer: counts as a failure */
	return ack_irr;
}

static void check(bool ok, const char *name, const char *fmt, uint32_t a, uint32_t b)
{
	rt_check(TAG, ok, name, fmt, a, b);
	passed += ok;
}

static void handler(struct rt_frame *f)
{
	unsigned id = rt_ap_self();
	if (id < 2 && f->vector >= V_FIRST && f->vector < V_FIRST + V_COUNT)
		cnt[id][f->vector - V_FIRST]++;
	if (f->vector == V_INTX)
		mmio_write32(TD_INTX, 0);	/* the device lowers INTA# before the EOI */
	lapic_write(LAPIC_EOI, 0);
}

/* Flat logical model: LDR bit (24 + APIC ID). */
static void lapic_setup(uint32_t id)
{
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_DFR, 0xffffffff);
	lapic_write(LAPIC_LDR, 1u << (24 + id));
	lapic_write(LAPIC_TPR, 0);
}

static void __attribute__((used)) ap_main(uint32_t id)
{
	lapic_setup(id);
	__atomic_store_n(&ap_alive, 1, __ATOMIC_RELEASE);
	sti();
	uint32_t seen = 0;
	for (;;) {
		uint32_t seq = __atomic_load_n(&req_seq, __ATOMIC_ACQUIRE);
		if (seq == seen) {
			__builtin_ia32_pause();
			continue;
		}
		seen = seq;
		ack_irr = irr_has(req_vector);
		__atomic_store_n(&ack_seq, seq, __ATOMIC_RELEASE);
	}
}

static bool start_ap(void)
{
	rt_ap_prepare(ap_main);
	lapic_write(LAPIC_ICR_HI, 1u << 24);
	lapic_write(LAPIC_ICR_LO, 0x4500);		/* INIT */
	lapic_write(LAPIC_ICR_HI, 1u << 24);
	lapic_write(LAPIC_ICR_LO, 0x4600 | RT_AP_SIPI_VECTOR);	/* STARTUP */
	uint64_t end = rdtsc() + tpm * WAIT_MS;
	while (!__atomic_load_n(&ap_alive, __ATOMIC_ACQUIRE))
		if (rdtsc() > end)
			return false;
	return true;
}

/* ---- the checks -------------------------------------------------------------- */

/* 6.7: status bit 4, the list from 0x34, each next pointer dword aligned. */
static void find_msix(void)
{
	uint32_t status = cfg_in(0x04) >> 16;
	unsigned ptr = cfg_in(0x34) & 0xfc, hops = 0;
	while (ptr && hops++ < 48) {
		uint32_t dw = cfg_in(ptr);
		if ((dw & 0xff) == 0x11) {
			msix_cap = ptr;
			break;
		}
		ptr = (dw >> 8) & 0xfc;
	}
	check((status & 0x10) && msix_cap >= 0x40, "capability-list",
	      "status 0x%x, MSI-X capability at 0x%x", status, msix_cap);
	if (!msix_cap)
		return;
	uint32_t ctrl = cfg_in(msix_cap) >> 16, t = cfg_in(msix_cap + 4), p = cfg_in(msix_cap + 8);
	check((ctrl & 0x7ff) + 1 == 4 && !(ctrl & 0xc000), "msix-table-size",
	      "message control 0x%x (%u)", ctrl, 0);
	uint32_t bar_t = cfg_in(0x10 + 4 * (t & 7)) & ~0xfu, bar_p = cfg_in(0x10 + 4 * (p & 7)) & ~0xfu;
	table = bar_t + (t & ~7u);
	pba = bar_p + (p & ~7u);
	check((t & 7) == 1 && (p & 7) == 1 && bar_t == 0xfeb01000u && table != pba,
	      "msix-table-and-pba-in-bar1", "table 0x%x, PBA 0x%x", table, pba);
	bool masked = true;
	for (unsigned n = 0; n < 4; n++)
		masked &= (mmio_read32(table + 16 * n + 12) & 1) != 0;
	check(masked && !pending(0), "msix-entries-masked-at-reset", "entry 0 control 0x%x, PBA 0x%x",
	      mmio_read32(table + 12), mmio_read32(pba));
}

static void test_routing(void)
{
	entry_write(0, 0xfee00000u | 0 << 12, 0, V_CPU0, 0);
	entry_write(1, 0xfee00000u | 1 << 12, 0, V_CPU1, 0);
	msix_control(0x8000);
	raise(0);
	check(wait_count(0, V_CPU0, 1), "msix-vector-to-cpu0", "vector 0x%x arrived %u times",
	      V_CPU0, count(0, V_CPU0));
	raise(1);
	check(wait_count(1, V_CPU1, 1), "msix-vector-to-cpu1", "vector 0x%x arrived %u times",
	      V_CPU1, count(1, V_CPU1));
	bool none = count(0, V_CPU1) == 0 && !irr_has(V_CPU1) &&
		    count(1, V_CPU0) == 0 && !ap_irr_has(V_CPU0);
	check(none && count(0, V_CPU0) == 1 && count(1, V_CPU1) == 1, "msix-only-the-target",
	      "cpu 0 got 0x51 %u times, cpu 1 got 0x50 %u times", count(0, V_CPU1), count(1, V_CPU0));

	/* Logical destination, flat model: bit 1 is APIC ID 1. */
	entry_write(0, 0xfee00000u | 2 << 12 | 1u << 2, 0, V_LOGICAL, 0);
	raise(0);
	check(wait_count(1, V_LOGICAL, 1) && count(0, V_LOGICAL) == 0 && !irr_has(V_LOGICAL),
	      "msix-logical-destination", "cpu 1: %u, cpu 0: %u", count(1, V_LOGICAL),
	      count(0, V_LOGICAL));
	entry_write(0, 0xfee00000u | 0 << 12, 0, V_CPU0, 0);
}

static void test_masks(void)
{
	/* A masked entry: pending, not delivered; the unmask delivers it. */
	entry_write(2, 0xfee00000u | 0 << 12, 0, V_MASKED0, 1);
	raise(2);
	check(pending(2) && count(0, V_MASKED0) == 0 && !irr_has(V_MASKED0),
	      "msix-masked-sets-pending", "PBA 0x%x, delivered %u times", mmio_read32(pba),
	      count(0, V_MASKED0));
	mmio_write32(table + 16 * 2 + 12, 0);
	check(wait_count(0, V_MASKED0, 1) && !pending(2), "msix-unmask-delivers",
	      "delivered %u times, PBA 0x%x", count(0, V_MASKED0), mmio_read32(pba));

	entry_write(3, 0xfee00000u | 1 << 12, 0, V_MASKED1, 1);
	raise(3);
	check(pending(3) && count(1, V_MASKED1) == 0 && !ap_irr_has(V_MASKED1),
	      "msix-masked-sets-pending-cpu1", "PBA 0x%x, delivered %u times",
	      mmio_read32(pba), count(1, V_MASKED1));
	mmio_write32(table + 16 * 3 + 12, 0);
	check(wait_count(1, V_MASKED1, 1) && !pending(3), "msix-unmask-delivers-cpu1",
	      "delivered %u times, PBA 0x%x", count(1, V_MASKED1), mmio_read32(pba));

	/* The function mask holds every vector; clearing it delivers. */
	uint32_t before = count(0, V_CPU0);
	msix_control(0xc000);
	raise(0);
	check(pending(0) && count(0, V_CPU0) == before && !irr_has(V_CPU0),
	      "msix-function-mask-holds", "PBA 0x%x, delivered %u more", mmio_read32(pba),
	      count(0, V_CPU0) - before);
	msix_control(0x8000);
	check(wait_count(0, V_CPU0, before + 1) && !pending(0), "msix-function-unmask-delivers",
	      "delivered %u more, PBA 0x%x", count(0, V_CPU0) - before, mmio_read32(pba));
}

static void test_intx(void)
{
	uint32_t line = cfg_in(0x3c);
	unsigned gsi = line & 0xff, pin = (line >> 8) & 0xff;
	check(pin == 1 && gsi == 17, "intx-pin-and-line", "pin %u, line %u", pin, gsi);
	if (gsi >= 24)
		return;
	/* Level, active low (INTx#), fixed, physical, to APIC ID 0. */
	ioapic_write(0x10 + 2 * gsi + 1, 0);
	ioapic_write(0x10 + 2 * gsi, (1u << 15) | (1u << 13) | V_INTX);

	/* MSI-X on: the pin stays quiet. */
	uint32_t msi_before = count(0, V_CPU0);
	raise(0);
	check(wait_count(0, V_CPU0, msi_before + 1) && count(0, V_INTX) == 0 &&
	      mmio_read32(TD_INTX) == 0, "intx-silent-while-msix-on", "INTx %u times, MSI %u more",
	      count(0, V_INTX), count(0, V_CPU0) - msi_before);

	msix_control(0);
	raise(0);
	check(wait_count(0, V_INTX, 1) && count(0, V_CPU0) == msi_before + 1,
	      "intx-through-ioapic", "INTx %u times, MSI %u more", count(0, V_INTX),
	      count(0, V_CPU0) - msi_before - 1);
	uint32_t rte = ioapic_read(0x10 + 2 * gsi);
	check(count(0, V_INTX) == 1 && !(rte & (1u << 14)) && mmio_read32(TD_INTX) == 0,
	      "intx-lowered-after-ack", "INTx %u times, RTE 0x%x", count(0, V_INTX), rte);

	/* Command bit 10 holds the pin low; clearing it lets it through. */
	uint32_t cmd = cfg_in(0x04) & 0xffff;
	cfg_out(0x04, cmd | 0x400);
	raise(0);
	check(mmio_read32(TD_INTX) == 1 && count(0, V_INTX) == 1 && !irr_has(V_INTX),
	      "intx-disable-holds-pin", "INTx %u times, device says %u", count(0, V_INTX),
	      mmio_read32(TD_INTX));
	cfg_out(0x04, cmd);
	check(wait_count(0, V_INTX, 2), "intx-enable-delivers", "INTx %u times (%u)",
	      count(0, V_INTX), 0);
	ioapic_write(0x10 + 2 * gsi, 1u << 16);	/* masked */
}

/* Messages yakvm must drop: nothing reaches either vCPU. */
static void test_dropped(void)
{
	msix_control(0x8000);
	uint32_t b0 = count(0, V_CPU0), b1 = count(1, V_CPU0);
	entry_write(0, 0xfed00000u, 0, V_CPU0, 0);		/* not the LAPICs' */
	raise(0);
	entry_write(0, 0xfee00000u, 1, V_CPU0, 0);		/* above 4 GiB */
	raise(0);
	bool none = count(0, V_CPU0) == b0 && !irr_has(V_CPU0) && count(1, V_CPU0) == b1 &&
		    !ap_irr_has(V_CPU0);
	check(none, "msi-bad-address-dropped", "cpu 0: %u more, cpu 1: %u more",
	      count(0, V_CPU0) - b0, count(1, V_CPU0) - b1);
	entry_write(0, 0xfee00000u, 0, 0x300 | V_CPU0, 0);	/* delivery mode 3 */
	raise(0);
	none = count(0, V_CPU0) == b0 && !irr_has(V_CPU0) && !ap_irr_has(V_CPU0);
	check(none, "msi-reserved-mode-dropped", "cpu 0: %u more (%u)", count(0, V_CPU0) - b0, 0);
	/* Still working after the drops. */
	entry_write(0, 0xfee00000u | 1 << 12, 0, V_CPU0, 0);
	raise(0);
	check(wait_count(1, V_CPU0, b1 + 1), "msix-works-after-drops", "cpu 1: %u more (%u)",
	      count(1, V_CPU0) - b1, 0);
	msix_control(0);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	tpm = tsc_per_ms();
	pic_init();
	lapic_setup(0);
	for (unsigned v = V_FIRST; v < V_FIRST + V_COUNT; v++)
		rt_set_irq_handler(v, handler);
	sti();

	find_msix();
	bool ap = start_ap();
	check(ap, "second-vcpu-up", "vCPU 1 did not check in (%u, %u)", 0, 0);
	if (msix_cap && ap) {
		test_routing();
		test_masks();
		test_intx();
		test_dropped();
	}
	printf("%s: %u passed, %d failed\n", TAG, passed, rt_failures);
	return rt_failures;
}
