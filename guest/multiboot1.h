/*
 * guest/multiboot1.h - load a Multiboot1 kernel into a VM, as a Multiboot1
 * boot loader does (Multiboot Specification 0.6.96).
 */
#ifndef YAKVM_GUEST_MULTIBOOT1_H
#define YAKVM_GUEST_MULTIBOOT1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/guestmem.h"

#define MB1_HEADER_MAGIC     0x1BADB002u
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u

struct mb1_module_src {
	const void *data;
	size_t len;
	const char *string;    /* the module's string; never NULL */
};

/* The machine state the kernel is entered with (spec section 3.2):
 * 32-bit protected mode, paging off, EAX = magic, EBX = the info block. */
struct mb1_entry {
	uint32_t eip;
	uint32_t eax;
	uint32_t ebx;
};

/* True if a valid Multiboot1 header (magic and checksum) lies in the first
 * 8192 bytes, 4-byte aligned. */
bool mb1_probe(const void *image, size_t len);

/*
 * Loads the kernel (ELF32, ELF64, or any image with the a.out kludge), its
 * modules, its command line and the Multiboot1 information structure
 * (flags: mem, cmdline, mods, mmap, boot_loader_name) into guest memory.
 * The memory map given to the guest is gm->map. Returns 0, or -1 with a
 * one-line reason in err; it never writes outside guest RAM.
 */
int mb1_load(const struct guest_mem *gm, const void *image, size_t len,
	     const char *cmdline, const struct mb1_module_src *mods,
	     unsigned nmods, struct mb1_entry *entry, char *err, size_t errlen);

#endif
