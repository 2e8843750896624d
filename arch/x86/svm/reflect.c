/*
 * arch/x86/svm/reflect.c - exceptions yakvm intercepts only to hand them
 * back to the guest: #AC always, and #DB when gdb does not own it
 * (arch/x86/svm/debug.c).
 *
 * Why intercept at all: an #AC raised while the CPU delivers an #AC (CR0.AM
 * and EFLAGS.AC set, the frame pushed at CPL 3 on a misaligned stack), or a
 * #DB raised while it delivers a #DB (a data breakpoint on the stack slot
 * the frame is pushed to), repeats inside microcode for ever: no
 * instruction boundary, so no INTR or NMI exit, and the physical CPU is
 * lost to every other VM (CVE-2015-5307, CVE-2015-8104). With the exception
 * intercept (APM vol. 2, 15.12) each delivery attempt is a #VMEXIT, and the
 * scheduler runs others between them. KVM intercepts both on SVM too.
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/vmcb.h"
#include "core/run/vcpu.h"

/* The exception as the CPU would have delivered it. An event whose
 * delivery raised it (EXITINTINFO, now in EVENTINJ for re-injection,
 * arch/x86/svm/run.c) is dropped: #AC and #DB are benign exceptions, handled
 * serially (no #DF, Intel SDM vol. 3, table 6-5; APM vol. 2, 8.2.8): the
 * CPU abandons the first delivery and delivers the second. */
void svm_reflect_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err)
{
	vcpu_inject_exception(v, vector, has_err, err);
}

/* #AC pushes an error code of 0 (APM vol. 2, 8.2.18). */
void svm_handle_ac(struct vcpu *v)
{
	svm_reflect_exception(v, 17, true, 0);
}
