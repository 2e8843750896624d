/*
 * devices/virtio/virtio_vm.h - a VM's virtio devices, made from its
 * description when it is built (virtio_vm.c).
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_VM_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_VM_H

#include <stdbool.h>

struct vm;

/* Adds the virtio PCI functions vm->desc asks for; false only when host
 * memory or the device table ran out (a device the host cannot give is
 * logged and left out). */
bool virtio_add_devices(struct vm *vm);

#endif
