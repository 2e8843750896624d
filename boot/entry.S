/*
 * boot/entry.S - from GRUB's 32-bit handoff to 64-bit C.
 *
 * GRUB enters _start in 32-bit protected mode, paging off, with
 * EAX = 0x36d76289 and EBX = the Multiboot2 information block (Multiboot2
 * spec, 3.3). We clear .bss, build boot page tables that identity-map the
 * first 4 GiB with 2 MiB pages, enable PAE and long mode (APM vol. 2,
 * 14.6.1 "Activating Long Mode"), and call yakvm_main(magic, info).
 * mm/paging.c replaces these tables with W^X ones soon after.
 */
#define CR0_PE   (1 << 0)
#define CR0_WP   (1 << 16)
#define CR0_PG   (1 << 31)
#define CR4_PAE  (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define COM1     0x3f8

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	mov	%eax, %ebp		/* keep the Multiboot2 magic */
	mov	%ebx, %esi		/* and the info block address */
	rdtsc				/* when GRUB handed over (make bench) */
	mov	%eax, boot_entry_tsc
	mov	%edx, boot_entry_tsc + 4

	/* Zero .bss. GRUB's info block lies past _end, so this is safe. */
	mov	$_bss_start, %edi
	mov	$_bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	mov	$boot_stack_top, %esp

	/* Long mode available? (CPUID 8000_0001h EDX bit 29) */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	bt	$29, %edx
	jnc	no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; PDk[j] = 2 MiB page. */
	mov	$boot_pdpt, %eax
	or	$3, %eax
	mov	%eax, boot_pml4
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$12, %eax
	add	$boot_pd, %eax
	or	$3, %eax
	mov	%eax, boot_pdpt(,%ecx,8)
	inc	%ecx
	cmp	$4, %ecx
	jne	1b
	xor	%ecx, %ecx		/* 2048 PDEs cover 4 GiB */
2:	mov	%ecx, %eax
	shl	$21, %eax
	or	$0x83, %eax		/* present, writable, 2 MiB */
	mov	%eax, boot_pd(,%ecx,8)
	mov	%ecx, %eax
	shr	$11, %eax		/* high half of the address */
	mov	%eax, boot_pd+4(,%ecx,8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	2b

	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$CR4_PAE, %eax		/* a known CR4: firmware leaves bits set */
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	$(CR0_PG | CR0_WP | CR0_PE | 0x10), %eax /* 0x10: ET */
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $long_mode

	/* Say why on COM1 and stop: yakvm needs a 64-bit CPU. */
no_long_mode:
	mov	$msg_no_lm, %ebx
3:	movb	(%ebx), %al
	test	%al, %al
	jz	5f
	mov	$COM1, %dx
	out	%al, %dx
	inc	%ebx
	jmp	3b
5:	hlt
	jmp	5b

	.code64
long_mode:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ax, %ax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$boot_stack_top, %rsp
	mov	%ebp, %edi		/* yakvm_main(magic, info) */
	mov	%esi, %esi		/* zero-extend the info address */
	xor	%ebp, %ebp
	call	yakvm_main
6:	cli
	hlt
	jmp	6b

	.section .rodata
msg_no_lm:
	.asciz "yakvm: this CPU has no 64-bit long mode; yakvm needs an AMD64 CPU with SVM\r\n"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, L=1 D=0 */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
boot_pml4:	.space 4096
boot_pdpt:	.space 4096
boot_pd:	.space 4 * 4096
	.balign 16
	.global boot_stack_top
	.global boot_stack
boot_stack:	.space 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits

	/* In .data, not .bss: .bss is cleared after the TSC is stored. */
	.data
	.balign 8
	.global boot_entry_tsc
boot_entry_tsc:
	.quad	0
