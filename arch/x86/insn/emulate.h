/*
 * arch/x86/insn/emulate.h - emulation of memory-operand instructions (MMIO)
 * and the one string engine (MOVS, STOS, LODS, INS, OUTS).
 *
 * After a nested page fault on an MMIO page the hypervisor decodes the
 * faulting instruction (decode.h) and performs it here; every memory access
 * goes through emu_ops, which route it to a device model or guest RAM.
 * INS and OUTS (an IOIO exit, arch/x86/svm/ioio_string.c) come here too:
 * their port accesses go through emu_ops as well.
 * Semantics follow AMD APM vol. 3 (general-purpose instruction reference)
 * and Intel SDM vol. 2; flags are computed as the hardware does.
 */
#ifndef YAKVM_ARCH_X86_INSN_EMULATE_H
#define YAKVM_ARCH_X86_INSN_EMULATE_H

#include <stdint.h>

#include "arch/x86/insn/decode.h"
#include "arch/x86/regs.h"

/* EMU_RETRY: only from a port callback: the device is busy; this element
 * is not done, the instruction runs again later (RIP stays on it). */
enum { EMU_OK = 0, EMU_UNSUPPORTED = 1, EMU_FAULT = 2, EMU_ERROR = 3, EMU_RETRY = 4 };

/* The caller's callbacks (a static const table; each gets emu_state.ctx). */
struct emu_ops {
	/* size is 1, 2, 4 or 8. `linear` is the guest linear address (segment base already added,
	 * truncated to 32 bits outside 64-bit mode). Return EMU_OK, or EMU_FAULT (the callee has
	 * queued an exception for the guest, e.g. #PF), or EMU_ERROR (stop the VM). */
	int (*read)(void *ctx, uint64_t linear, unsigned size, uint64_t *val);
	int (*write)(void *ctx, uint64_t linear, unsigned size, uint64_t val);
	/* INS/OUTS only (NULL elsewhere: INS/OUTS are then EMU_UNSUPPORTED).
	 * probe_write: would a write of size bytes at linear succeed? EMU_OK,
	 * or EMU_FAULT / EMU_ERROR as write() would return, with nothing
	 * written. INS calls it before reading the port, so a #PF on the
	 * destination loses no byte of the device. */
	int (*probe_write)(void *ctx, uint64_t linear, unsigned size);
	/* size 1, 2 or 4. EMU_OK, EMU_RETRY (busy), or EMU_ERROR. */
	int (*port_in)(void *ctx, uint16_t port, unsigned size, uint32_t *val);
	int (*port_out)(void *ctx, uint16_t port, unsigned size, uint32_t val);
};

struct emu_state {
	struct gprs *regs;		/* from arch/x86/regs.h, updated in place */
	uint64_t rip, rflags;		/* updated in place */
	uint64_t seg_base[SEG_COUNT];
	unsigned mode_bits;		/* 16, 32, 64 */
	void *ctx;			/* passed to every emu_ops callback */
	unsigned rep_max;		/* string ops: iterations per call, 0: EMU_REP_MAX */
	unsigned rep_done;		/* out (string ops only): iterations done by this call */
};

/* A string instruction (REP or not) does at most rep_max (by default
 * EMU_REP_MAX) iterations per call, so a hostile REP cannot hold the CPU;
 * if rCX is still non-zero the call returns EMU_OK with rip unchanged, so
 * the guest executes the instruction again (as after an interrupt). A
 * guest single-stepping itself gets rep_max 1: one #DB per iteration. */
#define EMU_REP_MAX 4096

/* Performs `in` (decoded in st->mode_bits). EMU_OK: done, rip advanced.
 * EMU_UNSUPPORTED: not an instruction this emulator handles (or LOCK where
 * not allowed); nothing was changed, the caller injects #UD or stops the VM.
 * EMU_FAULT / EMU_ERROR: as returned by a callback; registers reflect the
 * accesses completed so far (REP: the finished iterations), rip unchanged. */
int insn_emulate(struct emu_state *st, const struct insn *in, const struct emu_ops *ops);

#endif
