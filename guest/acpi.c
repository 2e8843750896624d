/*
 * guest/acpi.c - builds a VM's ACPI tables (ACPI 6.4: 5.2.5 RSDP, 5.2.6
 * the system description table header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT,
 * 5.2.10 FACS, 5.2.11.1 DSDT, 5.2.12 MADT; 4.8 the fixed hardware; 7.4.2
 * \_S5). The layout in buf, each piece aligned in guest-physical space:
 *
 *   RSDP (36 bytes, at buf[0]) | FACS (64, 64-aligned) | RSDT | XSDT |
 *   FADT (276) | DSDT | MADT | HPET (56, if hpet_base)
 *
 * Every field is written byte by byte, little-endian, at the offset the
 * spec gives, so nothing depends on structure packing or alignment.
 */
#include "guest/acpi.h"
#include "guest/acpi_dsdt.h"
#include "guest/layout.h"
#include "devices/acpi_pm.h"
#include "devices/hpet.h"
#include "devices/ioapic.h"
#include "devices/vlapic.h"
#include "devices/pm_timer.h"
#include "devices/pci_layout.h"
#include "devices/testdev.h"
#include "lib/format.h"
#include "lib/string.h"

#define HDR_LEN     36      /* 5.2.6 */
#define RSDP_LEN    36
#define FACS_LEN    64
#define FADT_LEN    276     /* revision 6 */
#define MADT_LAPIC_LEN    8
#define MADT_IOAPIC_LEN   12
#define MADT_ISO_LEN      10
#define MADT_LAPIC_NMI_LEN 6
#define HPET_TABLE_LEN    56      /* IA-PC HPET 1.0a, 3.2.4 */

#define OEM_ID        "YAKVM "
#define OEM_TABLE_ID  "YAKVMVM "
#define OEM_REVISION  1
#define CREATOR_ID    "YAKV"
#define CREATOR_REV   1

/* Generic Address Structure (5.2.3.2) */
#define GAS_SYSTEM_MEMORY 0
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE  1
#define GAS_ACCESS_WORD  2
#define GAS_ACCESS_DWORD 3

/* FADT Flags (5.2.9, table 5.10) */
#define FADT_WBINVD         (1u << 0)
#define FADT_PROC_C1        (1u << 2)
#define FADT_PWR_BUTTON     (1u << 4)   /* no fixed-feature power button */
#define FADT_SLP_BUTTON     (1u << 5)   /* no fixed-feature sleep button */
#define FADT_FIX_RTC        (1u << 6)   /* no RTC wake status in PM1_STS */
#define FADT_RESET_REG_SUP  (1u << 10)
/* TMR_VAL_EXT (bit 8) stays clear: the PM timer has 24 bits. */

/* FADT IA-PC Boot Architecture Flags (5.2.9.3) */
#define BOOT_LEGACY_DEVICES (1u << 0)
#define BOOT_8042           (1u << 1)
#define BOOT_VGA_NOT_PRESENT (1u << 2)

/* MADT (5.2.12) */
#define MADT_PCAT_COMPAT    (1u << 0)
#define MADT_TYPE_LAPIC     0
#define MADT_TYPE_IOAPIC    1
#define MADT_TYPE_ISO       2
#define MADT_TYPE_LAPIC_NMI 4
#define MADT_LAPIC_ENABLED  (1u << 0)
/* MPS INTI flags (table 5.26): polarity bits 1:0, trigger mode bits 3:2 */
#define INTI_CONFORMING     0x0000
#define INTI_HIGH_LEVEL     0x000d      /* active high (01), level (11) */

static void put8(uint8_t *p, uint8_t v) { p[0] = v; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Byte that makes the sum of p[0..len) zero, given that p[at] is 0 now. */
static void set_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

/* The common header (5.2.6); the checksum is set last by finish(). */
static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	put8(t + 8, rev);
	put8(t + 9, 0);                     /* checksum */
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	put32(t + 32, CREATOR_REV);
}

static void finish(uint8_t *t, uint32_t len) { set_checksum(t, len, 9); }

/* Generic Address Structure (5.2.3.2), 12 bytes, system I/O space. */
static void gas_io(uint8_t *p, uint16_t port, uint8_t bytes, uint8_t access)
{
	put8(p + 0, GAS_SYSTEM_IO);
	put8(p + 1, (uint8_t)(bytes * 8));  /* register bit width */
	put8(p + 2, 0);                     /* bit offset */
	put8(p + 3, access);
	put64(p + 4, port);
}

/*
 * The DSDT's body is guest/acpi/dsdt.asl, compiled by iasl at build time
 * (guest/acpi_dsdt.h): \_S5 and the PCI root bridge \_SB.PCI0, its windows
 * and _PRT from devices/pci_layout.h. What that header promises about the
 * rest of the machine:
 */
_Static_assert(PCI_MMIO_WINDOW_BASE >= GUEST_MMIO_START,
	       "the memory window lies above low RAM (guest/layout.h)");
_Static_assert(PCI_MMIO_WINDOW_LIMIT < IOAPIC_BASE && IOAPIC_BASE < HPET_BASE &&
	       HPET_BASE < LAPIC_DEFAULT_BASE,
	       "the IOAPIC, HPET and LAPIC pages lie above the memory window");
_Static_assert(TESTDEV_BASE >= PCI_MMIO_WINDOW_BASE &&
	       TESTDEV_BASE + TESTDEV_SIZE - 1 <= PCI_MMIO_WINDOW_LIMIT,
	       "the test device's BAR 0 lies in the memory window");
_Static_assert(ACPI_PM1A_EVT_PORT >= PCI_IO_HIGH_BASE &&
	       ACPI_RESET_PORT + ACPI_RESET_LEN <= PCI_IO_BAR_BASE &&
	       PM_TIMER_PORT + PM_TIMER_LEN <= PCI_IO_BAR_BASE,
	       "the ACPI fixed hardware lies below where I/O BARs go");
_Static_assert((HPET_ROUTE_CAP & PCI_INTX_GSI_MASK) == 0,
	       "the HPET's IOAPIC pins are not PCI INTx lines");
_Static_assert(PCI_INTX_GSI_BASE >= 16 && PCI_INTX_GSI_BASE + PCI_INTX_GSI_COUNT <= IOAPIC_PINS,
	       "the INTx GSIs are IOAPIC pins without an ISA IRQ");

void acpi_config_pc(struct acpi_config *c, unsigned ncpus)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = ncpus;
	c->ioapic_id = 0;
	c->ioapic_base = IOAPIC_BASE;
	c->lapic_base = LAPIC_DEFAULT_BASE;
	c->pm_timer_port = PM_TIMER_PORT;
	c->pm1a_evt_port = ACPI_PM1A_EVT_PORT;
	c->pm1a_cnt_port = ACPI_PM1A_CNT_PORT;
	c->sci_irq = ACPI_SCI_IRQ;
	c->reset_port = ACPI_RESET_PORT;
	c->reset_value = ACPI_RESET_VALUE;
}

/* Offset in buf of the next piece, aligned to `align` in GPA space. */
static size_t place(uint64_t base, size_t *off, size_t len, uint64_t align)
{
	uint64_t gpa = (base + *off + align - 1) & ~(align - 1);
	size_t at = (size_t)(gpa - base);
	*off = at + len;
	return at;
}

static void build_rsdp(uint8_t *p, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, OEM_ID, 6);
	put8(p + 15, 2);                    /* revision: ACPI 2.0+ */
	put32(p + 16, rsdt);
	put32(p + 20, RSDP_LEN);
	put64(p + 24, xsdt);
	memset(p + 33, 0, 3);               /* reserved */
	set_checksum(p, 20, 8);             /* the ACPI 1.0 part */
	set_checksum(p, RSDP_LEN, 32);      /* extended checksum: all of it */
}

static void build_facs(uint8_t *p)
{
	memset(p, 0, FACS_LEN);
	memcpy(p, "FACS", 4);
	put32(p + 4, FACS_LEN);
	/* Hardware signature, waking vectors, global lock, flags: 0 (no S4
	 * BIOS, no 64-bit wake); no checksum (5.2.10). */
	put8(p + 32, 2);                    /* version */
}

static void build_fadt(uint8_t *t, const struct acpi_config *c,
		       uint64_t facs, uint64_t dsdt)
{
	memset(t, 0, FADT_LEN);
	header(t, "FACP", FADT_LEN, 6);
	put32(t + 36, (uint32_t)facs);      /* FIRMWARE_CTRL */
	put32(t + 40, (uint32_t)dsdt);      /* DSDT */
	put8(t + 45, 0);                    /* Preferred_PM_Profile: unspecified */
	put16(t + 46, c->sci_irq);          /* SCI_INT */
	put32(t + 48, 0);                   /* SMI_CMD: none, always in ACPI mode */
	put32(t + 56, c->pm1a_evt_port);    /* PM1a_EVT_BLK */
	put32(t + 64, c->pm1a_cnt_port);    /* PM1a_CNT_BLK */
	put32(t + 76, c->pm_timer_port);    /* PM_TMR_BLK */
	put8(t + 88, ACPI_PM1A_EVT_LEN);    /* PM1_EVT_LEN */
	put8(t + 89, ACPI_PM1A_CNT_LEN);    /* PM1_CNT_LEN */
	put8(t + 91, PM_TIMER_LEN);         /* PM_TMR_LEN */
	/* No GPE blocks (GPE0/1_BLK and lengths 0), no PM2, no C2/C3: */
	put16(t + 96, 101);                 /* P_LVL2_LAT > 100: no C2 */
	put16(t + 98, 1001);                /* P_LVL3_LAT > 1000: no C3 */
	put8(t + 108, 0x32);                /* CENTURY: CMOS RTC register 0x32 */
	put16(t + 109, BOOT_LEGACY_DEVICES | BOOT_8042 | BOOT_VGA_NOT_PRESENT);
	put32(t + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		       FADT_SLP_BUTTON | FADT_FIX_RTC |
		       (c->reset_port ? FADT_RESET_REG_SUP : 0));
	if (c->reset_port) {                /* reset_port 0: no reset register */
		gas_io(t + 116, c->reset_port, 1, GAS_ACCESS_BYTE);  /* RESET_REG */
		put8(t + 128, c->reset_value);  /* RESET_VALUE */
	}
	put16(t + 129, 0);                  /* ARM_BOOT_ARCH */
	put8(t + 131, 4);                   /* FADT minor version: ACPI 6.4 */
	put64(t + 132, facs);               /* X_FIRMWARE_CTRL */
	put64(t + 140, dsdt);               /* X_DSDT */
	gas_io(t + 148, c->pm1a_evt_port, ACPI_PM1A_EVT_LEN, GAS_ACCESS_WORD);
	gas_io(t + 172, c->pm1a_cnt_port, ACPI_PM1A_CNT_LEN, GAS_ACCESS_WORD);
	gas_io(t + 208, c->pm_timer_port, PM_TIMER_LEN, GAS_ACCESS_DWORD);
	/* X_PM1b_*, X_PM2_CNT_BLK, X_GPE*_BLK, SLEEP_CONTROL/STATUS_REG: 0;
	 * hypervisor vendor identity (+268): 0. */
	finish(t, FADT_LEN);
}

static uint32_t madt_len(unsigned ncpus)
{
	return HDR_LEN + 8 + ncpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	       2 * MADT_ISO_LEN + MADT_LAPIC_NMI_LEN;
}

static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	put8(e + 0, MADT_TYPE_ISO);
	put8(e + 1, MADT_ISO_LEN);
	put8(e + 2, 0);                     /* bus: ISA */
	put8(e + 3, irq);                   /* source */
	put32(e + 4, gsi);
	put16(e + 8, flags);
	return e + MADT_ISO_LEN;
}

static void build_madt(uint8_t *t, const struct acpi_config *c)
{
	uint32_t len = madt_len(c->ncpus);
	header(t, "APIC", len, 5);
	put32(t + 36, (uint32_t)c->lapic_base);
	put32(t + 40, MADT_PCAT_COMPAT);    /* the 8259s are there */
	uint8_t *e = t + 44;
	for (unsigned i = 0; i < c->ncpus; i++, e += MADT_LAPIC_LEN) {
		put8(e + 0, MADT_TYPE_LAPIC);
		put8(e + 1, MADT_LAPIC_LEN);
		put8(e + 2, (uint8_t)i);        /* ACPI processor UID */
		put8(e + 3, (uint8_t)i);        /* APIC ID */
		put32(e + 4, MADT_LAPIC_ENABLED);
	}
	put8(e + 0, MADT_TYPE_IOAPIC);
	put8(e + 1, MADT_IOAPIC_LEN);
	put8(e + 2, (uint8_t)c->ioapic_id);
	put8(e + 3, 0);                     /* reserved */
	put32(e + 4, (uint32_t)c->ioapic_base);
	put32(e + 8, 0);                    /* GSI base */
	e += MADT_IOAPIC_LEN;
	/* The PIT's IRQ 0 is pin 2 (devices/irq.h); the SCI is level, high. */
	e = madt_iso(e, 0, 2, INTI_CONFORMING);
	e = madt_iso(e, c->sci_irq, c->sci_irq, INTI_HIGH_LEVEL);
	put8(e + 0, MADT_TYPE_LAPIC_NMI);
	put8(e + 1, MADT_LAPIC_NMI_LEN);
	put8(e + 2, 0xff);                  /* all processors */
	put16(e + 3, INTI_CONFORMING);
	put8(e + 5, 1);                     /* LINT1 */
	finish(t, len);
}

/* IA-PC HPET 1.0a, 3.2.4: the event timer block, its registers in memory
 * space, HPET number 0, the minimum periodic tick, 4 KiB page protection. */
static void build_hpet(uint8_t *t, const struct acpi_config *c)
{
	memset(t, 0, HPET_TABLE_LEN);
	header(t, "HPET", HPET_TABLE_LEN, 1);
	put32(t + 36, HPET_GCAP_LOW);       /* Event Timer Block ID */
	put8(t + 40, GAS_SYSTEM_MEMORY);    /* BASE_ADDRESS (GAS) */
	put8(t + 41, 64);                   /* register bit width */
	put8(t + 42, 0);                    /* bit offset */
	put8(t + 43, 0);                    /* access size: undefined (any) */
	put64(t + 44, c->hpet_base);
	put8(t + 52, 0);                    /* HPET Number */
	/* Main Counter Minimum Clock_tick in Periodic Mode: the rate clamp. */
	put16(t + 53, (uint16_t)(HPET_MIN_IRQ_NS / HPET_NS_PER_TICK));
	put8(t + 55, 1);                    /* page protection: 4 KiB */
	finish(t, HPET_TABLE_LEN);
}

uint64_t acpi_build(const struct acpi_config *c, uint8_t *buf, size_t buflen,
		    uint64_t base, char *err, size_t errlen)
{
	if (c->ncpus == 0 || c->ncpus > ACPI_GUEST_MAX_CPUS) {
		snprintf(err, errlen, "ACPI tables: %u CPUs (1 to %u supported)",
			 c->ncpus, ACPI_GUEST_MAX_CPUS);
		return 0;
	}
	if (base == 0 || base & 15) {
		snprintf(err, errlen, "ACPI tables: base 0x%llx is not a 16-byte aligned address",
			 (unsigned long long)base);
		return 0;
	}
	if (c->ioapic_id > 0xff || c->ioapic_base >> 32 || c->lapic_base >> 32 ||
	    c->sci_irq > 15 || c->hpet_base >> 32 || c->hpet_base & 0xfff) {
		snprintf(err, errlen, "ACPI tables: IOAPIC id/address, LAPIC address, SCI IRQ "
			 "or HPET address out of range");
		return 0;
	}

	size_t off = 0;
	unsigned ntables = c->hpet_base ? 3 : 2;    /* FADT, MADT (, HPET) */
	size_t rsdp = place(base, &off, RSDP_LEN, 16);
	size_t facs = place(base, &off, FACS_LEN, 64);
	size_t rsdt = place(base, &off, HDR_LEN + ntables * 4, 16);
	size_t xsdt = place(base, &off, HDR_LEN + ntables * 8, 16);
	size_t fadt = place(base, &off, FADT_LEN, 16);
	uint32_t dsdt_len = HDR_LEN + (uint32_t)acpi_dsdt_aml_len;
	size_t dsdt = place(base, &off, dsdt_len, 16);
	size_t madt = place(base, &off, madt_len(c->ncpus), 16);
	size_t hpet = c->hpet_base ? place(base, &off, HPET_TABLE_LEN, 16) : 0;
	if (off > buflen) {
		snprintf(err, errlen, "ACPI tables: need %zu bytes, have %zu", off, buflen);
		return 0;
	}
	if (base + off > 0x100000000ull) {
		snprintf(err, errlen, "ACPI tables: base 0x%llx: they must lie below 4 GiB",
			 (unsigned long long)base);
		return 0;
	}

	/* Leaves first (their checksums go into nothing else), then the roots. */
	build_facs(buf + facs);
	header(buf + dsdt, "DSDT", dsdt_len, 2);   /* rev 2: 64-bit integers */
	memcpy(buf + dsdt + HDR_LEN, acpi_dsdt_aml, acpi_dsdt_aml_len);
	finish(buf + dsdt, dsdt_len);
	build_fadt(buf + fadt, c, base + facs, base + dsdt);
	build_madt(buf + madt, c);
	if (c->hpet_base)
		build_hpet(buf + hpet, c);
	size_t tables[3] = { fadt, madt, hpet };

	uint8_t *t = buf + rsdt;
	uint32_t len = HDR_LEN + ntables * 4;
	header(t, "RSDT", len, 1);
	for (unsigned i = 0; i < ntables; i++)
		put32(t + HDR_LEN + 4 * i, (uint32_t)(base + tables[i]));
	finish(t, len);

	t = buf + xsdt;
	len = HDR_LEN + ntables * 8;
	header(t, "XSDT", len, 1);
	for (unsigned i = 0; i < ntables; i++)
		put64(t + HDR_LEN + 8 * i, base + tables[i]);
	finish(t, len);

	build_rsdp(buf + rsdp, (uint32_t)(base + rsdt), base + xsdt);
	return base + rsdp;
}
