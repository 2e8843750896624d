/*
 * guest/rt/start.S - the entry of yakvm's demo and test guests: a Multiboot1
 * header (Multiboot spec 0.6.96, 3.1.1), our own GDT and IDT, a stack, then
 * rt_main(magic, info). Exceptions (vectors 0-31) go to rt_exception(),
 * interrupts (32-255) to rt_interrupt() (rt.c).
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000003	/* page-aligned modules, memory info */

	.section .multiboot, "a"
	.balign 4
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)

	.text
	.global _start
_start:
	cli
	mov	$stack_top, %esp
	push	%ebx
	push	%eax
	lgdt	gdt_ptr
	ljmp	$0x08, $1f
1:	mov	$0x10, %cx
	mov	%cx, %ds
	mov	%cx, %es
	mov	%cx, %fs
	mov	%cx, %gs
	mov	%cx, %ss
	/* IDT: 256 interrupt gates to the stubs below. */
	xor	%ecx, %ecx
2:	mov	isr_table(,%ecx,4), %eax
	mov	%ax, idt(,%ecx,8)
	movw	$0x08, idt+2(,%ecx,8)
	movw	$0x8e00, idt+4(,%ecx,8)
	shr	$16, %eax
	mov	%ax, idt+6(,%ecx,8)
	inc	%ecx
	cmp	$256, %ecx
	jne	2b
	lidt	idt_ptr
	call	rt_start
3:	hlt
	jmp	3b

	/* Exception stubs: push a dummy error code where the CPU does not. */
.macro stub v
isr\v:
	.if (\v == 8 || (\v >= 10 && \v <= 14) || \v == 17)
	.else
	push	$0
	.endif
	push	$\v
	jmp	isr_common
.endm
.altmacro
.set i, 0
.rept 256
	stub %i
	.set i, i + 1
.endr

isr_common:
	pusha
	push	%esp		/* struct rt_frame * */
	call	rt_trap
	add	$4, %esp
	popa
	add	$8, %esp	/* vector, error code */
	.global rt_iret
rt_iret:			/* tests look for it as an interrupted EIP */
	iret

.macro addr v
	.long isr\v
.endm
	.section .rodata
	.balign 4
isr_table:
.set i, 0
.rept 256
	addr %i
	.set i, i + 1
.endr
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
gdt_ptr:
	.short gdt_ptr - gdt - 1
	.long gdt
idt_ptr:
	.short 256 * 8 - 1
	.long idt

	.bss
	.balign 8
idt:	.space 256 * 8
	.balign 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
