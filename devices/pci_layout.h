/*
 * devices/pci_layout.h - where a VM's PCI bus 0 lives, written once for the
 * C code and for the DSDT (guest/acpi/dsdt.asl, which the C preprocessor
 * reads with YAKVM_ASL defined: plain numbers only above the C part, since
 * iasl folds no expressions in resource descriptors).
 *
 * The root bridge \_SB.PCI0 decodes (its _CRS, ACPI 6.4 sections 6.2.2
 * and 6.4): bus 0 only; configuration mechanism #1 at 0xcf8-0xcff
 * (devices/pci_host.c); the I/O ports below and above them (I/O BARs go
 * at PCI_IO_BAR_BASE and up); one 32-bit memory window for memory BARs,
 * between the top of low RAM (GUEST_MMIO_START, guest/layout.h) and the
 * IOAPIC (0xfec00000: IOAPIC, HPET and LAPIC stay outside). guest/acpi.c
 * checks these against the rest of the machine at compile time.
 *
 * INTx (PCI LB 3.0, 2.2.6: level-sensitive, asserted low, open drain):
 * INTA#-INTD# of device (slot) s reach IOAPIC GSI PCI_INTX_GSI_BASE +
 * (s + pin) % 4, pin 0-3 for INTA#-INTD#: the swizzle of the PCI-to-PCI
 * Bridge Architecture 1.2, chapter 9, applied on bus 0, so the INTA# of
 * neighbouring slots land on different GSIs. GSIs 16-19: no ISA IRQ is
 * there, and the HPET routes only to 20-23 (devices/hpet.h). The _PRT
 * gives them in the GSI form (Source 0, ACPI 6.4 6.2.13), which carries
 * no flags: the OS programs them level-triggered, active-low, as PCI
 * interrupts are (Linux does), and the MADT overrides none of them.
 * devices/ioapic.c takes electrical levels, so a device asserting INTx
 * drives its line LOW (pci_intx_line_high(true) == false), and the lines
 * idle high (the pull-ups of an open-drain line; IOAPIC pins 16-19 start
 * high).
 */
#ifndef YAKVM_DEVICES_PCI_LAYOUT_H
#define YAKVM_DEVICES_PCI_LAYOUT_H

/* Bus numbers the root bridge decodes: bus 0 only. */
#define PCI_BUS_FIRST            0x00
#define PCI_BUS_LAST             0x00
#define PCI_BUS_COUNT            0x01

/* Configuration mechanism #1 (PCI LB 3.0, 3.2.2.3.2). */
#define PCI_CFG_PORT             0x0CF8
#define PCI_CFG_PORT_LEN         0x08

/* Legacy I/O below the configuration ports (PIC, PIT, UART, RTC, ...). */
#define PCI_IO_LOW_BASE          0x0000
#define PCI_IO_LOW_LIMIT         0x0CF7
#define PCI_IO_LOW_LEN           0x0CF8
/* Everything above them: legacy ports, the ACPI fixed hardware at 0xb000
 * (devices/acpi_pm.h) and, from PCI_IO_BAR_BASE up, where yakvm's models
 * place I/O BARs. One window: Linux would merge adjacent ones anyway. */
#define PCI_IO_HIGH_BASE         0x0D00
#define PCI_IO_HIGH_LIMIT        0xFFFF
#define PCI_IO_HIGH_LEN          0xF300
#define PCI_IO_BAR_BASE          0xC000
#define PCI_IO_BAR_LIMIT         0xFFFF

/* Where 32-bit memory BARs go (the test device's BAR 0 is 0xfeb00000). */
#define PCI_MMIO_WINDOW_BASE     0xC0000000
#define PCI_MMIO_WINDOW_LIMIT    0xFEBFFFFF
#define PCI_MMIO_WINDOW_LEN      0x3EC00000

/* The INTx rule: GSI of slot s's pin p (0 = INTA# ... 3 = INTD#). */
#define PCI_INTX_GSI_BASE        16
#define PCI_INTX_GSI_COUNT       4
#define PCI_SLOTS                32
#define PCI_INTX_GSI(slot, pin)  \
	(PCI_INTX_GSI_BASE + (((slot) + (pin)) % PCI_INTX_GSI_COUNT))

#ifndef YAKVM_ASL
#include <stdbool.h>

#define PCI_INTX_GSI_MASK  (((1u << PCI_INTX_GSI_COUNT) - 1) << PCI_INTX_GSI_BASE)
#define PCI_INTX_NONE      (~0u)

_Static_assert(PCI_IO_LOW_LIMIT - PCI_IO_LOW_BASE + 1 == PCI_IO_LOW_LEN, "I/O low");
_Static_assert(PCI_IO_LOW_LIMIT + 1 == PCI_CFG_PORT, "I/O low ends at 0xcf8");
_Static_assert(PCI_IO_HIGH_LIMIT - PCI_IO_HIGH_BASE + 1 == PCI_IO_HIGH_LEN, "I/O high");
_Static_assert(PCI_IO_HIGH_BASE >= PCI_CFG_PORT + PCI_CFG_PORT_LEN, "I/O high after 0xcff");
_Static_assert(PCI_IO_BAR_BASE > PCI_IO_HIGH_BASE && PCI_IO_BAR_LIMIT <= PCI_IO_HIGH_LIMIT,
	       "I/O BARs inside the high I/O window");
_Static_assert(PCI_MMIO_WINDOW_LIMIT - PCI_MMIO_WINDOW_BASE + 1 == PCI_MMIO_WINDOW_LEN,
	       "memory window");
_Static_assert(PCI_BUS_LAST - PCI_BUS_FIRST + 1 == PCI_BUS_COUNT, "buses");

/* The GSI of INTx for a function in slot `slot` whose Interrupt Pin
 * register (PCI LB 3.0, 6.2.4) reads int_pin: 1-4 for INTA#-INTD#;
 * PCI_INTX_NONE for 0 (no INTx) and anything else. */
static inline unsigned pci_intx_gsi(unsigned slot, unsigned int_pin)
{
	if (int_pin < 1 || int_pin > 4 || slot >= PCI_SLOTS)
		return PCI_INTX_NONE;
	return PCI_INTX_GSI(slot, int_pin - 1);
}

/* The electrical level of an INTx line (active low, open drain): the
 * level to give ioapic_set_irq() / vm_irq_set() for that GSI. */
static inline bool pci_intx_line_high(bool asserted)
{
	return !asserted;
}
#endif

#endif
