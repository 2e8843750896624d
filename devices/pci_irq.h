/*
 * devices/pci_irq.h - which IOAPIC pin (GSI) each PCI function's INTx pin
 * reaches: the one rule yakvm wires and the ACPI _PRT must describe.
 *
 * Device d's INTA#-INTD# (interrupt pin 1-4) are swizzled over four GSIs,
 * 16 + (d + pin - 1) mod 4, the rotation of the PCI-to-PCI Bridge
 * Architecture Specification 1.2 (chapter 9) that PC chipsets also use
 * for their root bus. The lines are level-triggered and active low, as
 * INTx# is (PCI LB 3.0, 2.2.6): asserted = the IOAPIC pin low
 * (devices/ioapic.c models the wire's level and the entry's polarity);
 * pins of one GSI are wire-ORed (pci_intx_set()).
 *
 * NOTE: the ACPI _PRT (devices/pci_layout.h, guest/acpi*) must give the
 * same GSI for every (device, pin). A _PRT row that names the GSI directly
 * (Source 0) means level, active low, which is what this wiring is.
 * Change both together.
 */
#ifndef YAKVM_DEVICES_PCI_IRQ_H
#define YAKVM_DEVICES_PCI_IRQ_H

#define PCI_INTX_GSI_BASE 16
#define PCI_INTX_GSIS     4

/* The GSI of device `slot`'s pin (1 = INTA# ... 4 = INTD#) on bus 0. */
static inline unsigned pci_intx_gsi(unsigned slot, unsigned pin)
{
	return PCI_INTX_GSI_BASE + (slot + pin - 1) % PCI_INTX_GSIS;
}

#endif
