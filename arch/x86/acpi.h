/*
 * arch/x86/acpi.h - the host's ACPI tables, as far as yakvm reads them: the
 * RSDP (from Multiboot2), the RSDT/XSDT, and the MADT's list of local APICs
 * with the LINT pin each has wired to NMI (ACPI 6.5, 5.2.5 RSDP, 5.2.7-8
 * RSDT/XSDT, 5.2.12 MADT; 5.2.12.7 and .13 the local (x2)APIC NMI entries).
 */
#ifndef YAKVM_ARCH_X86_ACPI_H
#define YAKVM_ARCH_X86_ACPI_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define ACPI_MAX_CPUS 256
#define ACPI_NO_NMI_LINT 0xff

struct madt_cpus {
	uint32_t apic_id[ACPI_MAX_CPUS];
	uint32_t uid[ACPI_MAX_CPUS];      /* ACPI processor UID */
	uint8_t nmi_lint[ACPI_MAX_CPUS];  /* LINT0/1 wired to NMI, or ACPI_NO_NMI_LINT */
	unsigned count;
	unsigned disabled;      /* entries marked neither enabled nor online-capable */
	uint64_t lapic_base;    /* from the MADT header (or an override) */
};

/* Reads the MADT through the RSDP bytes (20 or 36 long). `read` copies
 * physical memory (the host's identity map in yakvm, a buffer in tests).
 * Returns false with a reason if there is no usable MADT. */
bool acpi_madt_cpus(const uint8_t *rsdp, unsigned rsdp_len,
		    bool (*read)(uint64_t pa, void *dst, size_t len),
		    struct madt_cpus *out, char *why, size_t whylen);

#endif
