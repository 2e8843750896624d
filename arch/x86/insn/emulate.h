/*
 * arch/x86/insn/emulate.h - emulation of memory-operand instructions (MMIO).
 *
 * After a nested page fault on an MMIO page the hypervisor decodes the
 * faulting instruction (decode.h) and performs it here; every memory access
 * goes through emu_ops, which route it to a device model or guest RAM.
 * Semantics follow AMD APM vol. 3 (general-purpose instruction reference)
 * and Intel SDM vol. 2; flags are computed as the hardware does.
 */
#ifndef YAKVM_ARCH_X86_INSN_EMULATE_H
#define YAKVM_ARCH_X86_INSN_EMULATE_H

#include <stdint.h>

#include "arch/x86/insn/decode.h"
#include "arch/x86/regs.h"

enum { EMU_OK = 0, EMU_UNSUPPORTED = 1, EMU_FAULT = 2, EMU_ERROR = 3 };

struct emu_ops {
	void *ctx;
	/* size is 1, 2, 4 or 8. `linear` is the guest linear address (segment base already added,
	 * truncated to 32 bits outside 64-bit mode). Return EMU_OK, or EMU_FAULT (the callee has
	 * queued an exception for the guest, e.g. #PF), or EMU_ERROR (stop the VM). */
	int (*read)(void *ctx, uint64_t linear, unsigned size, uint64_t *val);
	int (*write)(void *ctx, uint64_t linear, unsigned size, uint64_t val);
};

struct emu_state {
	struct gprs *regs;		/* from arch/x86/regs.h, updated in place */
	uint64_t rip, rflags;		/* updated in place */
	uint64_t seg_base[SEG_COUNT];
	unsigned mode_bits;		/* 16, 32, 64 */
};

/* REP string instructions do at most this many iterations per call; if rCX
 * is still non-zero the call returns EMU_OK with rip unchanged, so the guest
 * executes the instruction again (as after an interrupt). */
#define EMU_REP_MAX 4096

/* Performs `in` (decoded in st->mode_bits). EMU_OK: done, rip advanced.
 * EMU_UNSUPPORTED: not an instruction this emulator handles (or LOCK where
 * not allowed); nothing was changed, the caller injects #UD or stops the VM.
 * EMU_FAULT / EMU_ERROR: as returned by a callback; registers reflect the
 * accesses completed so far (REP: the finished iterations), rip unchanged. */
int insn_emulate(struct emu_state *st, const struct insn *in, const struct emu_ops *ops);

#endif
