/*
 * boot/trampoline.S - where an application processor starts. The boot CPU
 * copies these two pages to a free, page-aligned place below 1 MiB
 * (arch/x86/smp.c) and sends INIT-SIPI-SIPI with that page as the vector;
 * the AP begins in real mode at CS:IP = (page << 8):0 (APM vol. 2, 16.5
 * "Interprocessor Interrupts", and 14.1.5 on the startup IPI).
 *
 * Page 0 is code and the GDT, page 1 (at +0x1000) the data the boot CPU fills
 * for each AP. The code does not know where it was copied: it reads its base
 * from CS and patches its own far pointers (page 1) while paging is off.
 * Real mode → 32-bit protected mode → long mode on yakvm's page tables →
 * ap_main(struct pcpu *) on the AP's own stack.
 */
#define DATA 0x1000
#define T_GDTR   (DATA + 0x00)	/* limit16, base32 */
#define T_FAR32  (DATA + 0x08)	/* offset32, selector16 */
#define T_FAR64  (DATA + 0x10)	/* offset32, selector16 */
#define T_CR3    (DATA + 0x18)
#define T_STACK  (DATA + 0x20)
#define T_ARG    (DATA + 0x28)
#define T_ENTRY  (DATA + 0x30)

	.section .rodata
	.balign 4096
	.global trampoline_start, trampoline_end
trampoline_start:
	.code16
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	xor	%ebx, %ebx
	mov	%ax, %bx
	shl	$4, %ebx		/* EBX = the trampoline's physical base */

	movw	$(gdt_end - gdt - 1), T_GDTR
	mov	%ebx, %eax
	add	$(gdt - trampoline_start), %eax
	mov	%eax, T_GDTR + 2
	mov	%ebx, %eax
	add	$(pm32 - trampoline_start), %eax
	mov	%eax, T_FAR32
	movw	$0x08, T_FAR32 + 4
	mov	%ebx, %eax
	add	$(lm64 - trampoline_start), %eax
	mov	%eax, T_FAR64
	movw	$0x18, T_FAR64 + 4

	lgdtl	T_GDTR
	mov	%cr0, %eax
	or	$1, %eax		/* PE */
	mov	%eax, %cr0
	ljmpl	*T_FAR32

	.code32
pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x20, %eax		/* CR4.PAE */
	mov	%eax, %cr4
	mov	T_CR3(%ebx), %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx	/* EFER: LME and NXE */
	rdmsr
	or	$0x900, %eax
	wrmsr
	mov	$0x80010031, %eax	/* PG, WP, NE, ET, PE */
	mov	%eax, %cr0
	ljmpl	*T_FAR64(%ebx)

	.code64
lm64:
	mov	%ebx, %ebx		/* the upper half is undefined after the switch */
	mov	T_STACK(%rbx), %rsp
	mov	T_ARG(%rbx), %rdi
	xor	%ebp, %ebp
	jmp	*T_ENTRY(%rbx)

	.balign 8
gdt:
	/* Accessed bits preset: after CR0.PG this page is read-only (R+X), and
	 * a CPU that sets A on loading CS (Bochs does) would #PF -> triple. */
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
	.quad 0x00af9b000000ffff	/* 0x18: 64-bit code */
gdt_end:
	.balign 4096
	.space 4096			/* page 1: data */
trampoline_end:

	.section .note.GNU-stack, "", @progbits
