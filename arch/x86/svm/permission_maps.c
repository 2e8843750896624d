/*
 * arch/x86/svm/permission_maps.c - a VM's I/O and MSR permission maps
 * (APM vol. 2, 15.10.1 and 15.11): a set bit intercepts.
 */
#include "arch/x86/vendor.h"
#include "arch/x86/cpu_model.h"
#include "core/vm/vm.h"
#include "mm/pmm.h"
#include "lib/string.h"

/* The MSR permission map: 2 bits per MSR (read, write) in three 2 KiB
 * blocks for 0000_0000h, C000_0000h and C001_0000h (15.11, figure 15-4). */
static void msrpm_allow(uint8_t *msrpm, uint32_t msr)
{
	uint32_t block;
	if (msr < 0x2000)
		block = 0;
	else if (msr - 0xc0000000u < 0x2000)
		block = 0x800;
	else if (msr - 0xc0010000u < 0x2000)
		block = 0x1000;
	else
		return;
	uint32_t bit = (msr & 0x1fff) * 2;
	msrpm[block + bit / 8] &= ~(3u << (bit % 8));
}

bool vendor_vm_alloc(struct vm *vm)
{
	/* The IOPM is 12 KiB, the MSRPM 8 KiB, both physically contiguous and
	 * page aligned (15.10.1, 15.11). All ones: intercept everything. */
	vm->iopm_pa = pmm_alloc_pages(3);
	vm->msrpm_pa = pmm_alloc_pages(2);
	if (!vm->iopm_pa || !vm->msrpm_pa)
		return false;
	memset(phys_to_virt(vm->iopm_pa), 0xff, 3 * PAGE_SIZE);
	uint8_t *msrpm = phys_to_virt(vm->msrpm_pa);
	memset(msrpm, 0xff, 2 * PAGE_SIZE);
	/* The MSRs the guest may read and write directly: VMLOAD/VMSAVE
	 * switch each of them (APM vol. 2, 15.5.1 and 15.6), so no guest
	 * value survives into the host or another guest. They are the CPU
	 * model's rows of kind MSRK_PASSTHROUGH (arch/x86/cpu_model.c). */
	for (size_t i = 0; i < cpu_model_count; i++) {
		const struct cpu_feature *f = &cpu_model[i];
		if (!cpu_policy.offered[i])
			continue;
		for (unsigned j = 0; j < CPU_MODEL_MAX_MSRS && f->msrs[j].name; j++)
			if (f->msrs[j].kind == MSRK_PASSTHROUGH)
				for (uint32_t m = f->msrs[j].first; m <= f->msrs[j].last; m++)
					msrpm_allow(msrpm, m);
	}
	return true;
}

uint64_t vendor_vm_free(struct vm *vm)
{
	pmm_free_pages(vm->iopm_pa, 3);
	pmm_free_pages(vm->msrpm_pa, 2);
	return 5 * PAGE_SIZE;
}
