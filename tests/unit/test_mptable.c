/*
 * tests/unit/test_mptable.c - guest/mptable.c (MP specification 1.4
 * tables): the floating pointer ("_MP_", length, revision, checksum, the
 * pointer to the "PCMP" table), the configuration table's header and
 * checksum, and its entries (order by type, processors with the BSP flag
 * on CPU 0, the ISA bus, the I/O APIC, ISA IRQs 0-15 but 2 with IRQ 0 on
 * INTIN 2, ExtINT on LINT0 and NMI on LINT1), bounds and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "guest/mptable.h"
#include "devices/ioapic.h"
#include "devices/vlapic.h"

#define BASE 0xf0000ull
#define BUFSZ 0x10000

static uint8_t buf[BUFSZ];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void check(unsigned n)
{
	struct acpi_config c;
	char err[128] = "";
	acpi_config_pc(&c, n);
	memset(buf, 0xa5, sizeof(buf));
	uint64_t mpf = mptable_build(&c, buf, sizeof(buf), BASE, err, sizeof(err));
	assert_int_equal(mpf, BASE);
	assert_string_equal(err, "");

	const uint8_t *f = buf;
	assert_memory_equal(f, "_MP_", 4);
	assert_int_equal(f[8], 1);                      /* 16 bytes */
	assert_int_equal(f[9], 4);                      /* 1.4 */
	assert_int_equal(sum(f, 16), 0);
	for (int i = 11; i < 16; i++)
		assert_int_equal(f[i], 0);              /* table present, no IMCR */
	uint32_t pcmp = rd32(f + 4);
	assert_true(pcmp >= BASE + 16 && pcmp + 44 <= BASE + BUFSZ);

	const uint8_t *t = buf + (pcmp - BASE);
	assert_memory_equal(t, "PCMP", 4);
	uint16_t len = rd16(t + 4);
	assert_true(pcmp + len <= BASE + BUFSZ);
	assert_true(16 + (size_t)len <= MPTABLE_BUILD_MAX(n));
	assert_int_equal(t[6], 4);
	assert_int_equal(sum(t, len), 0);
	assert_int_equal(rd32(t + 28), 0);              /* no OEM table */
	assert_int_equal(rd32(t + 36), LAPIC_DEFAULT_BASE);
	assert_int_equal(rd16(t + 40), 0);              /* no extended table */
	unsigned count = rd16(t + 34);

	unsigned seen[5] = { 0 }, last_type = 0, bsp = 0;
	uint16_t irqs = 0;
	unsigned off = 44;
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = t + off;
		assert_true(off < len);
		assert_true(e[0] <= 4);
		assert_true(e[0] >= last_type);         /* sorted by type */
		last_type = e[0];
		seen[e[0]]++;
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], seen[0] - 1);    /* APIC ID */
			assert_int_equal(e[2], 0x14);
			assert_true(e[3] & 1);                  /* enabled */
			if (e[3] & 2) {
				assert_int_equal(e[1], 0);      /* CPU 0 is the BSP */
				bsp++;
			}
			off += 20;
			break;
		case 1:
			assert_int_equal(e[1], 0);
			assert_memory_equal(e + 2, "ISA   ", 6);
			off += 8;
			break;
		case 2:
			assert_int_equal(e[1], 0);              /* ID */
			assert_int_equal(e[2], 0x11);
			assert_int_equal(e[3], 1);
			assert_int_equal(rd32(e + 4), IOAPIC_BASE);
			off += 8;
			break;
		case 3: {
			unsigned irq = e[5];
			assert_int_equal(e[1], 0);              /* INT */
			assert_int_equal(e[4], 0);              /* ISA bus */
			assert_true(irq < 16 && irq != 2);
			assert_false(irqs & (1u << irq));
			irqs |= (uint16_t)(1u << irq);
			assert_int_equal(e[6], 0);              /* IOAPIC ID */
			assert_int_equal(e[7], irq == 0 ? 2 : irq);
			assert_int_equal(rd16(e + 2), irq == 9 ? 0x000d : 0);
			off += 8;
			break;
		}
		case 4:
			if (e[1] == 3) {                        /* ExtINT */
				assert_int_equal(e[6], 0);      /* BSP */
				assert_int_equal(e[7], 0);      /* LINT0 */
			} else {
				assert_int_equal(e[1], 1);      /* NMI */
				assert_int_equal(e[6], 0xff);   /* all */
				assert_int_equal(e[7], 1);      /* LINT1 */
			}
			off += 8;
			break;
		}
	}
	assert_int_equal(off, len);
	assert_int_equal(seen[0], n);
	assert_int_equal(bsp, 1);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 1);
	assert_int_equal(seen[3], 15);
	assert_int_equal(irqs, 0xfffb);
	assert_int_equal(seen[4], 2);
}

static void test_tables(void **st)
{
	const unsigned ns[] = { 1, 2, 4, 16, 255 };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		check(ns[i]);
}

static void test_errors(void **st)
{
	struct acpi_config c;
	char err[128];
	acpi_config_pc(&c, 0);
	assert_int_equal(mptable_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "CPUs"));
	acpi_config_pc(&c, 256);
	assert_int_equal(mptable_build(&c, buf, sizeof(buf), BASE, err, sizeof(err)), 0);
	acpi_config_pc(&c, 2);
	assert_int_equal(mptable_build(&c, buf, sizeof(buf), BASE + 4, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "aligned"));
	assert_int_equal(mptable_build(&c, buf, sizeof(buf), 0xfffffff0ull, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "4 GiB"));
	/* Too small buffers fail without writing past the end (ASan). */
	for (unsigned n = 1; n <= 255; n += 127) {
		acpi_config_pc(&c, n);
		size_t need = 0;
		for (size_t sz = 1; sz <= MPTABLE_BUILD_MAX(n); sz++) {
			uint8_t *b = malloc(sz);
			uint64_t r = mptable_build(&c, b, sz, BASE, err, sizeof(err));
			free(b);
			if (r) {
				need = sz;
				break;
			}
			assert_non_null(strstr(err, "need"));
		}
		assert_int_equal(need, 16 + 44 + 20 * n + 8 * (1 + 1 + 15 + 2));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
