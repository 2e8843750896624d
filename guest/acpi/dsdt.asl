/*
 * guest/acpi/dsdt.asl - the body of every VM's DSDT (ACPI 6.4 5.2.11.1),
 * in ASL (ACPI 6.4 chapter 19). The build runs it through the C
 * preprocessor (the numbers come from devices/pci_layout.h and
 * devices/acpi_pm.h), compiles it with iasl and embeds the AML in
 * yakvm.elf; guest/acpi.c gives it its table header. The header below is
 * iasl's and is not used.
 *
 *   \_S5        the S5 sleep type for power-off (7.4.2)
 *   \_SB.PCI0   the PCI root bridge (devices/pci_host.c): what it decodes
 *               (_CRS) and where its INTx lines go (_PRT)
 */
#include "devices/acpi_pm.h"
#include "devices/pci_layout.h"

/* One _PRT entry (6.2.13): the slot's address (device in the high word,
 * 0xFFFF: any function), the pin (0 = INTA#), Source 0 (the GSI form:
 * level-triggered, active-low) and the GSI. */
#define PRT(slot, pin) \
	Package () { ((slot) << 16) | 0xFFFF, pin, Zero, PCI_INTX_GSI (slot, pin) }
#define PRT_SLOT(s)    PRT (s, 0), PRT (s, 1), PRT (s, 2), PRT (s, 3)
#define PRT_4SLOTS(s)  PRT_SLOT (s), PRT_SLOT (s + 1), PRT_SLOT (s + 2), PRT_SLOT (s + 3)

DefinitionBlock ("", "DSDT", 2, "YAKVM ", "YAKVMVM ", 1)
{
    /* SLP_TYPa, SLP_TYPb (devices/acpi_pm.c powers off), reserved. */
    Name (_S5, Package (0x04) { ACPI_S5_SLP_TYP, ACPI_S5_SLP_TYP, Zero, Zero })

    Scope (\_SB)
    {
        Device (PCI0)
        {
            /* 6.1.5 _HID: a PCI host bridge, configuration mechanism #1
             * only (no ECAM, so not PNP0A08); 6.1.12 _UID; 6.5.6 _SEG
             * and 6.5.5 _BBN: segment 0, bus 0. */
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Name (_SEG, Zero)
            Name (_BBN, PCI_BUS_FIRST)

            /* 6.2.2 _CRS, descriptors of 6.4: the bus range, the
             * configuration ports (consumed), the I/O and memory the
             * bridge passes to bus 0 (produced). */
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, PCI_BUS_FIRST, PCI_BUS_LAST, 0x0000, PCI_BUS_COUNT)
                IO (Decode16, PCI_CFG_PORT, PCI_CFG_PORT, 0x01, PCI_CFG_PORT_LEN)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, PCI_IO_LOW_BASE, PCI_IO_LOW_LIMIT, 0x0000, PCI_IO_LOW_LEN)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, PCI_IO_HIGH_BASE, PCI_IO_HIGH_LIMIT, 0x0000, PCI_IO_HIGH_LEN)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable,
                    ReadWrite, 0x00000000, PCI_MMIO_WINDOW_BASE, PCI_MMIO_WINDOW_LIMIT,
                    0x00000000, PCI_MMIO_WINDOW_LEN)
            })

            /* 6.2.13 _PRT: INTA#-INTD# of every slot of bus 0. */
            Name (_PRT, Package ()
            {
                PRT_4SLOTS (0), PRT_4SLOTS (4), PRT_4SLOTS (8), PRT_4SLOTS (12),
                PRT_4SLOTS (16), PRT_4SLOTS (20), PRT_4SLOTS (24), PRT_4SLOTS (28)
            })
        }
    }
}
