/*
 * mm/npt/npt_vm.c - a VM's nested page tables: yakvm_vmm_npt_create() makes
 * the root, yakvm_vm_map_page() maps guest-physical pages onto the host pages
 * that back the VM's RAM (mm/guest_ram.c), from the host's page allocator.
 */
#include "mm/npt/npt_vm.h"
#include "mm/pmm.h"

static uint64_t alloc_table(void *ctx) { return pmm_alloc_page(); }
static void free_table(void *ctx, uint64_t pa) { pmm_free_pages(pa, 1); }
static void *p2v(void *ctx, uint64_t pa) { return phys_to_virt(pa); }

bool yakvm_vmm_npt_create(struct npt *npt)
{
	*npt = (struct npt){ .alloc_table = alloc_table, .free_table = free_table,
			     .phys_to_virt = p2v };
	return npt_init(npt);
}

bool yakvm_vm_map_page(struct npt *npt, uint64_t gpa, uint64_t hpa, uint64_t size,
		       uint64_t flags)
{
	return npt_map(npt, gpa, hpa, size, flags);
}
