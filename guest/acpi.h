/*
 * guest/acpi.h - the ACPI tables each VM gets (ACPI 6.4: 5.2.5 RSDP, 5.2.7
 * RSDT, 5.2.8 XSDT, 5.2.9 FADT, 5.2.10 FACS, 5.2.11.1 DSDT, 5.2.12 MADT),
 * describing a normal (not hardware-reduced) PC: its CPUs, IOAPIC, the ISA
 * interrupt overrides, the PM timer, the PM1a blocks and the reset register
 * (devices/acpi_pm.h), \_S5 for power-off (7.4.2) and the PCI root bridge
 * \_SB.PCI0 (guest/acpi/dsdt.asl, devices/pci_layout.h); and, when the VM
 * has one, the HPET (IA-PC HPET specification 1.0a, 3.2.4).
 */
#ifndef YAKVM_GUEST_ACPI_H
#define YAKVM_GUEST_ACPI_H

#include <stddef.h>
#include <stdint.h>
#include "guest/acpi_dsdt.h"

#define ACPI_GUEST_MAX_CPUS 255  /* 8-bit APIC IDs 0..254 (0xff is broadcast) */

/* What the tables describe. APIC IDs and ACPI processor UIDs are 0..ncpus-1.
 * Also the input of mptable_build() (guest/mptable.h), which uses ncpus,
 * ioapic_id, ioapic_base, lapic_base and sci_irq. reset_port 0: no ACPI
 * reset register (FADT RESET_REG_SUP clear). */
struct acpi_config {
	unsigned ncpus;
	uint32_t ioapic_id;
	uint64_t ioapic_base, lapic_base;
	uint16_t pm_timer_port, pm1a_evt_port, pm1a_cnt_port;
	uint8_t sci_irq;
	uint16_t reset_port;
	uint8_t reset_value;
	uint64_t hpet_base;         /* 0: no HPET table */
};

/* The configuration of a yakvm PC VM with ncpus vCPUs (devices/ioapic.h,
 * devices/vlapic.h, devices/pm_timer.h, devices/acpi_pm.h). */
void acpi_config_pc(struct acpi_config *c, unsigned ncpus);

/*
 * Writes RSDP (revision 2), FACS, RSDT, XSDT, FADT (revision 6), DSDT,
 * MADT (revision 5) and, with hpet_base set, HPET (revision 1) into buf,
 * which the guest will see at guest-physical address base; every pointer inside is a GPA based at base. The RSDP is at
 * buf[0], so base must be 16-byte aligned, and for guests that scan for it
 * (rather than being told, like Linux's boot_params.acpi_rsdp_addr) within
 * 0xe0000-0xfffff. Everything must lie below 4 GiB (the RSDT and the 32-bit
 * FADT fields). Unused bytes of buf are left as they were; at most
 * ACPI_BUILD_MAX(ncpus) bytes are used.
 * Returns the RSDP's GPA (== base), or 0 with a message in err (buf too
 * small, ncpus 0 or > ACPI_GUEST_MAX_CPUS, a misaligned or too high base, a
 * value that does not fit its field).
 */
uint64_t acpi_build(const struct acpi_config *c, uint8_t *buf, size_t buflen,
		    uint64_t base, char *err, size_t errlen);

/* An upper bound of the bytes acpi_build() uses for n CPUs. */
#define ACPI_BUILD_MAX(n) (1024u + ACPI_DSDT_AML_MAX + 8u * (unsigned)(n))

#endif
