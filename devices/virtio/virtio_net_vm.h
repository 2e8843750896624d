/*
 * devices/virtio/virtio_net_vm.h - a VM's network device from its net=
 * option (virtio_net_vm.c).
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_NET_VM_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_NET_VM_H

#include "devices/virtio/virtio_net.h"

struct vm;

/* Makes the VM's virtio-net device and attaches its switch port: returns
 * the type and sets *arg, or NULL after one error line (a MAC another
 * port has, no host memory). Boot-time only. */
const struct virtio_type *virtio_net_vm_nic(struct vm *vm, const void **arg);

/* The VM's destroy, once its devices are freed: its port's memory back;
 * returns how many bytes. */
uint64_t virtio_net_vm_free(struct vm *vm);
/* The VM's link up or down: 1 if that changed it, 0 if it already was,
 * -1 if the VM has no network device. */
int virtio_net_vm_set_link(struct vm *vm, bool up);

/* The MAC for a VM without mac=: locally administered, unicast
 * (02:79:6b, "yk", then 24 bits of a hash of its name). */
void virtio_net_mac_of_name(const char *name, uint8_t mac[ETH_ALEN]);

#endif
