/* drivers/ahci/ahci.h - yakvm's AHCI (SATA) driver (docs/storage.md): the
 * PCI scan calls ahci_probe() for each function of class 01.06.01; each
 * port with an ATA disk becomes a struct blockdev "ahciCpP". ATAPI
 * devices are named in the log and never sent a command. */
#ifndef YAKVM_DRIVERS_AHCI_AHCI_H
#define YAKVM_DRIVERS_AHCI_AHCI_H

#include "drivers/pci/pci.h"

void ahci_probe(const struct pci_func *f);

#endif
