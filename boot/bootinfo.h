/*
 * boot/bootinfo.h - what yakvm learned from its boot loader.
 *
 * GRUB hands over a Multiboot2 information block. Under BIOS it sits just
 * past yakvm's _end, where the page allocator would soon hand out pages, so
 * boot/multiboot2.c copies everything yakvm needs into this structure before
 * anything is allocated. Nothing here points into the original block.
 */
#ifndef YAKVM_BOOT_BOOTINFO_H
#define YAKVM_BOOT_BOOTINFO_H

#include <stdint.h>
#include <stdbool.h>

/* Memory types, as in the Multiboot2 memory map (and the e820 map). */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum mem_type; other values are treated as reserved */
};

struct boot_module {
	uint64_t start;      /* physical address of the first byte */
	uint64_t end;        /* one past the last byte */
	const char *cmdline; /* points into boot_info.strings; never NULL */
};

struct boot_framebuffer {
	bool present;
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type; /* type 1 = direct RGB */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

#define BOOT_MAX_MMAP    128
#define BOOT_MAX_MODULES 64
#define BOOT_STRINGS     8192

struct boot_info {
	const char *cmdline;         /* yakvm's own command line; never NULL */
	const char *loader_name;     /* "GRUB 2.06..." or "" */

	/*
	 * The memory map, sorted by base, with no overlaps and no zero-length
	 * ranges; adjacent ranges of the same type are merged. Taken from the
	 * Multiboot2 mmap tag, or from the EFI memory map tag when there is no
	 * mmap tag. Types other than 1-5 become MEM_RESERVED. Where the
	 * loader's entries overlap, the more restrictive type wins, in this
	 * order: usable < ACPI reclaimable < ACPI NVS < reserved < bad.
	 * A range running past 2^64 is clipped to end at 2^64-1. Ranges that
	 * do not fit in mmap[] (the highest ones) are counted in dropped_mmap.
	 */
	struct mem_range mmap[BOOT_MAX_MMAP];
	unsigned mmap_count;
	unsigned dropped_mmap;

	/* In the loader's order; those past BOOT_MAX_MODULES are counted in
	 * dropped_modules and otherwise ignored. */
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned module_count;
	unsigned dropped_modules;

	/* The ACPI RSDP, copied (20 bytes for v1, 36 for v2); 0 if none. */
	uint8_t rsdp[36];
	unsigned rsdp_len;

	struct boot_framebuffer fb;
	uint64_t efi_system_table;   /* 0 if not booted through EFI */

	/* Where the Multiboot2 block itself lies, so the allocator skips it. */
	uint64_t info_start, info_end;

	char strings[BOOT_STRINGS];  /* storage for the strings above */
	unsigned strings_used;
	bool strings_truncated;      /* a string was cut short to fit strings[] */
};

#endif
