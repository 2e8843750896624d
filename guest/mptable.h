/*
 * guest/mptable.h - the Intel MultiProcessor Specification 1.4 tables
 * (chapter 4: the MP floating pointer structure and the MP configuration
 * table) for a VM, for guests that find their CPUs and IOAPIC that way
 * rather than through ACPI (guest/acpi.h).
 */
#ifndef YAKVM_GUEST_MPTABLE_H
#define YAKVM_GUEST_MPTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "guest/acpi.h"

/*
 * Writes the MP floating pointer structure (16 bytes, at buf[0]) and the MP
 * configuration table after it into buf, which the guest sees at GPA base
 * (16-byte aligned; guests search for "_MP_" in the first KiB of the EBDA,
 * the last KiB of base memory and 0xf0000-0xfffff, 4.1, so base should lie
 * in one of those). Uses c->ncpus, ioapic_id, ioapic_base, lapic_base and
 * sci_irq. At most MPTABLE_BUILD_MAX(ncpus) bytes are used.
 * Returns the floating pointer's GPA (== base), or 0 with a message in err.
 */
uint64_t mptable_build(const struct acpi_config *c, uint8_t *buf, size_t buflen,
		       uint64_t base, char *err, size_t errlen);

#define MPTABLE_BUILD_MAX(n) (256u + 20u * (unsigned)(n))

#endif
