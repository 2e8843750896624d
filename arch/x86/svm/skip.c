/*
 * arch/x86/svm/skip.c - RIP past the intercepted instruction: nRIP-save
 * where the CPU has it (APM vol. 2, 15.7.1), otherwise the instruction's
 * length, from its plain encoding or the decoder.
 */
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/fetch.h"

/* The length of the plain encoding of the instruction this exit is for, if
 * that is what the bytes hold: a shortcut past the full decoder for the
 * common case (no prefixes). 0 if the decoder must look. */
static unsigned plain_length(uint64_t exitcode, const uint8_t *b, size_t n)
{
	switch (exitcode) {
	case VMEXIT_CPUID:	/* 0f a2 */
		return n >= 2 && b[0] == 0x0f && b[1] == 0xa2 ? 2 : 0;
	case VMEXIT_MSR:	/* 0f 32 rdmsr, 0f 30 wrmsr */
		return n >= 2 && b[0] == 0x0f && (b[1] == 0x32 || b[1] == 0x30) ? 2 : 0;
	case VMEXIT_VMMCALL:	/* 0f 01 d9 */
		return n >= 3 && b[0] == 0x0f && b[1] == 0x01 && b[2] == 0xd9 ? 3 : 0;
	case VMEXIT_HLT:	/* f4 */
		return n >= 1 && b[0] == 0xf4 ? 1 : 0;
	case VMEXIT_XSETBV:	/* 0f 01 d1 */
		return n >= 3 && b[0] == 0x0f && b[1] == 0x01 && b[2] == 0xd1 ? 3 : 0;
	}
	return 0;
}

bool vcpu_skip_instruction(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	if (svm.nrips && vmcb->control.next_rip) {
		vmcb->save.rip = vmcb->control.next_rip;
		return true;
	}
	uint8_t buf[15];
	size_t n;
	const uint8_t *peek = vcpu_peek_inst_bytes(v, &n);
	unsigned len = peek ? plain_length(vmcb->control.exitcode, peek, n) : 0;
	if (!len) {
		if (!vcpu_get_inst_bytes(v, buf, &n))
			return false;
		struct insn in;
		if (insn_decode(&in, buf, n, vcpu_code_bits(v)) != INSN_OK) {
			vm_stop(v->vm, v, "cannot decode the intercepted instruction "
				"(%02x %02x %02x %02x)", buf[0], buf[1], buf[2], buf[3]);
			return false;
		}
		len = in.len;
	}
	vmcb->save.rip = vcpu_rip_after(v, len);
	return true;
}
