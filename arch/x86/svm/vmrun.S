/*
 * arch/x86/svm/vmrun.S - the world switch.
 *
 *   void _yakvm_vcpu_run(struct gprs *regs, uint64_t vmcb_pa,
 *                        uint64_t host_vmcb_pa, uint64_t *guest_xcr0);
 *
 * What VMRUN switches and what it does not (APM vol. 2, 15.5 and 15.6):
 *   RAX, RSP, RIP, RFLAGS   switched through the VMCB save area
 *   CR0, CR3, CR4, EFER     switched (the host's kept in the host-save area)
 *   CS, SS, DS, ES, GDTR,   switched
 *   IDTR, CR2, DR6, DR7
 *   FS, GS, TR, LDTR,       NOT switched by VMRUN/#VMEXIT: VMLOAD loads the
 *   KernelGSBase, STAR,     guest's before VMRUN, VMSAVE stores them after,
 *   LSTAR, CSTAR, SFMASK,   and VMLOAD of the host VMCB restores the host's
 *   SYSENTER_*              (our per-CPU GS.base and TSS among them)
 *   RBX RCX RDX RSI RDI     NOT switched: saved and loaded here, from and to
 *   RBP R8-R15              *regs
 *   XCR0                    NOT switched: loaded here, the guest's
 *                           (*guest_xcr0; NULL without XSAVE) after CLGI and
 *                           before any guest state, the host's
 *                           (fpu_host_xcr0) right after #VMEXIT, before
 *                           anything else. Each load is skipped when the
 *                           value is already there. XSETBV is intercepted
 *                           (arch/x86/svm/xsetbv.c), but QEMU 7.2's TCG
 *                           ignores that intercept and runs the guest's
 *                           XSETBV (with the architectural checks): so the
 *                           XCR0 the guest leaves is read back (XGETBV) into
 *                           *guest_xcr0 after every #VMEXIT; on hardware
 *                           that is the value loaded before VMRUN.
 *   x87/SSE/AVX, DR0-DR3,   NOT switched: they stay in the CPU while the
 *   TSC_AUX                 vCPU owns it; core/run/sched.c saves and loads them
 *                           when another vCPU takes the CPU (fpu.h)
 *
 * The host's CR0 is written again right after VMRUN returns. #VMEXIT loads
 * the whole host state (APM 15.6), so on hardware this changes nothing; but
 * QEMU 7.2's TCG loads the host CR0 while the guest's EFER and CR4 are still
 * in place, and skips it when they read as "long mode being entered without
 * PAE" (a guest that left EFER.LME=1 with CR0.PG=0 and CR4.PAE=0, which is
 * legal): yakvm would go on with the guest's CR0, paging off. Until the next
 * instructions fix it, only identity-mapped memory (all of yakvm's) is used.
 *
 * Speculation (docs/security.md): right after the guest's registers are
 * saved, the return stack buffer is overwritten with 32 entries that lead
 * to a speculation trap, so that no RET in yakvm is predicted to a target
 * the guest planted (SpectreRSB; what KVM and Xen do on every #VMEXIT), and
 * every register that held a guest value (RCX RDX RSI RDI R8-R11; RBX RBP
 * R12-R15 get the host's back from the stack before the RET) is zeroed,
 * so that no guest value reaches C code to steer its speculation.
 *
 * GIF is cleared (CLGI) from before VMLOAD until the host's own state is back,
 * so no interrupt or NMI can run host code with guest FS/GS/TR loaded. A
 * physical interrupt that made the guest exit (INTR intercept) stays pending
 * and is taken by the host's IDT right after STGI, since the host runs with
 * RFLAGS.IF=1 here. The caller enters with IF=0, after its last look at the
 * flags interrupts set (core/run/vcpu.c), and IF is set only after CLGI: an
 * interrupt from then on is not lost but makes the guest exit at once
 * (VMRUN saves the host's IF=1, which masks physical interrupts in the
 * guest, APM 15.21.1).
 */
#include "arch/x86/svm/vmrun.h"
	.text
	.global _yakvm_vcpu_run
_yakvm_vcpu_run:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%cr0, %rax
	push	%rax			/* host CR0 */
	push	%rcx			/* &guest XCR0, 0 = no XSAVE */
	push	%rdx			/* host VMCB */
	push	%rdi			/* struct gprs * */

	clgi
	test	%rcx, %rcx
	jz	1f
	mov	(%rcx), %rax		/* the guest's XCR0, if not the host's */
	cmp	fpu_host_xcr0(%rip), %rax
	je	1f
	mov	%rax, %rdx		/* XSETBV: XCR[ECX] = EDX:EAX */
	shr	$32, %rdx
	xor	%ecx, %ecx
	xsetbv
1:
	mov	%rsi, %rax		/* RAX = guest VMCB for vmload/vmrun/vmsave */
	mov	GPRS_RCX(%rdi), %rcx
	mov	GPRS_RDX(%rdi), %rdx
	mov	GPRS_RBX(%rdi), %rbx
	mov	GPRS_RBP(%rdi), %rbp
	mov	GPRS_RSI(%rdi), %rsi
	mov	GPRS_R8(%rdi), %r8
	mov	GPRS_R9(%rdi), %r9
	mov	GPRS_R10(%rdi), %r10
	mov	GPRS_R11(%rdi), %r11
	mov	GPRS_R12(%rdi), %r12
	mov	GPRS_R13(%rdi), %r13
	mov	GPRS_R14(%rdi), %r14
	mov	GPRS_R15(%rdi), %r15
	mov	GPRS_RDI(%rdi), %rdi

	sti				/* called with IF=0; GIF=0 holds interrupts off */
	vmload	%rax
	vmrun	%rax			/* the guest runs until #VMEXIT */
	.global vmrun_host_resume
vmrun_host_resume:			/* see db_entry, arch/x86/isr.S */
	push	%rax
	mov	32(%rsp), %rax		/* host CR0 (see above) */
	mov	%rax, %cr0
	pop	%rax
	vmsave	%rax

	push	%rdi			/* guest RDI */
	mov	8(%rsp), %rdi		/* struct gprs * */
	mov	%rcx, GPRS_RCX(%rdi)
	mov	%rdx, GPRS_RDX(%rdi)
	mov	%rbx, GPRS_RBX(%rdi)
	mov	%rbp, GPRS_RBP(%rdi)
	mov	%rsi, GPRS_RSI(%rdi)
	mov	%r8, GPRS_R8(%rdi)
	mov	%r9, GPRS_R9(%rdi)
	mov	%r10, GPRS_R10(%rdi)
	mov	%r11, GPRS_R11(%rdi)
	mov	%r12, GPRS_R12(%rdi)
	mov	%r13, GPRS_R13(%rdi)
	mov	%r14, GPRS_R14(%rdi)
	mov	%r15, GPRS_R15(%rdi)
	popq	GPRS_RDI(%rdi)

	/* 16 rounds of two CALLs: 32 RSB entries, each predicting a return
	 * into the PAUSE/LFENCE trap after its CALL; the real returns never
	 * happen (RSP is moved back past the return addresses). */
	mov	$16, %ecx
3:	call	4f
5:	pause
	lfence
	jmp	5b
4:	call	6f
7:	pause
	lfence
	jmp	7b
6:	add	$16, %rsp
	dec	%ecx
	jnz	3b
	lfence				/* no speculation past a mispredicted JNZ */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp		/* struct gprs * */
	pop	%rbx			/* host VMCB */
	pop	%rsi			/* &guest XCR0 */
	test	%rsi, %rsi
	jz	2f
	xor	%ecx, %ecx		/* XCR0 as the guest left it (see above) */
	xgetbv
	mov	%eax, (%rsi)
	mov	%edx, 4(%rsi)
	shl	$32, %rdx
	or	%rdx, %rax
	cmp	fpu_host_xcr0(%rip), %rax
	je	2f
	mov	fpu_host_xcr0(%rip), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	xsetbv				/* the host's XCR0 back, ECX = 0 */
2:
	mov	%rbx, %rax
	vmload	%rax			/* host FS, GS, TR, ... back */
	.global vmrun_host_state_back
vmrun_host_state_back:
	stgi
	add	$8, %rsp		/* host CR0 */

	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
