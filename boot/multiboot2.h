/*
 * boot/multiboot2.h - parse the Multiboot2 information block (Multiboot2
 * specification, section 3.6) into struct boot_info.
 */
#ifndef YAKVM_BOOT_MULTIBOOT2_H
#define YAKVM_BOOT_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>
#include "boot/bootinfo.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/*
 * Parses the block at `info` (whose physical address is `info_phys`), of
 * which at most `avail` bytes may be read. Returns 0 on success, or -1 with
 * a one-line reason in err[errlen]. Never reads outside [info, info+avail)
 * or past the block's own total_size, whatever the block contains.
 * A structurally malformed block is an error; too many modules, memory
 * ranges or string bytes are not (see the dropped_* and strings_truncated
 * fields). Even on error, bi->cmdline and bi->loader_name are "", not NULL.
 */
int mb2_parse(struct boot_info *bi, const void *info, size_t avail,
	      uint64_t info_phys, char *err, size_t errlen);

#endif
