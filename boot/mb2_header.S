/*
 * boot/mb2_header.S - the Multiboot2 header (Multiboot2 spec, section 3.1).
 * GRUB finds it in the first 32 KiB of yakvm.elf and loads the ELF segments
 * at their physical addresses. We ask for the memory map, page-aligned
 * modules and a framebuffer; the entry is the ELF entry point (_start,
 * 32-bit code).
 */
#define MB2_MAGIC   0xe85250d6
#define MB2_ARCH    0		/* i386 protected mode */

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))

	/* Information request (type 1): mmap, module, cmdline, ACPI. Optional. */
	.balign 8
1:	.short 1, 1		/* type 1, flags: optional */
	.long 2f - 1b
	.long 1, 3, 6		/* cmdline, modules, memory map */
2:
	/* Module alignment (type 6): modules on page boundaries. */
	.balign 8
	.short 6, 0
	.long 8

	/*
	 * Framebuffer (type 5, spec 3.1.10): 1024x768, 32 bits per pixel,
	 * optional. Under UEFI GRUB then leaves the GOP framebuffer set up
	 * and passes it in the framebuffer info tag (3.6.12); under BIOS it
	 * may set a VBE mode. Without a framebuffer yakvm uses serial only.
	 */
	.balign 8
1:	.short 5, 1		/* type 5, flags: optional */
	.long 2f - 1b
	.long 1024, 768, 32	/* width, height, depth */
2:

	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
