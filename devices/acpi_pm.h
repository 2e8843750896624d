/*
 * devices/acpi_pm.h - the ACPI fixed hardware registers of a VM (ACPI 6.4,
 * 4.8.1 PM1 event and control blocks, 4.8.3.6 the reset register) that its
 * FADT (guest/acpi.c) points at, next to the PM timer (devices/pm_timer.h):
 *
 *   0xb000-0xb003  PM1a_EVT_BLK: PM1_STS (2 bytes), PM1_EN (2 bytes)
 *   0xb004-0xb005  PM1a_CNT_BLK: PM1_CNT (2 bytes)
 *   0xb008-0xb00b  PM_TMR_BLK (devices/pm_timer.c, not this model)
 *   0xb00c         RESET_REG: writing ACPI_RESET_VALUE resets the VM
 *
 * The DSDT's \_S5 package holds ACPI_S5_SLP_TYP; a PM1_CNT write with
 * SLP_EN and that SLP_TYP powers the VM off.
 */
#ifndef YAKVM_DEVICES_ACPI_PM_H
#define YAKVM_DEVICES_ACPI_PM_H

#define ACPI_PM1A_EVT_PORT  0xb000
#define ACPI_PM1A_EVT_LEN   4
#define ACPI_PM1A_CNT_PORT  0xb004
#define ACPI_PM1A_CNT_LEN   2
#define ACPI_RESET_PORT     0xb00c
#define ACPI_RESET_LEN      1
#define ACPI_RESET_VALUE    0x01
#define ACPI_SCI_IRQ        9       /* FADT SCI_INT (never raised: no events) */
#define ACPI_S5_SLP_TYP     5       /* \_S5 = Package () { 5, 5, 0, 0 } */

/* PM1_CNT bits (4.8.3.2.1) */
#define ACPI_PM1_CNT_SCI_EN     (1u << 0)
#define ACPI_PM1_CNT_BM_RLD     (1u << 1)
#define ACPI_PM1_CNT_GBL_RLS    (1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP    (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN     (1u << 13)

/* PM1_STS bits (4.8.3.1.1) */
#define ACPI_PM1_STS_WAK        (1u << 15)

#ifndef YAKVM_ASL   /* the DSDT (guest/acpi/dsdt.asl) reads the numbers only */
struct device_model;
extern const struct device_model acpi_pm_model;
#endif

#endif
