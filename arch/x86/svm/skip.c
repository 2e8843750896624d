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
#include "arch/x86/svm/exit.h"
#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/fetch.h"

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
	/* The exit table's plain encoding (arch/x86/svm/exit.c): the common
	 * case (no prefixes) needs no decoder. */
	unsigned len = peek ? svm_plain_length(svm_exit_row(vmcb->control.exitcode), peek, n) : 0;
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
