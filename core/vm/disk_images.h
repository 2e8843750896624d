/*
 * core/vm/disk_images.h - the disk images GRUB loaded, by name: each
 * `module2 FILE image=NAME` line (docs/vm-config.md). A VM's
 * disk=module:NAME copies one when the VM is built.
 */
#ifndef YAKVM_CORE_VM_DISK_IMAGES_H
#define YAKVM_CORE_VM_DISK_IMAGES_H

#include <stdint.h>
#include "core/vm/vmdesc.h"

#define DISK_IMAGES_MAX 16

struct disk_image {
	char name[VM_NAME_MAX + 1];
	uint64_t start, len;           /* the module in host memory */
};

/* Records an image; false (nothing recorded) when the name is taken or
 * the table is full. */
bool disk_image_add(const char *name, uint64_t start, uint64_t len);
/* The image of that name, or NULL. */
const struct disk_image *disk_image_find(const char *name);

#endif
