/*
 * arch/x86/isr.S - one entry stub per interrupt vector. Each pushes an error
 * code (the CPU's, or 0), the vector, and the general registers, then calls
 * interrupt_dispatch(struct intr_frame *) (arch/x86/interrupt.c).
 * Vectors 8, 10-14, 17, 21, 29, 30 push an error code themselves (APM vol. 2,
 * 8.2 "Vectors").
 */
	.text
	.altmacro

.macro stub v
	.balign 16
isr_\v:
	.if (\v == 1)
	jmp	db_entry
	.elseif (\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	.else
	pushq	$0
	.endif
	pushq	$\v
	jmp	isr_common
.endm

.set i, 0
.rept 256
	stub %i
	.set i, i + 1
.endr

/* #DB. Bochs 2.7 keeps the single-step trap of a guest instruction that
 * exits (RFLAGS.TF=1, then an intercepted CPUID, IN, ...) pending across
 * #VMEXIT and delivers it to the host at its first instruction, while the
 * guest's GS is still loaded (arch/x86/svm/vmrun.S): the trap belongs to
 * the guest (arch/x86/svm/single_step.c raises it there), so the host drops it.
 * On CPUs and QEMU an intercepted instruction raises no trap (APM vol. 2,
 * 15.7.1). */
db_entry:
	cmpq	$vmrun_host_resume, (%rsp)
	jb	1f
	cmpq	$vmrun_host_state_back, (%rsp)
	jae	1f
	iretq
1:	pushq	$0
	pushq	$1
	jmp	isr_common

isr_common:
	pushq	%r15
	pushq	%r14
	pushq	%r13
	pushq	%r12
	pushq	%r11
	pushq	%r10
	pushq	%r9
	pushq	%r8
	pushq	%rdi
	pushq	%rsi
	pushq	%rbp
	pushq	%rbx
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	mov	%rsp, %rdi
	mov	%rsp, %rbx
	and	$-16, %rsp		/* SysV ABI: 16-byte aligned call */
	call	interrupt_dispatch
	mov	%rbx, %rsp
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rbx
	popq	%rbp
	popq	%rsi
	popq	%rdi
	popq	%r8
	popq	%r9
	popq	%r10
	popq	%r11
	popq	%r12
	popq	%r13
	popq	%r14
	popq	%r15
	add	$16, %rsp		/* vector and error code */
	iretq

.macro addr v
	.quad isr_\v
.endm
	.section .rodata
	.balign 8
	.global isr_stub_table
isr_stub_table:
.set i, 0
.rept 256
	addr %i
	.set i, i + 1
.endr

	.section .note.GNU-stack, "", @progbits
