/* mm/npt/npt_vm.h - a VM's nested page tables (see npt_vm.c). */
#ifndef YAKVM_MM_NPT_NPT_VM_H
#define YAKVM_MM_NPT_NPT_VM_H

#include <stdint.h>
#include <stdbool.h>
#include "mm/npt/npt.h"

/* Sets up `npt` on the host's page allocator, with its root (npt->root_pa:
 * the VM's N_CR3). False when out of memory. */
bool yakvm_vmm_npt_create(struct npt *npt);
/* Maps one nested page (npt_map()). False when out of memory. */
bool yakvm_vm_map_page(struct npt *npt, uint64_t gpa, uint64_t hpa, uint64_t size,
		       uint64_t flags);

#endif
