/*
 * arch/x86/svm/ioio.c - yakvm_cpu_handle_ioio(): IN/OUT exits. Every port is
 * intercepted through the I/O permission map (APM vol. 2, 15.10.1). EXITINFO1
 * describes the access (15.10.2, figure 15-2):
 *   bit 0 TYPE (1 = IN)   bit 2 STR   bit 3 REP
 *   bits 4-6 operand size (8/16/32)   bits 7-9 address size (16/32/64)
 *   bits 10-12 segment (Bochs fills it, QEMU leaves 0)   bits 16-31 port
 * EXITINFO2 is the RIP of the next instruction, even without nRIP-save.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/ioio.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/pcpu.h"
#include "core/vm/vm.h"
#include "devices/bus.h"

void yakvm_cpu_handle_ioio(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	struct ioio io = ioio_decode(c->exitinfo1);
	if (io.size == 0) {
		vm_stop(v->vm, v, "IOIO exit with no operand size (exitinfo1=0x%lx)",
			c->exitinfo1);
		return;
	}
	if (io.string) {
		ioio_string(v, &io);
		return;
	}
	uint64_t *rax = &v->regs.r[GPR_RAX];
	if (io.in) {
		uint32_t val = bus_pio_read(v->vm, io.port, io.size);
		if (io.size == 4)
			*rax = val;	/* a 32-bit IN zero-extends into RAX */
		else if (io.size == 2)
			*rax = (*rax & ~0xffffull) | (val & 0xffff);
		else
			*rax = (*rax & ~0xffull) | (val & 0xff);
	} else {
		uint32_t mask = io.size == 4 ? 0xffffffffu : io.size == 2 ? 0xffff : 0xff;
		bus_pio_write(v->vm, io.port, io.size, (uint32_t)*rax & mask);
	}
	if (!this_cpu()->io_retry)	/* a busy device: the OUT runs again */
		v->vmcb->save.rip = c->exitinfo2;
}
