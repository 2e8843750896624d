/*
 * devices/msix.h - MSI-X for any PCI function model (PCI Local Bus
 * Specification 3.0, 6.8.2): the capability in configuration space, the
 * table and the pending-bit array (PBA) in one of the function's memory
 * BARs, per-vector and function masks.
 *
 * A model embeds a struct msix, calls msix_init() and msix_add_cap() before
 * pci_register(), forwards accesses to the BAR that holds the table and
 * PBA (msix_bar_read/msix_bar_write), tells it of configuration writes
 * (msix_config_written, from its pci_function's config_written) and
 * raises vectors with msix_raise(). Everything runs under the model's lock.
 * Pure: messages leave through the send callback (devices/msi.h's
 * msi_send in yakvm, a recorder in tests).
 *
 * Rules (6.8.2.3 message control, 6.8.2.6-6.8.2.9 table, 6.8.2.10 PBA):
 * - A vector is delivered while MSI-X is enabled (control bit 15), the
 *   function mask (bit 14) is clear and its entry's mask bit (vector
 *   control bit 0) is clear; otherwise raising it sets its pending bit.
 *   When it becomes deliverable (either mask cleared) with its pending
 *   bit set, the bit is cleared and the message sent, with the entry's
 *   address and data as they are then.
 * - While MSI-X is disabled msix_raise() does nothing and says so: the
 *   function uses INTx instead (6.8.2: it may not use both).
 * - Table and PBA take accesses of any size and alignment, byte by byte
 *   (the specification defines aligned dwords and qwords only). Message
 *   address bits 1:0 and vector control bits 31:1 read 0; the PBA is
 *   read-only. Reset: every entry 0 and masked, no bit pending, disabled.
 */
#ifndef YAKVM_DEVICES_MSIX_H
#define YAKVM_DEVICES_MSIX_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/pci.h"

#define MSIX_MAX_VECTORS 64            /* one PBA qword */
#define MSIX_ENTRY_SIZE  16
#define MSIX_PBA_SIZE    8

/* Message control (capability + 2). */
#define MSIX_CTRL_TABLE_SIZE 0x07ffu   /* N - 1, read-only */
#define MSIX_CTRL_MASKALL    0x4000u   /* function mask */
#define MSIX_CTRL_ENABLE     0x8000u
#define MSIX_CAP_LEN         12
#define MSIX_VECTOR_MASKED   0x1u      /* vector control bit 0 */

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

typedef void (*msix_send_fn)(void *ctx, uint64_t addr, uint32_t data);

struct msix {
	unsigned nvec;                 /* 1..MSIX_MAX_VECTORS */
	uint8_t cap;                   /* the capability's offset */
	uint8_t bar;                   /* BIR: the BAR of table and PBA */
	uint32_t table_off, pba_off;   /* in that BAR, 8-byte aligned */
	bool enabled, maskall;         /* message control as last written */
	struct msix_entry table[MSIX_MAX_VECTORS];
	uint64_t pending;              /* the PBA */
	msix_send_fn send;
	void *ctx;
};

/* nvec vectors (clamped to 1..MSIX_MAX_VECTORS), table at table_off and
 * PBA at pba_off in BAR bar (the caller keeps them apart and inside it). */
void msix_init(struct msix *m, unsigned nvec, unsigned bar, uint32_t table_off,
	       uint32_t pba_off, msix_send_fn send, void *ctx);
/* Adds the capability to f (before pci_register); its offset, 0 if no room. */
uint8_t msix_add_cap(struct msix *m, struct pci_function *f);
void msix_reset(struct msix *m);

/* f's configuration dword at reg was written: takes the enable and
 * function mask from the capability, sends what became deliverable. */
void msix_config_written(struct msix *m, const struct pci_function *f, unsigned reg);

/* Whether f may assert its INTx pin: MSI-X is off (6.8.2: a function
 * uses one or the other) and command bit 10, Interrupt Disable, is clear
 * (6.2.2). */
bool msix_intx_allowed(const struct msix *m, const struct pci_function *f);

/* Accesses at offset off of the BAR (size 1-8). Bytes outside the table
 * and the PBA read 0 and ignore writes. */
uint64_t msix_bar_read(const struct msix *m, uint64_t off, unsigned size);
void msix_bar_write(struct msix *m, uint64_t off, unsigned size, uint64_t val);

enum msix_raised { MSIX_OFF, MSIX_SENT, MSIX_PENDING, MSIX_NO_VECTOR };
/* The function signals vector vec. MSIX_OFF: MSI-X is disabled (use
 * INTx); MSIX_NO_VECTOR: vec >= nvec, ignored. */
enum msix_raised msix_raise(struct msix *m, unsigned vec);

#endif
