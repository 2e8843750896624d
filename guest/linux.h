/*
 * guest/linux.h - load a Linux bzImage into a VM as an x86 boot loader does,
 * following Documentation/arch/x86/boot.rst, "The Linux/x86 Boot Protocol"
 * (protocol 2.06 and later; "32-bit BOOT PROTOCOL" and "64-bit BOOT
 * PROTOCOL"), with the zero page laid out as in zero-page.rst.
 */
#ifndef YAKVM_GUEST_LINUX_H
#define YAKVM_GUEST_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/guestmem.h"

/* boot.rst "64-bit BOOT PROTOCOL" / "32-bit BOOT PROTOCOL": the selectors
 * the kernel is entered with. */
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

/* What the VM supplies. */
struct linux_params {
	const void *kernel;            /* the bzImage */
	size_t kernel_len;
	const void *initrd;            /* NULL (or initrd_len 0) if none */
	size_t initrd_len;
	const char *cmdline;           /* never NULL */
	uint64_t acpi_rsdp;            /* GPA of the RSDP, or 0 */
	/* The map to give the guest (e820): the VM's map plus its reserved
	 * MMIO ranges. If e820_count is 0, gm->map is given instead. At most
	 * 128 entries (the zero page's e820_table). */
	const struct mem_range *e820;
	unsigned e820_count;
};

/*
 * How to enter the kernel. The caller sets the vCPU up as follows (all
 * other general-purpose registers 0, in particular EBP, EDI and EBX, which
 * the 32-bit protocol requires to be zero):
 *
 * entry64 (boot.rst "64-bit BOOT PROTOCOL"):
 *   EFER = LME | LMA (0x500); CR0 = PE | ET | PG (0x80000011);
 *   CR4 = PAE (0x20); CR3 = cr3 (identity map of 0-4 GiB, 2 MiB pages);
 *   GDTR = { gdt_base, gdt_limit }; CS = 0x10 (base 0, 64-bit code: L=1,
 *   D=0, P, DPL 0, execute/read), DS = ES = SS = 0x18 (base 0, limit 4 GiB,
 *   read/write data); FS = GS = 0x18 too (or null); RFLAGS = 0x2
 *   (interrupts off); RIP = rip; RSI = rsi (the zero page); RSP = stack
 *   (0: the kernel sets its own before using the stack).
 *
 * !entry64 (boot.rst "32-bit BOOT PROTOCOL"):
 *   EFER = 0; CR0 = PE | ET (0x11), paging off; CR4 = 0; CR3 = 0;
 *   GDTR = { gdt_base, gdt_limit }; CS = 0x10 (base 0, limit 4 GiB, 32-bit
 *   code: D=1, G=1, execute/read), DS = ES = SS = FS = GS = 0x18 (base 0,
 *   limit 4 GiB, 32-bit read/write data); EFLAGS = 0x2; EIP = rip;
 *   ESI = rsi; EBP = EDI = EBX = 0; ESP = stack.
 *
 * The GDT the loader wrote holds: 0x00 and 0x08 null, 0x10 the code
 * descriptor (64-bit for entry64, else 32-bit), 0x18 the flat data
 * descriptor; both have the accessed bit set. The hidden parts of the
 * segment registers must match those descriptors.
 */
struct linux_entry {
	bool entry64;        /* 64-bit entry (startup_64) or 32-bit */
	uint64_t rip;        /* entry point GPA */
	uint64_t rsi;        /* boot_params (zero page) GPA; ESI if 32-bit */
	uint64_t cr3;        /* identity page tables (entry64), else 0 */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t stack;      /* 0: the kernel sets its own */
	uint64_t load_addr;  /* where the protected-mode kernel was put */
	uint64_t initrd_addr;/* where the initrd was put, or 0 */
};

/* True if the image looks like a bzImage this loader accepts: boot flag
 * 0xAA55 at 0x1FE, "HdrS" at 0x202, protocol >= 2.06, LOADED_HIGH. It does
 * not do the full validation linux_load does. */
bool linux_probe(const void *image, size_t len);

/*
 * Loads the protected-mode kernel, the initrd, the zero page, the command
 * line, a GDT and (64-bit entry) identity page tables into guest memory
 * and fills *e. Returns 0, or -1 with a one-line reason in err. Every
 * check is made before the first write; it never writes outside the
 * MEM_USABLE ranges of gm->map.
 */
int linux_load(const struct guest_mem *gm, const struct linux_params *p,
	       struct linux_entry *e, char *err, size_t errlen);

#endif
