/*
 * tests/unit/test_madt.c - the host's MADT reader (arch/x86/acpi.c): CPUs
 * from xAPIC and x2APIC entries, disabled entries, and the LINT pin each
 * CPU has wired to NMI (local APIC NMI entries by UID or for all).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/acpi.h"

#define RSDT_PA 0x1000
#define MADT_PA 0x2000

static uint8_t mem[0x4000];
static uint8_t rsdp[20];
static size_t madt_len;

static bool read_mem(uint64_t pa, void *dst, size_t len)
{
	if (pa > sizeof(mem) || len > sizeof(mem) - pa)
		return false;
	memcpy(dst, mem + pa, len);
	return true;
}

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

static void header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	t[8] = 1;
}

/* An empty MADT (header, LAPIC address, flags); entries are appended. */
static void begin(void)
{
	memset(mem, 0, sizeof(mem));
	madt_len = 44;
	uint32_t base = 0xfee00000;
	memcpy(mem + MADT_PA + 36, &base, 4);
}

static void entry(const uint8_t *e, size_t len)
{
	memcpy(mem + MADT_PA + madt_len, e, len);
	madt_len += len;
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, uid, id };
	memcpy(e + 4, &flags, 4);
	entry(e, sizeof(e));
}

static void x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
	uint8_t e[16] = { 9, 16 };
	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &uid, 4);
	entry(e, sizeof(e));
}

static void lapic_nmi(uint8_t uid, uint8_t lint)
{
	uint8_t e[6] = { 4, 6, uid, 0, 0, lint };
	entry(e, sizeof(e));
}

static void x2apic_nmi(uint32_t uid, uint8_t lint)
{
	uint8_t e[12] = { 0xa, 12 };
	memcpy(e + 4, &uid, 4);
	e[8] = lint;
	entry(e, sizeof(e));
}

static bool parse(struct madt_cpus *out)
{
	header(mem + MADT_PA, "APIC", (uint32_t)madt_len);
	fix_checksum(mem + MADT_PA, madt_len, 9);
	header(mem + RSDT_PA, "RSDT", 36 + 4);
	uint32_t madt = MADT_PA;
	memcpy(mem + RSDT_PA + 36, &madt, 4);
	fix_checksum(mem + RSDT_PA, 40, 9);
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	uint32_t rsdt = RSDT_PA;
	memcpy(rsdp + 16, &rsdt, 4);
	fix_checksum(rsdp, 20, 8);
	char why[128];
	return acpi_madt_cpus(rsdp, sizeof(rsdp), read_mem, out, why, sizeof(why));
}

static struct madt_cpus cpus;

static void test_nmi_for_all(void **st)
{
	begin();
	lapic_nmi(0xff, 1);	/* before the CPUs it names */
	lapic(0, 0, 1);
	lapic(1, 2, 1);
	lapic(2, 4, 1);
	assert_true(parse(&cpus));
	assert_int_equal(cpus.count, 3);
	assert_int_equal(cpus.apic_id[1], 2);
	assert_int_equal(cpus.apic_id[2], 4);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(cpus.nmi_lint[i], 1);
}

static void test_nmi_by_uid(void **st)
{
	begin();
	lapic(5, 0, 1);
	lapic(6, 1, 1);
	lapic(7, 2, 1);
	lapic_nmi(6, 0);
	x2apic_nmi(7, 1);
	assert_true(parse(&cpus));
	assert_int_equal(cpus.count, 3);
	assert_int_equal(cpus.nmi_lint[0], ACPI_NO_NMI_LINT);
	assert_int_equal(cpus.nmi_lint[1], 0);
	assert_int_equal(cpus.nmi_lint[2], 1);
}

static void test_x2apic_cpus(void **st)
{
	begin();
	x2apic(300, 10, 1);
	x2apic(301, 11, 2);	/* online-capable */
	x2apic(302, 12, 0);	/* disabled */
	x2apic_nmi(0xffffffffu, 1);
	lapic_nmi(9, 7);	/* a LINT pin that does not exist: ignored */
	assert_true(parse(&cpus));
	assert_int_equal(cpus.count, 2);
	assert_int_equal(cpus.disabled, 1);
	assert_int_equal(cpus.apic_id[0], 300);
	assert_int_equal(cpus.uid[1], 11);
	assert_int_equal(cpus.nmi_lint[0], 1);
	assert_int_equal(cpus.nmi_lint[1], 1);
}

static void test_truncated_entry(void **st)
{
	begin();
	lapic(0, 0, 1);
	uint8_t bad[2] = { 4, 40 };	/* runs past the table's end */
	entry(bad, sizeof(bad));
	assert_true(parse(&cpus));
	assert_int_equal(cpus.count, 1);
	assert_int_equal(cpus.nmi_lint[0], ACPI_NO_NMI_LINT);
}

static void test_bad_checksum(void **st)
{
	begin();
	lapic(0, 0, 1);
	assert_true(parse(&cpus));
	mem[MADT_PA + 40] ^= 1;	/* after the checksum was set */
	char why[128];
	assert_false(acpi_madt_cpus(rsdp, sizeof(rsdp), read_mem, &cpus, why, sizeof(why)) &&
		     cpus.count > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nmi_for_all),
		cmocka_unit_test(test_nmi_by_uid),
		cmocka_unit_test(test_x2apic_cpus),
		cmocka_unit_test(test_truncated_entry),
		cmocka_unit_test(test_bad_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
