/*
 * arch/x86/insn/fetch.h - reading a guest's memory the way its CPU sees it:
 * linear addresses through the guest's own page tables (every paging mode),
 * and the bytes of the instruction that caused an exit.
 */
#ifndef YAKVM_ARCH_X86_INSN_FETCH_H
#define YAKVM_ARCH_X86_INSN_FETCH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "arch/x86/insn/walk.h"

struct vcpu;

/* Translates a guest linear address (CR0.PG off: identity; 32-bit, PAE,
 * 4- and 5-level paging otherwise; APM vol. 2, chapter 5). */
enum walk_result guest_translate(struct vcpu *v, uint64_t la, unsigned access,
				 uint64_t *gpa, uint32_t *pf_err);
/* Copies guest linear memory (which must be RAM, not MMIO). */
enum walk_result guest_read_linear(struct vcpu *v, uint64_t la, void *dst,
				   size_t len, unsigned access, uint64_t *fault_la,
				   uint32_t *pf_err);
enum walk_result guest_write_linear(struct vcpu *v, uint64_t la, const void *src,
				    size_t len, uint64_t *fault_la, uint32_t *pf_err);

/* CS default size for the decoder: 16, 32 or 64. */
unsigned vcpu_code_bits(struct vcpu *v);
/* RIP after an instruction of len bytes (wrapping at 4 GiB outside 64-bit
 * code). */
uint64_t vcpu_rip_after(struct vcpu *v, unsigned len);

/*
 * The bytes at the guest's CS:RIP, up to 15. They come from the VMCB when the
 * CPU has decode assists and filled them (#NPF and #PF exits, APM 15.8.4),
 * otherwise from walking the guest's page tables. On a guest page fault the
 * #PF is queued for the guest and false is returned; on a fetch from outside
 * RAM the VM is stopped and false is returned.
 */
bool vcpu_get_inst_bytes(struct vcpu *v, uint8_t *buf, size_t *len);

/* The fast look at the instruction at CS:RIP, without copying: a pointer to
 * its bytes in the VM's RAM and how many of them (up to 15) lie on the same
 * page, or NULL if the fetch needs the full path above (a fault, a page
 * that is not RAM). The bytes may change under the caller (another vCPU):
 * only the guest itself is hurt by that. */
const uint8_t *vcpu_peek_inst_bytes(struct vcpu *v, size_t *avail);

#endif
