/*
 * devices/block/ram_disk.h - a disk in yakvm's memory: a VM's module disk
 * (disk=module:NAME). Its bytes are the module's, copied once when the VM
 * is created, zero-extended to its size; they live as long as the VM
 * (a reboot of the VM keeps them), not across a restart of yakvm.
 *
 * Memory is taken in chunks of RAM_DISK_CHUNK, lazily: a chunk that is all
 * zeros in the image is not allocated until something non-zero is written
 * to it, so size=4G of which the image fills 10M costs about 10M (and a
 * table of one pointer per chunk). A write that needs a chunk the host
 * cannot give fails (-1: the guest gets an I/O error). Pure logic over an
 * allocator, so it runs on the host in the unit tests.
 */
#ifndef YAKVM_DEVICES_BLOCK_RAM_DISK_H
#define YAKVM_DEVICES_BLOCK_RAM_DISK_H

#include <stddef.h>
#include <stdint.h>
#include "devices/block/blk_backend.h"

#define RAM_DISK_CHUNK (64u * 1024)
#define RAM_DISK_MAX   (16ull << 30)   /* the largest size= */

/* Where the chunks and the table come from: zeroed memory of `bytes`
 * (a multiple of 4 KiB), or NULL. */
struct ram_disk_mem {
	void *(*alloc)(size_t bytes);
	void (*free)(void *p, size_t bytes);
};

struct ram_disk {
	struct blk_backend be;          /* what the device uses */
	const struct ram_disk_mem *mem;
	uint8_t **chunk;                /* NULL: all zeros */
	uint64_t nchunks;
	uint64_t allocated;             /* chunks allocated */
};

/* A disk of `bytes` (rounded up to whole sectors, at most RAM_DISK_MAX)
 * holding image[0..len) and zeros after it (len <= bytes). False when
 * memory runs out (nothing is kept then). */
bool ram_disk_create(struct ram_disk *rd, const struct ram_disk_mem *mem, uint64_t bytes,
		     bool read_only, const void *image, uint64_t len);
/* Gives all its memory back; returns how many bytes. */
uint64_t ram_disk_destroy(struct ram_disk *rd);

#endif
