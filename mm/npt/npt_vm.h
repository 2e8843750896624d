/* mm/npt/npt_vm.h - a VM's nested page tables (see npt_vm.c). */
#ifndef YAKVM_MM_NPT_NPT_VM_H
#define YAKVM_MM_NPT_NPT_VM_H

#include <stdint.h>
#include <stdbool.h>
#include "mm/npt/npt.h"

struct vm;

bool yakvm_vmm_npt_create(struct vm *vm);
bool yakvm_vm_map_page(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		       uint64_t flags);

#endif
