/*
 * devices/virtio/virtio_net_vm.c - a VM's network device from its net=
 * option: its struct vnet (in yakvm's memory, with the receive backlog),
 * its MAC (mac=, or one made from the VM's name) and its port on the
 * switch. A MAC that another port has is refused: one error line, and
 * the VM boots without the device.
 */
#include "devices/virtio/virtio_net_vm.h"
#include "core/vm/vm.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/string.h"

#define VNET_PAGES ((sizeof(struct vnet) + PAGE_SIZE - 1) / PAGE_SIZE)

static struct vnet *vnet_of_vm[MAX_VMS];

void virtio_net_mac_of_name(const char *name, uint8_t mac[ETH_ALEN])
{
	uint32_t h = 2166136261u;		/* FNV-1a, 32 bits */
	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02;				/* locally administered, unicast */
	mac[1] = 0x79;
	mac[2] = 0x6b;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

const struct virtio_type *virtio_net_vm_nic(struct vm *vm, const void **arg)
{
	if (vm->id >= MAX_VMS)
		return NULL;
	uint64_t pa = pmm_alloc_pages(VNET_PAGES);
	if (!pa) {
		log_error("vm %s: net=: out of host memory; no network device", vm->name);
		return NULL;
	}
	struct vnet *vn = phys_to_virt(pa);
	memset(vn, 0, sizeof(*vn));
	if (eth_is_zero(vm->desc.net_mac))
		virtio_net_mac_of_name(vm->name, vn->port.mac);
	else
		memcpy(vn->port.mac, vm->desc.net_mac, ETH_ALEN);
	strlcpy(vn->port.name, vm->name, sizeof(vn->port.name));
	vn->port.deliver = vnet_deliver;
	vn->port.owner = vn;
	char mac[18];
	net_mac_format(vn->port.mac, mac);
	const char *why = net_port_attach(&vn->port);
	if (why) {
		log_error("vm %s: net=: MAC %s refused: %s; no network device", vm->name, mac, why);
		pmm_free_pages(pa, VNET_PAGES);
		return NULL;
	}
	log_info("vm %s: net: virtio-net, MAC %s, switch port %u%s", vm->name, mac,
		 vn->port.index, vm->desc.net_no_offload ? ", no offload" : "");
	vnet_of_vm[vm->id] = vn;
	*arg = vn;
	return vm->desc.net_no_offload ? &virtio_net_type_plain : &virtio_net_type;
}

uint64_t virtio_net_vm_free(struct vm *vm)
{
	if (vm->id >= MAX_VMS || !vnet_of_vm[vm->id])
		return 0;
	struct vnet *vn = vnet_of_vm[vm->id];
	net_port_detach(&vn->port);		/* its stop did; a VM never started too */
	idle_poll_remove(&vn->tx_poll);		/* the same */
	pmm_free_pages(virt_to_phys(vn), VNET_PAGES);
	vnet_of_vm[vm->id] = NULL;
	return VNET_PAGES * PAGE_SIZE;
}

int virtio_net_vm_set_link(struct vm *vm, bool up)
{
	struct vnet *vn = vm->id < MAX_VMS ? vnet_of_vm[vm->id] : NULL;
	if (!vn || !vn->vd || !vn->vd->dev)
		return -1;	/* none, or its device was never made */
	return vnet_set_link(vn, up);
}
