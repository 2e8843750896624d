/*
 * guest/mptable.c - builds a VM's MP tables (Intel MultiProcessor
 * Specification 1.4, chapter 4): the MP floating pointer structure (4.1) at
 * buf[0], then the MP configuration table (4.2, 4.3) with, in the order of
 * table 4-3:
 *   - one processor entry per vCPU (APIC ID = index, vCPU 0 the BSP),
 *   - one bus entry: bus 0, ISA,
 *   - one I/O APIC entry (version 0x11, enabled),
 *   - I/O interrupt entries for ISA IRQs 0-15 except 2 (the cascade): IRQ 0
 *     on INTIN 2 (devices/irq.h), the others on the pin of their number;
 *     conforming polarity and trigger, except the ACPI SCI, which is level,
 *     active high as in the MADT (guest/acpi.c),
 *   - local interrupt entries: ExtINT (the 8259s) on the BSP's LINT0, NMI on
 *     every LAPIC's LINT1.
 * No IMCR (feature byte 2 bit 7 clear: virtual wire mode); no extended table.
 */
#include "guest/mptable.h"
#include "lib/format.h"
#include "lib/string.h"

#define MPF_LEN        16
#define MPC_HDR_LEN    44
#define MPC_CPU_LEN    20
#define MPC_ENTRY_LEN  8        /* all other entry types */

enum { MP_CPU = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINT = 3, MP_LINT = 4 };
enum { INT_INT = 0, INT_NMI = 1, INT_SMI = 2, INT_EXTINT = 3 };

#define CPU_EN          0x01
#define CPU_BP          0x02
#define IOAPIC_EN       0x01
#define IOAPIC_VERSION  0x11
#define LAPIC_VERSION   0x14    /* devices/vlapic.c */
#define CPU_SIGNATURE   0x00000600  /* family 6, model 0, stepping 0 */
#define CPU_FEATURES    0x00000201  /* CPUID.1:EDX FPU, APIC */
/* I/O interrupt flags (table 4-10): PO bits 1:0, EL bits 3:2 */
#define IRQ_CONFORMING  0x0000
#define IRQ_HIGH_LEVEL  0x000d
#define ISA_BUS         0

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

/* An 8-byte entry: type then 7 bytes. */
static uint8_t *entry8(uint8_t *e, uint8_t type, uint8_t b1, uint16_t flags,
		       uint8_t b4, uint8_t b5, uint8_t b6, uint8_t b7)
{
	e[0] = type;
	e[1] = b1;
	put16(e + 2, flags);
	e[4] = b4;
	e[5] = b5;
	e[6] = b6;
	e[7] = b7;
	return e + MPC_ENTRY_LEN;
}

uint64_t mptable_build(const struct acpi_config *c, uint8_t *buf, size_t buflen,
		       uint64_t base, char *err, size_t errlen)
{
	if (c->ncpus == 0 || c->ncpus > ACPI_GUEST_MAX_CPUS) {
		snprintf(err, errlen, "MP table: %u CPUs (1 to %u supported)",
			 c->ncpus, ACPI_GUEST_MAX_CPUS);
		return 0;
	}
	if (base == 0 || base & 15) {
		snprintf(err, errlen, "MP table: base 0x%llx is not a 16-byte aligned address",
			 (unsigned long long)base);
		return 0;
	}
	if (c->ioapic_id > 0xff || c->ioapic_base >> 32 || c->lapic_base >> 32 ||
	    c->sci_irq > 15) {
		snprintf(err, errlen, "MP table: IOAPIC id/address, LAPIC address or SCI IRQ out of range");
		return 0;
	}
	unsigned nirq = 15, nentries = c->ncpus + 1 + 1 + nirq + 2;
	size_t len = MPC_HDR_LEN + c->ncpus * MPC_CPU_LEN + (nentries - c->ncpus) * MPC_ENTRY_LEN;
	if (MPF_LEN + len > buflen) {
		snprintf(err, errlen, "MP table: need %zu bytes, have %zu", MPF_LEN + len, buflen);
		return 0;
	}
	if (base + MPF_LEN + len > 0x100000000ull) {
		snprintf(err, errlen, "MP table: base 0x%llx: it must lie below 4 GiB",
			 (unsigned long long)base);
		return 0;
	}

	/* The configuration table (4.2), right after the floating pointer. */
	uint8_t *t = buf + MPF_LEN;
	memset(t, 0, len);
	memcpy(t, "PCMP", 4);
	put16(t + 4, (uint16_t)len);            /* base table length */
	t[6] = 4;                               /* spec revision 1.4 */
	memcpy(t + 8, "YAKVM   ", 8);           /* OEM ID */
	memcpy(t + 16, "YAKVMVM     ", 12);     /* product ID */
	/* OEM table pointer and size (+28, +32): none */
	put16(t + 34, (uint16_t)nentries);
	put32(t + 36, (uint32_t)c->lapic_base);
	/* extended table length and checksum (+40, +42): none */

	uint8_t *e = t + MPC_HDR_LEN;
	for (unsigned i = 0; i < c->ncpus; i++, e += MPC_CPU_LEN) {
		e[0] = MP_CPU;
		e[1] = (uint8_t)i;                  /* local APIC ID */
		e[2] = LAPIC_VERSION;
		e[3] = CPU_EN | (i == 0 ? CPU_BP : 0);
		put32(e + 4, CPU_SIGNATURE);
		put32(e + 8, CPU_FEATURES);
		/* +12: 8 reserved bytes */
	}
	memcpy(e, (const uint8_t[MPC_ENTRY_LEN]){ MP_BUS, ISA_BUS, 'I', 'S', 'A', ' ', ' ', ' ' },
	       MPC_ENTRY_LEN);
	e += MPC_ENTRY_LEN;
	uint8_t ioapic = (uint8_t)c->ioapic_id;
	e[0] = MP_IOAPIC;
	e[1] = ioapic;
	e[2] = IOAPIC_VERSION;
	e[3] = IOAPIC_EN;
	put32(e + 4, (uint32_t)c->ioapic_base);
	e += MPC_ENTRY_LEN;
	for (uint8_t irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		uint16_t flags = irq == c->sci_irq ? IRQ_HIGH_LEVEL : IRQ_CONFORMING;
		e = entry8(e, MP_IOINT, INT_INT, flags, ISA_BUS, irq, ioapic,
			   irq == 0 ? 2 : irq);
	}
	e = entry8(e, MP_LINT, INT_EXTINT, IRQ_CONFORMING, ISA_BUS, 0, 0x00, 0);
	e = entry8(e, MP_LINT, INT_NMI, IRQ_CONFORMING, ISA_BUS, 0, 0xff, 1);
	t[7] = checksum(t, len);

	/* The floating pointer (4.1). */
	uint8_t *f = buf;
	memset(f, 0, MPF_LEN);
	memcpy(f, "_MP_", 4);
	put32(f + 4, (uint32_t)(base + MPF_LEN));
	f[8] = 1;                               /* length in 16-byte units */
	f[9] = 4;                               /* spec revision 1.4 */
	/* feature bytes 1-5 (+11..+15): 0: a configuration table is present;
	 * no IMCR, virtual wire mode */
	f[10] = checksum(f, MPF_LEN);
	return base;
}
