/*
 * devices/msi.c - MSI/MSI-X messages into the virtual LAPICs (see msi.h;
 * Intel SDM vol. 3A, 10.11.1 address, 10.11.2 data).
 */
#include "devices/msi.h"
#include "devices/vlapic.h"
#include "core/vm/vm.h"
#include "lib/log.h"

#define MODE_RESERVED(m) ((m) == 3 || (m) == 6)

enum msi_verdict msi_decode(uint64_t addr, uint32_t data, struct msi_decoded *out)
{
	if ((addr & ~0xfffffull) != MSI_ADDR_BASE)
		return MSI_BAD_ADDRESS;
	unsigned mode = (data >> 8) & 7;
	if (MODE_RESERVED(mode))
		return MSI_BAD_MODE;
	if (mode == APIC_DM_FIXED && (addr & MSI_ADDR_RH))
		mode = APIC_DM_LOWEST;	/* redirectable among the destinations */
	*out = (struct msi_decoded){
		.dest = (uint8_t)(addr >> 12),
		.logical = addr & MSI_ADDR_LOGICAL,
		.mode = mode,
		.vector = (uint8_t)data,
		.level = data & MSI_DATA_TRIGGER_LEVEL,
	};
	return MSI_OK;
}

void msi_send(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct msi_decoded m;
	enum msi_verdict why = msi_decode(addr, data, &m);
	if (why == MSI_OK) {
		/* A level message that deasserts asks nothing of a LAPIC. */
		if (m.level && !(data & MSI_DATA_LEVEL_ASSERT))
			return;
		vlapic_deliver(vm, m.dest, m.logical, m.mode, m.vector, m.level);
		return;
	}
	if (__atomic_fetch_add(&vm->msi_dropped, 1, __ATOMIC_RELAXED) == 0)
		log_warn("vm %s: MSI dropped: address 0x%llx data 0x%x (%s); "
			 "further drops are counted, not logged", vm->name,
			 (unsigned long long)addr, data,
			 why == MSI_BAD_ADDRESS ? "not in 0xfee00000-0xfeefffff"
						: "reserved delivery mode");
}
