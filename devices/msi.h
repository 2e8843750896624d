/*
 * devices/msi.h - message signalled interrupts (MSI and MSI-X) into a VM's
 * virtual LAPICs. The format is the Intel SDM's, vol. 3A, 10.11 (11.11 in
 * later editions; AMD's APICs take the same messages):
 *
 *   address  bits 31:20 0xfee, 19:12 destination ID, 3 redirection hint
 *            (RH), 2 destination mode (DM, 1 logical); bits 63:32 zero
 *   data     bits 7:0 vector, 10:8 delivery mode, 14 level (assert),
 *            15 trigger mode (1 level)
 *
 * Choices: DM says physical or logical for every message (as KVM and QEMU
 * read it); RH = 1 makes a fixed message lowest priority among the
 * destinations (10.11.1; KVM does the same). Delivery modes 3 and 6 are
 * reserved: the message is dropped, as is one whose address is outside
 * 0xfee00000-0xfeefffff; yakvm counts the drops per VM and logs the first.
 * Everything else goes through vlapic_deliver(), the IOAPIC's way in.
 */
#ifndef YAKVM_DEVICES_MSI_H
#define YAKVM_DEVICES_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define MSI_ADDR_BASE      0xfee00000ull
#define MSI_ADDR_DEST(id)  ((uint32_t)(uint8_t)(id) << 12)
#define MSI_ADDR_RH        (1u << 3)
#define MSI_ADDR_LOGICAL   (1u << 2)
#define MSI_DATA_LEVEL_ASSERT (1u << 14)
#define MSI_DATA_TRIGGER_LEVEL (1u << 15)

struct msi_decoded {
	uint8_t dest;
	bool logical;
	unsigned mode;                /* enum apic_delivery */
	uint8_t vector;
	bool level;
};

enum msi_verdict { MSI_OK, MSI_BAD_ADDRESS, MSI_BAD_MODE };
/* Decodes a message (pure). */
enum msi_verdict msi_decode(uint64_t addr, uint32_t data, struct msi_decoded *out);

/* A device writes data to addr: delivered to the VM's LAPICs, or dropped
 * (counted in vm->msi_dropped, the first one logged). */
void msi_send(struct vm *vm, uint64_t addr, uint32_t data);

#endif
