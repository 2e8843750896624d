/* drivers/nvme/nvme.h - yakvm's NVMe driver (docs/storage.md): the PCI
 * scan calls nvme_probe() for each function of class 01.08.02; each active
 * namespace becomes a struct blockdev "nvmeCnN". */
#ifndef YAKVM_DRIVERS_NVME_NVME_H
#define YAKVM_DRIVERS_NVME_NVME_H

#include "drivers/pci/pci.h"

void nvme_probe(const struct pci_func *f);

#endif
