/* drivers/net/e1000e.h - the Intel 82574L host driver (e1000e.c). */
#ifndef YAKVM_DRIVERS_NET_E1000E_H
#define YAKVM_DRIVERS_NET_E1000E_H

#include <stdbool.h>
#include "drivers/pci/pci.h"

/* Brings the card up and registers it as a netdev: true if taken. */
bool e1000e_probe(const struct pci_func *f);

#endif
