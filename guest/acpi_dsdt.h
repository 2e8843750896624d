/*
 * guest/acpi_dsdt.h - the DSDT's AML (ACPI 6.4, 5.2.11.1 and chapter 20),
 * compiled by iasl from guest/acpi/dsdt.asl when yakvm is built and made
 * into C by scripts/aml2c.py: the definition block after its 36-byte
 * header, which guest/acpi.c writes per VM.
 */
#ifndef YAKVM_GUEST_ACPI_DSDT_H
#define YAKVM_GUEST_ACPI_DSDT_H

#include <stddef.h>
#include <stdint.h>

/* An upper bound of its size, checked when the generated file compiles. */
#define ACPI_DSDT_AML_MAX 4096u

extern const uint8_t acpi_dsdt_aml[];
extern const size_t acpi_dsdt_aml_len;

#endif
