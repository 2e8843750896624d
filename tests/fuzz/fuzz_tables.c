/*
 * tests/fuzz/fuzz_tables.c - the firmware tables each VM gets: the ACPI
 * builder (guest/acpi.c), the MP table builder (guest/mptable.c) and the
 * memory layout (guest/layout.c), on any configuration: CPU count, IOAPIC
 * id and address, LAPIC address, PM ports, SCI IRQ, reset register, the
 * tables' GPA, the buffer's size (a heap buffer of exactly that size), RAM.
 * Properties: a build fails with a message or writes at most its
 * *_BUILD_MAX bytes; every ACPI table reached from the RSDP lies in the
 * buffer with a zero checksum, the MADT has one LAPIC entry per CPU; the MP
 * floating pointer and configuration table have zero checksums and one
 * processor entry per CPU. The layout's map is sorted and disjoint and its
 * backed RAM adds up to the VM's size less the VGA hole. (iasl, the ACPICA oracle, checks
 * the tables of a set of configurations in tests/unit/test_acpi.c.)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/acpi.h"
#include "guest/layout.h"
#include "guest/mptable.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_tables: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

struct input {
	uint8_t ncpus, ioapic_id, sci_irq, reset_value;
	uint16_t pm_timer, pm1a_evt, pm1a_cnt, reset_port;
	uint32_t ioapic_base, lapic_base;
	uint32_t base;
	uint16_t buflen;
	uint8_t flags;          /* bit 0: acpi_config_pc; bit 1: high 32 bits in bases;
				   bit 3: an HPET at lapic_base (bit 1: plus 4 GiB) */
	uint8_t pad;
	uint64_t mem;
};

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The table at gpa: in the buffer, checksum 0; returns it. */
static const uint8_t *table(const uint8_t *buf, size_t used, uint64_t base, uint64_t gpa)
{
	CHECK(gpa >= base && gpa - base + 36 <= used);
	const uint8_t *t = buf + (gpa - base);
	uint32_t len = rd32(t + 4);
	CHECK(len >= 36 && gpa - base + len <= used);
	CHECK(sum(t, len) == 0);
	return t;
}

static void check_acpi(const struct acpi_config *c, const uint8_t *buf, size_t used,
		       uint64_t base)
{
	CHECK(memcmp(buf, "RSD PTR ", 8) == 0 && sum(buf, 20) == 0 && sum(buf, 36) == 0);
	const uint8_t *rsdt = table(buf, used, base, rd32(buf + 16));
	const uint8_t *xsdt = table(buf, used, base, rd64(buf + 24));
	unsigned n = (rd32(xsdt + 4) - 36) / 8;
	CHECK((rd32(rsdt + 4) - 36) / 4 == n);
	unsigned lapics = 0, hpets = 0;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *t = table(buf, used, base, rd64(xsdt + 36 + 8 * i));
		if (memcmp(t, "HPET", 4) == 0) {
			CHECK(rd32(t + 4) == 56 && rd64(t + 44) == c->hpet_base);
			hpets++;
		} else if (memcmp(t, "FACP", 4) == 0) {
			table(buf, used, base, rd64(t + 140));	/* X_DSDT */
		} else if (memcmp(t, "APIC", 4) == 0) {
			for (uint32_t off = 44; off < rd32(t + 4); off += t[off + 1]) {
				CHECK(t[off + 1] >= 2 && off + t[off + 1] <= rd32(t + 4));
				lapics += t[off] == 0;
			}
		}
	}
	CHECK(lapics == c->ncpus);
	CHECK(hpets == (c->hpet_base ? 1u : 0u));
}

static void check_mp(const struct acpi_config *c, const uint8_t *buf, size_t used,
		     uint64_t base)
{
	CHECK(memcmp(buf, "_MP_", 4) == 0 && sum(buf, 16) == 0);
	uint64_t pcmp = rd32(buf + 4);
	CHECK(pcmp >= base + 16 && pcmp - base + 44 <= used);
	const uint8_t *t = buf + (pcmp - base);
	uint16_t len = rd16(t + 4);
	CHECK(memcmp(t, "PCMP", 4) == 0 && pcmp - base + len <= used && sum(t, len) == 0);
	unsigned cpus = 0, entries = rd16(t + 34);
	uint32_t off = 44;
	for (unsigned i = 0; i < entries; i++) {
		CHECK(off < len);
		cpus += t[off] == 0;
		off += t[off] == 0 ? 20 : 8;
	}
	CHECK(off == len && cpus == c->ncpus);
}

static void check_layout(uint64_t mem)
{
	struct guest_layout l;
	guest_layout_build(mem, &l);
	CHECK(l.map_count <= 6 && l.ram_count <= 3);
	for (unsigned i = 1; i < l.map_count; i++)
		CHECK(l.map[i - 1].base + l.map[i - 1].len <= l.map[i].base);
	uint64_t total = 0;
	for (unsigned i = 0; i < l.ram_count; i++) {
		CHECK(l.ram[i].len > 0);
		total += l.ram[i].len;
		if (i)
			CHECK(l.ram[i - 1].base + l.ram[i - 1].len <= l.ram[i].base);
	}
	CHECK(total == mem - (GUEST_VGA_END - GUEST_VGA_START));	/* the VGA hole */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	struct acpi_config c;
	if (in.flags & 1) {
		acpi_config_pc(&c, in.ncpus);
	} else {
		uint64_t hi = (in.flags & 2) ? 1ull << 32 : 0;
		c = (struct acpi_config){
			.ncpus = in.ncpus, .ioapic_id = in.ioapic_id,
			.ioapic_base = in.ioapic_base | hi, .lapic_base = in.lapic_base,
			.pm_timer_port = in.pm_timer, .pm1a_evt_port = in.pm1a_evt,
			.pm1a_cnt_port = in.pm1a_cnt, .sci_irq = in.sci_irq,
			.reset_port = in.reset_port, .reset_value = in.reset_value,
		};
	}
	if (in.flags & 8)
		c.hpet_base = in.lapic_base | ((in.flags & 2) ? 1ull << 32 : 0);
	uint64_t base = (in.flags & 4) ? in.base : 0xe0000 + (in.base & 0x1fff0);
	size_t buflen = in.buflen;
	uint8_t *buf = malloc(buflen ? buflen : 1);
	char err[128];

	memset(buf, 0xa5, buflen);
	err[0] = 0;
	uint64_t at = acpi_build(&c, buf, buflen, base, err, sizeof(err));
	if (at) {
		CHECK(at == base && err[0] == 0);
		size_t used = buflen;
		while (used && buf[used - 1] == 0xa5)
			used--;
		CHECK(used <= ACPI_BUILD_MAX(c.ncpus));
		check_acpi(&c, buf, buflen, base);
	} else {
		CHECK(err[0] && memchr(err, 0, sizeof(err)));
	}

	memset(buf, 0xa5, buflen);
	err[0] = 0;
	at = mptable_build(&c, buf, buflen, base, err, sizeof(err));
	if (at) {
		CHECK(at == base && err[0] == 0);
		check_mp(&c, buf, buflen, base);
	} else {
		CHECK(err[0] && memchr(err, 0, sizeof(err)));
	}
	free(buf);

	check_layout(in.mem % (64ull << 30) + (1ull << 20));
	return 0;
}
