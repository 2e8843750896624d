/*
 * tests/unit/test_acpi.c - guest/acpi.c (the VM's ACPI tables, parsed back
 * here: checksums, RSDP -> RSDT/XSDT -> FADT/MADT -> DSDT/FACS pointers,
 * FADT fields, MADT entries, \_S5; bounds and error paths; then validated
 * by ACPICA's iasl for a set of configurations (iasl_cases(), the oracle
 * step of tests/fuzz/fuzz_tables.c): each table disassembled with `iasl -d`
 * and compiled back with `iasl`, with no errors or warnings; the DSDT's
 * \_SB.PCI0 read back from the disassembly, _CRS and every _PRT entry,
 * against devices/pci_layout.h) and devices/acpi_pm.c (the
 * PM1 event/control blocks and the reset register the FADT points at).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/acpi.h"
#include "devices/acpi_pm.h"
#include "devices/device.h"
#include "devices/ioapic.h"
#include "devices/hpet.h"
#include "devices/vlapic.h"
#include "devices/pm_timer.h"
#include "devices/pci_layout.h"
#include "devices/testdev.h"
#include "core/vm/vm.h"

#define BASE 0xe0000ull
#define BUFSZ 0x10000

static uint8_t buf[BUFSZ];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The table at gpa: inside buf, with its signature, a length that fits
 * and a zero checksum. */
static uint64_t cur_base = BASE;	/* where build_config() put them */

static const uint8_t *table(uint64_t gpa, const char *sig)
{
	assert_true(gpa >= cur_base && gpa + 36 <= cur_base + BUFSZ);
	const uint8_t *t = buf + (gpa - cur_base);
	assert_memory_equal(t, sig, 4);
	uint32_t len = rd32(t + 4);
	assert_true(len >= 36 && gpa + len <= cur_base + BUFSZ);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "YAKVM ", 6);
	assert_memory_equal(t + 16, "YAKVMVM ", 8);
	return t;
}

struct tables {
	const uint8_t *rsdp, *rsdt, *xsdt, *fadt, *madt, *dsdt, *facs, *hpet;
};

static struct tables build_config(const struct acpi_config *cfg, uint64_t base)
{
	struct acpi_config c = *cfg;
	char err[128] = "";
	memset(buf, 0xa5, sizeof(buf));     /* no field may be left unwritten */
	cur_base = base;
	uint64_t rsdp = acpi_build(&c, buf, sizeof(buf), base, err, sizeof(err));
	assert_int_equal(rsdp, base);
	assert_string_equal(err, "");

	struct tables t = { .rsdp = buf };
	assert_memory_equal(t.rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(t.rsdp, 20), 0);
	assert_int_equal(t.rsdp[15], 2);
	assert_int_equal(rd32(t.rsdp + 20), 36);
	assert_int_equal(sum(t.rsdp, 36), 0);
	assert_memory_equal(t.rsdp + 9, "YAKVM ", 6);
	t.rsdt = table(rd32(t.rsdp + 16), "RSDT");
	t.xsdt = table(rd64(t.rsdp + 24), "XSDT");
	int ntables = c.hpet_base ? 3 : 2;	/* FADT, MADT (, HPET) */
	assert_int_equal(rd32(t.rsdt + 4), 36 + ntables * 4);
	assert_int_equal(rd32(t.xsdt + 4), 36 + ntables * 8);
	static const char *const sigs[] = { "FACP", "APIC", "HPET" };
	for (int i = 0; i < ntables; i++) {
		uint64_t x = rd64(t.xsdt + 36 + 8 * i);
		assert_int_equal(rd32(t.rsdt + 36 + 4 * i), x);   /* same list */
		const uint8_t *e = NULL;
		for (int k = 0; k < 3; k++)
			if (!memcmp(buf + (x - base), sigs[k], 4))
				e = table(x, sigs[k]);
		assert_non_null(e);
		if (e[0] == 'F')
			t.fadt = e;
		else if (e[0] == 'A')
			t.madt = e;
		else
			t.hpet = e;
	}
	assert_true(!c.hpet_base == !t.hpet);
	assert_non_null(t.fadt);
	assert_non_null(t.madt);
	assert_int_equal(rd32(t.fadt + 40), rd64(t.fadt + 140));     /* DSDT == X_DSDT */
	t.dsdt = table(rd64(t.fadt + 140), "DSDT");
	uint64_t facs = rd64(t.fadt + 132);
	assert_int_equal(rd32(t.fadt + 36), facs);                   /* FIRMWARE_CTRL */
	assert_int_equal(facs % 64, 0);
	assert_true(facs >= base && facs + 64 <= base + BUFSZ);
	t.facs = buf + (facs - base);
	assert_memory_equal(t.facs, "FACS", 4);
	assert_int_equal(rd32(t.facs + 4), 64);
	return t;
}

static struct tables build(unsigned ncpus)
{
	struct acpi_config c;
	acpi_config_pc(&c, ncpus);
	return build_config(&c, BASE);
}

static void test_layout_disjoint(void **st)
{
	struct tables t = build(4);
	struct { const uint8_t *p; uint32_t len; } r[] = {
		{ t.rsdp, 36 }, { t.facs, 64 }, { t.rsdt, rd32(t.rsdt + 4) },
		{ t.xsdt, rd32(t.xsdt + 4) }, { t.fadt, rd32(t.fadt + 4) },
		{ t.dsdt, rd32(t.dsdt + 4) }, { t.madt, rd32(t.madt + 4) },
	};
	size_t end = 0;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		for (size_t j = i + 1; j < sizeof(r) / sizeof(r[0]); j++)
			assert_true(r[i].p + r[i].len <= r[j].p || r[j].p + r[j].len <= r[i].p);
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		size_t e = (size_t)(r[i].p - buf) + r[i].len;
		end = e > end ? e : end;
	}
	assert_true(end <= ACPI_BUILD_MAX(4));
	/* Header revisions. */
	assert_int_equal(t.rsdt[8], 1);
	assert_int_equal(t.xsdt[8], 1);
	assert_int_equal(t.fadt[8], 6);
	assert_int_equal(t.dsdt[8], 2);
	assert_true(t.madt[8] >= 4);
}

static void gas_is_io(const uint8_t *g, uint16_t port, unsigned bytes)
{
	assert_int_equal(g[0], 1);              /* system I/O */
	assert_int_equal(g[1], bytes * 8);
	assert_int_equal(g[2], 0);
	assert_int_equal(rd64(g + 4), port);
}

static void test_fadt(void **st)
{
	struct tables t = build(2);
	const uint8_t *f = t.fadt;
	assert_int_equal(rd32(f + 4), 276);
	assert_int_equal(f[131], 4);                        /* ACPI 6.4 */
	assert_int_equal(rd16(f + 46), 9);                  /* SCI_INT */
	assert_int_equal(rd32(f + 48), 0);                  /* SMI_CMD */
	assert_int_equal(rd32(f + 56), ACPI_PM1A_EVT_PORT);
	assert_int_equal(rd32(f + 60), 0);                  /* PM1b_EVT */
	assert_int_equal(rd32(f + 64), ACPI_PM1A_CNT_PORT);
	assert_int_equal(rd32(f + 68), 0);
	assert_int_equal(rd32(f + 72), 0);                  /* PM2_CNT */
	assert_int_equal(rd32(f + 76), PM_TIMER_PORT);
	assert_int_equal(rd32(f + 80), 0);                  /* GPE0 */
	assert_int_equal(rd32(f + 84), 0);
	assert_int_equal(f[88], 4);
	assert_int_equal(f[89], 2);
	assert_int_equal(f[90], 0);
	assert_int_equal(f[91], 4);
	assert_int_equal(f[92], 0);
	assert_int_equal(f[93], 0);
	assert_int_equal(rd16(f + 109), 0x0007);            /* legacy, 8042, no VGA */
	uint32_t flags = rd32(f + 112);
	assert_true(flags & (1u << 10));                    /* RESET_REG_SUP */
	assert_false(flags & (1u << 8));                    /* TMR_VAL_EXT: 24 bits */
	assert_false(flags & (1u << 20));                   /* not HW_REDUCED_ACPI */
	assert_true(flags & (1u << 0));                     /* WBINVD */
	gas_is_io(f + 116, ACPI_RESET_PORT, 1);
	assert_int_equal(f[128], ACPI_RESET_VALUE);
	gas_is_io(f + 148, ACPI_PM1A_EVT_PORT, 4);
	gas_is_io(f + 172, ACPI_PM1A_CNT_PORT, 2);
	gas_is_io(f + 208, PM_TIMER_PORT, 4);
	const unsigned zero_gas[] = { 160, 184, 196, 220, 232, 244, 256 };
	for (size_t i = 0; i < sizeof(zero_gas) / sizeof(zero_gas[0]); i++)
		for (int b = 0; b < 12; b++)
			assert_int_equal(f[zero_gas[i] + b], 0);
	/* The ports do not overlap the PM timer's. */
	assert_true(ACPI_PM1A_EVT_PORT + ACPI_PM1A_EVT_LEN <= PM_TIMER_PORT ||
		    ACPI_PM1A_EVT_PORT >= PM_TIMER_PORT + PM_TIMER_LEN);
	assert_true(ACPI_PM1A_CNT_PORT + ACPI_PM1A_CNT_LEN <= PM_TIMER_PORT ||
		    ACPI_PM1A_CNT_PORT >= PM_TIMER_PORT + PM_TIMER_LEN);
	assert_true(ACPI_RESET_PORT + ACPI_RESET_LEN <= PM_TIMER_PORT ||
		    ACPI_RESET_PORT >= PM_TIMER_PORT + PM_TIMER_LEN);
}

/* IA-PC HPET 1.0a, 3.2.4: the HPET table when the VM has one. */
static void test_hpet_table(void **st)
{
	struct acpi_config c;
	acpi_config_pc(&c, 3);
	c.hpet_base = HPET_BASE;
	struct tables t = build_config(&c, BASE);
	const uint8_t *h = t.hpet;
	assert_int_equal(rd32(h + 4), 56);
	assert_int_equal(h[8], 1);                          /* revision */
	assert_int_equal(rd32(h + 36), HPET_GCAP_LOW);      /* = GCAP_ID's low half */
	assert_int_equal((rd32(h + 36) >> 8) & 0x1f, 2);    /* 3 comparators */
	assert_true(rd32(h + 36) & (1u << 15));             /* legacy replacement */
	assert_int_equal(h[40], 0);                         /* system memory */
	assert_int_equal(h[41], 64);
	assert_int_equal(h[42], 0);
	assert_int_equal(rd64(h + 44), 0xfed00000);
	assert_int_equal(h[52], 0);                         /* HPET number */
	assert_int_equal(rd16(h + 53), HPET_MIN_IRQ_NS / HPET_NS_PER_TICK);
	assert_int_equal(h[55], 1);                         /* 4 KiB protected */
	/* A base the table cannot hold, or not page aligned: refused. */
	char err[128] = "";
	c.hpet_base = 0x100000000ull;
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "HPET"));
	c.hpet_base = HPET_BASE + 0x10;
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), 0);
	/* With 255 CPUs, everything still within ACPI_BUILD_MAX. */
	acpi_config_pc(&c, 255);
	c.hpet_base = HPET_BASE;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(acpi_build(&c, buf, ACPI_BUILD_MAX(255), BASE, err, sizeof(err)), BASE);
}

static void test_no_reset_reg(void **st)
{
	struct acpi_config c;
	char err[128];
	acpi_config_pc(&c, 1);
	c.reset_port = 0;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), BASE);
	const uint8_t *f = buf + (rd64(buf + rd64(buf + 24) - BASE + 36) - BASE);
	assert_memory_equal(f, "FACP", 4);
	assert_int_equal(sum(f, rd32(f + 4)), 0);
	assert_false(rd32(f + 112) & (1u << 10));
	for (int b = 116; b < 129; b++)
		assert_int_equal(f[b], 0);
}

static void test_dsdt_s5(void **st)
{
	struct tables t = build(1);
	const uint8_t want[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				 0x0a, ACPI_S5_SLP_TYP, 0x0a, ACPI_S5_SLP_TYP, 0x00, 0x00 };
	/* The body is iasl's AML of guest/acpi/dsdt.asl, as built; \_S5 first. */
	assert_int_equal(rd32(t.dsdt + 4), 36 + acpi_dsdt_aml_len);
	assert_memory_equal(t.dsdt + 36, acpi_dsdt_aml, acpi_dsdt_aml_len);
	assert_memory_equal(t.dsdt + 36, want, sizeof(want));
	assert_true(acpi_dsdt_aml_len <= ACPI_DSDT_AML_MAX);
}

static void check_madt(unsigned n)
{
	struct tables t = build(n);
	const uint8_t *m = t.madt;
	uint32_t len = rd32(m + 4);
	assert_int_equal(rd32(m + 36), LAPIC_DEFAULT_BASE);
	assert_int_equal(rd32(m + 40), 1);                  /* PCAT_COMPAT */
	unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0, other = 0;
	uint32_t off = 44;
	while (off < len) {
		const uint8_t *e = m + off;
		assert_true(e[1] >= 2 && off + e[1] <= len);
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], 8);
			assert_int_equal(e[2], lapics);         /* UID */
			assert_int_equal(e[3], lapics);         /* APIC ID */
			assert_int_equal(rd32(e + 4), 1);       /* enabled */
			lapics++;
			break;
		case 1:
			assert_int_equal(e[1], 12);
			assert_int_equal(e[2], 0);
			assert_int_equal(rd32(e + 4), IOAPIC_BASE);
			assert_int_equal(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			assert_int_equal(e[1], 10);
			assert_int_equal(e[2], 0);              /* ISA */
			if (e[3] == 0) {
				assert_int_equal(rd32(e + 4), 2);
				assert_int_equal(rd16(e + 8), 0);
			} else {
				assert_int_equal(e[3], 9);
				assert_int_equal(rd32(e + 4), 9);
				assert_int_equal(rd16(e + 8), 0x000d);
			}
			isos++;
			break;
		case 4:
			assert_int_equal(e[1], 6);
			assert_int_equal(e[2], 0xff);
			assert_int_equal(e[5], 1);              /* LINT1 */
			nmis++;
			break;
		default:
			other++;
		}
		off += e[1];
	}
	assert_int_equal(off, len);
	assert_int_equal(lapics, n);
	assert_int_equal(ioapics, 1);
	assert_int_equal(isos, 2);
	assert_int_equal(nmis, 1);
	assert_int_equal(other, 0);
	assert_true((size_t)(m - buf) + len <= ACPI_BUILD_MAX(n));
}

static void test_madt(void **st)
{
	const unsigned ns[] = { 1, 2, 4, 16, 255 };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		check_madt(ns[i]);
}

static void test_errors(void **st)
{
	struct acpi_config c;
	char err[128];
	acpi_config_pc(&c, 0);
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "CPUs"));
	acpi_config_pc(&c, 256);
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "256 CPUs"));
	acpi_config_pc(&c, 2);
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), BASE + 8, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "aligned"));
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), 0xfffffff0ull, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "4 GiB"));

	/* The exact size fits; one byte less fails without writing past the
	 * end (ASan watches the heap buffer). */
	for (unsigned n = 1; n <= 255; n += 127) {
		acpi_config_pc(&c, n);
		size_t need = 0;
		for (size_t sz = 1; sz <= ACPI_BUILD_MAX(n); sz++) {
			uint8_t *b = malloc(sz);
			err[0] = 0;
			uint64_t r = acpi_build(&c, b, sz, BASE, err, sizeof(err));
			free(b);
			if (r) {
				need = sz;
				break;
			}
			assert_non_null(strstr(err, "need"));
		}
		assert_true(need > 0);
	}
}

/* ---- iasl: ACPICA's disassembler and compiler as the oracle ------------ */

static int run(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = 0;
	return pclose(p);
}

static void write_file(const char *path, const uint8_t *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	fclose(f);
}

/* iasl's output must be clean: exit 0 and no error, warning, invalid or
 * checksum message other than the "0 Errors, 0 Warnings" summary. */
static void assert_clean(const char *what, int rc, const char *out)
{
	static char copy[1 << 16];
	strncpy(copy, out, sizeof(copy) - 1);
	copy[sizeof(copy) - 1] = 0;
	for (char *s; (s = strstr(copy, "0 Errors, 0 Warnings")); )
		memset(s, ' ', strlen("0 Errors, 0 Warnings"));
	const char *bad[] = { "rror", "ERROR", "arning", "WARNING", "nvalid",
			      "hecksum", "ncorrect" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rc != 0 || strstr(copy, bad[i])) {
			print_error("iasl on %s (exit %d):\n%s\n", what, rc, out);
			fail();
		}
}

static size_t read_file(const char *path, uint8_t *p, size_t max)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(p, 1, max, f);
	fclose(f);
	return n;
}

/* The text after `key` in s, which must be there. */
static const char *after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	if (!p) {
		print_error("not in the DSDT's disassembly: %s\n", key);
		fail();
	}
	return p + strlen(key);
}

/* One value of iasl's disassembly: Zero, One or a number. */
static unsigned long dsl_value(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == ',')
		(*p)++;
	if (!strncmp(*p, "Zero", 4)) {
		*p += 4;
		return 0;
	}
	if (!strncmp(*p, "One", 3)) {
		*p += 3;
		return 1;
	}
	char *end;
	unsigned long v = strtoul(*p, &end, 0);
	assert_true(end != *p);
	*p = end;
	return v;
}

/* A resource descriptor's Range Minimum, Range Maximum and Length (each
 * number precedes iasl's comment naming it), from p on; returns the text
 * after them. */
static const char *dsl_range(const char *p, unsigned long min, unsigned long max,
			     unsigned long len)
{
	const char *names[] = { "// Range Minimum", "// Range Maximum", "// Length" };
	unsigned long want[] = { min, max, len };
	for (int i = 0; i < 3; i++) {
		const char *q = strstr(p, names[i]);
		assert_non_null(q);
		const char *v = q;
		while (v > p && v[-1] == ' ')
			v--;
		while (v > p && v[-1] != ' ')
			v--;
		assert_int_equal(strtoul(v, NULL, 0), want[i]);
		p = q + strlen(names[i]);
	}
	return p;
}

/* \_SB.PCI0 in iasl's disassembly of the DSDT (ACPI 6.4: 6.1.5 _HID,
 * 6.2.2 _CRS with the descriptors of 6.4, 6.2.13 _PRT), against
 * devices/pci_layout.h. */
static void check_pci0_dsl(const char *dsl)
{
	const char *d = after(dsl, "Device (PCI0)");
	assert_non_null(strstr(d, "Name (_HID, EisaId (\"PNP0A03\")"));
	assert_non_null(strstr(d, "Name (_UID, Zero)"));
	assert_non_null(strstr(d, "Name (_SEG, Zero)"));
	assert_non_null(strstr(d, "Name (_BBN, Zero)"));
	/* _CRS: the descriptors in their order. */
	const char *p = after(d, "Name (_CRS, ResourceTemplate ()");
	p = after(p, "WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,");
	p = dsl_range(p, PCI_BUS_FIRST, PCI_BUS_LAST, PCI_BUS_COUNT);
	p = after(p, "IO (Decode16,");
	p = dsl_range(p, PCI_CFG_PORT, PCI_CFG_PORT, PCI_CFG_PORT_LEN);
	const char *wordio = "WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,";
	p = dsl_range(after(p, wordio), PCI_IO_LOW_BASE, PCI_IO_LOW_LIMIT, PCI_IO_LOW_LEN);
	p = dsl_range(after(p, wordio), PCI_IO_HIGH_BASE, PCI_IO_HIGH_LIMIT, PCI_IO_HIGH_LEN);
	p = after(p, "DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, "
		  "NonCacheable, ReadWrite,");
	p = dsl_range(p, PCI_MMIO_WINDOW_BASE, PCI_MMIO_WINDOW_LIMIT, PCI_MMIO_WINDOW_LEN);
	p = after(p, "})");
	assert_null(strstr(p, "ResourceTemplate"));
	/* RAM and the test device's BAR against the window. */
	assert_true(PCI_MMIO_WINDOW_BASE >= 0xc0000000u);
	assert_true(TESTDEV_BASE >= PCI_MMIO_WINDOW_BASE &&
		    TESTDEV_BASE + TESTDEV_SIZE - 1 <= PCI_MMIO_WINDOW_LIMIT);
	assert_true(PCI_MMIO_WINDOW_LIMIT < IOAPIC_BASE);

	/* _PRT: 4 pins of each of the 32 slots, in order, each GSI the
	 * rule's (Source 0: the GSI form). */
	p = after(d, "Name (_PRT, Package (0x80)");
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++)
		for (unsigned pin = 0; pin < 4; pin++) {
			p = after(p, "Package (0x04)");
			p = after(p, "{");
			assert_int_equal(dsl_value(&p), slot << 16 | 0xffff);
			assert_int_equal(dsl_value(&p), pin);
			assert_int_equal(dsl_value(&p), 0);
			assert_int_equal(dsl_value(&p), pci_intx_gsi(slot, pin + 1));
		}
	assert_null(strstr(p, "Package (0x04)"));
}

/* The configurations iasl checks (the oracle step of the table fuzzing,
 * tests/fuzz/fuzz_tables.c): the PC VM with 1 to 255 vCPUs, then other
 * IOAPIC ids and addresses, LAPIC addresses, PM ports, SCI IRQs, no reset
 * register, and other places for the tables. */
struct iasl_case {
	struct acpi_config c;
	uint64_t base;
};

static size_t iasl_cases(struct iasl_case *out, size_t max)
{
	static const unsigned ns[] = { 1, 2, 3, 4, 8, 16, 64, 128, 254, 255 };
	size_t n = 0;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		out[n].base = BASE;
		acpi_config_pc(&out[n++].c, ns[i]);
	}
	struct acpi_config c;
	acpi_config_pc(&c, 2);
	c.reset_port = 0;				/* no reset register */
	out[n++] = (struct iasl_case){ c, 0xf0000 };
	acpi_config_pc(&c, 5);
	c.ioapic_id = 15;
	c.ioapic_base = 0xfec10000;
	c.lapic_base = 0xfed00000;
	c.pm_timer_port = 0x608;
	c.pm1a_evt_port = 0x600;
	c.pm1a_cnt_port = 0x604;
	c.sci_irq = 11;
	c.reset_port = 0xcf9;
	c.reset_value = 0x06;
	out[n++] = (struct iasl_case){ c, 0xe0010 };
	acpi_config_pc(&c, 4);
	c.hpet_base = HPET_BASE;			/* hpet=on */
	out[n++] = (struct iasl_case){ c, BASE };
	acpi_config_pc(&c, 7);
	c.ioapic_id = 0;
	c.sci_irq = 0;
	c.pm_timer_port = 0xfffc;
	out[n++] = (struct iasl_case){ c, 0xfe000 };
	assert_true(n <= max);
	return n;
}

static void test_iasl(void **st)
{
	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		print_message("SKIPPED: iasl (Debian acpica-tools) is not installed\n");
		skip();
	}
	static char out[1 << 16], dsl[1 << 16];
	static uint8_t aml[1 << 14];
	char cmd[512], path[256];
	struct iasl_case cases[32];
	size_t ncases = iasl_cases(cases, sizeof(cases) / sizeof(cases[0]));
	for (size_t k = 0; k < ncases; k++) {
		struct tables t = build_config(&cases[k].c, cases[k].base);
		unsigned ncpus = cases[k].c.ncpus;
		char dir[] = "/tmp/yakvm-acpi-XXXXXX";
		assert_non_null(mkdtemp(dir));
		struct { const char *name; const uint8_t *p; size_t len; } tabs[] = {
			{ "facs", t.facs, 64 },
			{ "rsdt", t.rsdt, rd32(t.rsdt + 4) }, { "xsdt", t.xsdt, rd32(t.xsdt + 4) },
			{ "facp", t.fadt, rd32(t.fadt + 4) }, { "apic", t.madt, rd32(t.madt + 4) },
			{ "dsdt", t.dsdt, rd32(t.dsdt + 4) },
			{ "hpet", t.hpet, t.hpet ? rd32(t.hpet + 4) : 0 },
		};
		/* YAKVM_IASL_VERBOSE=1 shows what iasl says about the 4-CPU tables. */
		bool show = k == 3 && getenv("YAKVM_IASL_VERBOSE");
		for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
			const char *name = tabs[i].name;
			if (!tabs[i].p)
				continue;	/* no HPET in this configuration */
			snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
			write_file(path, tabs[i].p, tabs[i].len);
			/* Disassemble: iasl flags a bad checksum in the .dsl only
			 * ("Incorrect checksum, should be ..."). */
			snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat 2>&1", dir, name);
			int rc = run(cmd, out, sizeof(out));
			if (show)
				print_message("--- iasl -d %s.dat (%u CPUs):\n%s", name, ncpus, out);
			if (rc || strstr(out, "rror"))
				print_error("configuration %zu (%u CPUs, base 0x%llx)\n", k, ncpus,
					    (unsigned long long)cases[k].base);
			assert_clean(name, rc, out);
			assert_non_null(strstr(out, "Binary file appears to be a valid ACPI table"));
			snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
			size_t n = read_file(path, (uint8_t *)dsl, sizeof(dsl) - 1);
			dsl[n] = 0;
			if (strstr(dsl, "ncorrect") || strstr(dsl, "nvalid")) {
				print_error("%s.dsl:\n%s\n", name, dsl);
				fail();
			}
			/* Compile the source back (AML for the DSDT, the data table
			 * compiler for the others)... */
			snprintf(cmd, sizeof(cmd), "cd %s && iasl %s.dsl 2>&1", dir, name);
			rc = run(cmd, out, sizeof(out));
			if (show)
				print_message("--- iasl %s.dsl:\n%s", name, out);
			assert_clean(name, rc, out);
			assert_non_null(strstr(out, "Compilation successful. 0 Errors, 0 Warnings"));
			/* ...into the very same bytes: every field is one iasl knows
			 * (the header aside, where iasl names itself as the
			 * creator and so has its own checksum; the FACS has no
			 * such header). */
			snprintf(path, sizeof(path), "%s/%s.aml", dir, name);
			n = read_file(path, aml, sizeof(aml));
			assert_int_equal(n, tabs[i].len);
			if (strcmp(name, "facs") == 0) {
				assert_memory_equal(aml, tabs[i].p, n);
			} else {
				assert_memory_equal(aml, tabs[i].p, 9);
				assert_memory_equal(aml + 10, tabs[i].p + 10, 28 - 10);
				assert_memory_equal(aml + 36, tabs[i].p + 36, n - 36);
				assert_int_equal(sum(aml, n), 0);
			}
		}
		/* The DSDT source has \_S5 and \_SB.PCI0 as meant. */
		snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
		size_t n = read_file(path, (uint8_t *)dsl, sizeof(dsl) - 1);
		dsl[n] = 0;
		assert_non_null(strstr(dsl, "Name (_S5, Package (0x04)"));
		assert_non_null(strstr(dsl, "0x05, \n        0x05, \n        Zero, \n        Zero"));
		check_pci0_dsl(dsl);

		/* iasl cannot disassemble an RSDP (it has no table header), but
		 * its data table compiler builds one, checksums included: from
		 * our field values it must produce our 36 bytes. */
		snprintf(path, sizeof(path), "%s/rsdp.asl", dir);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "[0008] Signature : \"RSD PTR \"\n"
			   "[0001] Checksum : 00\n"
			   "[0006] Oem ID : \"%.6s\"\n"
			   "[0001] Revision : %02X\n"
			   "[0004] RSDT Address : %08X\n"
			   "[0004] Length : %08X\n"
			   "[0008] XSDT Address : %016llX\n"
			   "[0001] Extended Checksum : 00\n"
			   "[0003] Reserved : 000000\n",
			(const char *)t.rsdp + 9, t.rsdp[15], rd32(t.rsdp + 16),
			rd32(t.rsdp + 20), (unsigned long long)rd64(t.rsdp + 24));
		fclose(f);
		snprintf(cmd, sizeof(cmd), "cd %s && iasl rsdp.asl 2>&1", dir);
		int rc = run(cmd, out, sizeof(out));
		if (show)
			print_message("--- iasl rsdp.asl:\n%s", out);
		assert_clean("rsdp", rc, out);
		snprintf(path, sizeof(path), "%s/rsdp.aml", dir);
		n = read_file(path, aml, sizeof(aml));
		assert_int_equal(n, 36);
		assert_memory_equal(aml, t.rsdp, 36);

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* ---- devices/acpi_pm.c ------------------------------------------------- */

static struct vm vm;
static const struct device_decl pm_decl = {
	"acpi-pm", &acpi_pm_model,
	.pio = { { ACPI_PM1A_EVT_PORT, ACPI_PM1A_EVT_LEN },
		 { ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN },
		 { ACPI_RESET_PORT, ACPI_RESET_LEN } },
};
static _Alignas(16) uint8_t pm_state[256];
static struct device pm;
static unsigned ends, resets;
static int end_status;
static const char *end_why;

void vm_end(struct vm *v, int status, const char *why)
{
	assert_ptr_equal(v, &vm);
	ends++;
	end_status = status;
	end_why = why;
}

void vm_request_reset(struct vm *v)
{
	assert_ptr_equal(v, &vm);
	resets++;
}

static void pm_power_on(void)
{
	memset(pm_state, 0x5a, sizeof(pm_state));
	assert_true(acpi_pm_model.state_size <= sizeof(pm_state));
	pm = (struct device){ .decl = &pm_decl, .vm = &vm, .state = pm_state };
	acpi_pm_model.reset(&pm);
	ends = resets = 0;
	end_why = NULL;
}

static uint32_t in(uint16_t port, unsigned size) { return acpi_pm_model.pio_read(&pm, port, size); }
static void out(uint16_t port, unsigned size, uint32_t v) { acpi_pm_model.pio_write(&pm, port, size, v); }

static void test_pm_cnt(void **st)
{
	pm_power_on();
	assert_int_equal(in(ACPI_PM1A_CNT_PORT, 2), 0x0001);        /* SCI_EN */
	assert_int_equal(in(ACPI_PM1A_CNT_PORT, 1), 0x01);
	out(ACPI_PM1A_CNT_PORT, 2, 0);                              /* SCI_EN sticks */
	assert_int_equal(in(ACPI_PM1A_CNT_PORT, 2), 0x0001);
	/* SLP_TYP alone is stored; BM_RLD too; GBL_RLS reads 0. */
	out(ACPI_PM1A_CNT_PORT, 2, ACPI_S5_SLP_TYP << 10 | 0x0006);
	assert_int_equal(in(ACPI_PM1A_CNT_PORT, 2), ACPI_S5_SLP_TYP << 10 | 0x0003);
	assert_int_equal(ends, 0);
	/* Sleep types other than S5: no end; WAK_STS says "woke up". */
	for (unsigned typ = 0; typ < 8; typ++) {
		if (typ == ACPI_S5_SLP_TYP)
			continue;
		out(ACPI_PM1A_EVT_PORT, 2, 0xffff);                 /* clear status */
		out(ACPI_PM1A_CNT_PORT, 2, typ << 10 | 1u << 13 | 1);
		assert_int_equal(ends, 0);
		assert_int_equal(resets, 0);
		assert_int_equal(in(ACPI_PM1A_EVT_PORT, 2), 0x8000);
		assert_int_equal(in(ACPI_PM1A_CNT_PORT, 2) & (1u << 13), 0);   /* SLP_EN reads 0 */
	}
	/* S5 as ACPICA does it: SLP_TYP first, then SLP_TYP | SLP_EN. */
	out(ACPI_PM1A_CNT_PORT, 2, ACPI_S5_SLP_TYP << 10 | 1);
	assert_int_equal(ends, 0);
	out(ACPI_PM1A_CNT_PORT, 2, ACPI_S5_SLP_TYP << 10 | 1u << 13 | 1);
	assert_int_equal(ends, 1);
	assert_int_equal(end_status, 0);
	assert_string_equal(end_why, "the guest powered off (ACPI S5)");
	assert_int_equal(resets, 0);

	/* Byte access: SLP_TYP and SLP_EN are in the high byte. */
	pm_power_on();
	out(ACPI_PM1A_CNT_PORT + 1, 1, (ACPI_S5_SLP_TYP << 2) | 0x20);
	assert_int_equal(ends, 1);
}

static void test_pm_evt(void **st)
{
	pm_power_on();
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 4), 0);
	/* PM1_EN keeps only the bits that exist. */
	out(ACPI_PM1A_EVT_PORT + 2, 2, 0xffff);
	assert_int_equal(in(ACPI_PM1A_EVT_PORT + 2, 2), 0x4721);
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 4), 0x47210000u);
	out(ACPI_PM1A_EVT_PORT + 2, 1, 0x00);                        /* low byte only */
	assert_int_equal(in(ACPI_PM1A_EVT_PORT + 2, 2), 0x4700);
	/* A dword write of status 0 and enable 0x0100 (as ACPICA may). */
	out(ACPI_PM1A_EVT_PORT, 4, 0x01000000);
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 4), 0x01000000);
	/* PM1_STS is write-1-to-clear. */
	out(ACPI_PM1A_CNT_PORT, 2, 1u << 10 | 1u << 13);            /* "S1": WAK_STS */
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 2), 0x8000);
	out(ACPI_PM1A_EVT_PORT, 2, 0x7fff);
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 2), 0x8000);
	out(ACPI_PM1A_EVT_PORT + 1, 1, 0x80);
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 2), 0x0000);
	/* Reset: back to zero. */
	out(ACPI_PM1A_CNT_PORT, 2, 1u << 10 | 1u << 13);
	acpi_pm_model.reset(&pm);
	assert_int_equal(in(ACPI_PM1A_EVT_PORT, 4), 0);
	assert_int_equal(in(ACPI_PM1A_CNT_PORT, 2), 1);
	assert_int_equal(ends, 0);
}

static void test_pm_reset_reg(void **st)
{
	pm_power_on();
	assert_int_equal(in(ACPI_RESET_PORT, 1), 0);
	out(ACPI_RESET_PORT, 1, ACPI_RESET_VALUE ^ 0xff);
	assert_int_equal(resets, 0);
	out(ACPI_RESET_PORT, 1, ACPI_RESET_VALUE);
	assert_int_equal(resets, 1);
	assert_int_equal(ends, 0);
	/* The value the FADT gives is the one the device takes. */
	struct tables t = build(1);
	assert_int_equal(t.fadt[128], ACPI_RESET_VALUE);
	assert_int_equal(rd64(t.fadt + 120), ACPI_RESET_PORT);
	out((uint16_t)rd64(t.fadt + 120), 1, t.fadt[128]);
	assert_int_equal(resets, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_disjoint),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_no_reset_reg),
		cmocka_unit_test(test_hpet_table),
		cmocka_unit_test(test_dsdt_s5),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_iasl),
		cmocka_unit_test(test_pm_cnt),
		cmocka_unit_test(test_pm_evt),
		cmocka_unit_test(test_pm_reset_reg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
