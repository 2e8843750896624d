/*
 * devices/virtio/virtio_blk_vm.h - a VM's disk from its disk= option
 * (virtio_blk_vm.c).
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_BLK_VM_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_BLK_VM_H

#include "core/vm/vmdesc.h"
#include "devices/virtio/virtio_blk.h"

struct vm;

/* Makes disk number `index` (vda, vdb, ...) of the VM: returns its type
 * and sets *arg to its state for virtio_type.init, or NULL after one
 * error line (no such image, size below the image's, no host memory).
 * Boot-time only; the disk lives as long as the VM (its reboots too). */
const struct virtio_type *virtio_blk_vm_disk(struct vm *vm, unsigned index,
					     const struct disk_desc *d, const void **arg);

/* The VM's destroy, once its devices are freed: gives its disks' memory
 * back; returns how many bytes. */
uint64_t virtio_blk_vm_free(struct vm *vm);

/* The monitor's `info vm`: one line per disk (source, size, requests). */
void virtio_blk_vm_print(const struct vm *vm);

#endif
