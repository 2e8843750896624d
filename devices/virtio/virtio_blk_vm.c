/*
 * devices/virtio/virtio_blk_vm.c - a VM's disk from one disk= option: the
 * image= module's bytes copied once into a ram_disk (yakvm's memory, so a
 * reboot of the VM keeps what the guest wrote; docs/virtio.md), and the
 * virtio-blk state over it.
 */
#include "devices/virtio/virtio_blk_vm.h"
#include "devices/block/ram_disk.h"
#include "core/vm/disk_images.h"
#include "core/vm/vm.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/string.h"

_Static_assert(VM_DISK_SIZE_MAX == RAM_DISK_MAX, "disk= and ram_disk agree on the largest disk");

struct vm_disk {
	struct vblk blk;
	struct ram_disk rd;
};

static void *pmm_alloc(size_t bytes)
{
	uint64_t pa = pmm_alloc_pages(bytes / PAGE_SIZE);
	return pa ? phys_to_virt(pa) : NULL;
}

static void pmm_free(void *p, size_t bytes)
{
	pmm_free_pages(virt_to_phys(p), bytes / PAGE_SIZE);
}

static const struct ram_disk_mem pmm_mem = { pmm_alloc, pmm_free };

#define DISK_PAGES ((sizeof(struct vm_disk) + PAGE_SIZE - 1) / PAGE_SIZE)

/* Each VM's disks (by VM id), for its destroy. */
static struct vm_disk *disks_of[MAX_VMS][VM_DISKS_MAX];

const struct virtio_type *virtio_blk_vm_disk(struct vm *vm, unsigned index,
					     const struct disk_desc *d, const void **arg)
{
	if (vm->id >= MAX_VMS || index >= VM_DISKS_MAX)
		return NULL;
	const struct disk_image *img = disk_image_find(d->image);
	if (!img) {
		log_error("vm %s: disk=module:%s: no module line with image=%s; no disk vd%c",
			  vm->name, d->image, d->image, 'a' + index);
		return NULL;
	}
	uint64_t size = d->size ? d->size : (img->len + BLK_SECTOR - 1) & ~(uint64_t)(BLK_SECTOR - 1);
	if (size < img->len || size == 0 || size > RAM_DISK_MAX) {
		log_error("vm %s: disk=module:%s: size %lu bytes, the image has %lu (and at most "
			  "16G); no disk vd%c", vm->name, d->image, size, img->len, 'a' + index);
		return NULL;
	}
	uint64_t pa = pmm_alloc_pages(DISK_PAGES);
	struct vm_disk *disk = pa ? phys_to_virt(pa) : NULL;
	if (!disk || !ram_disk_create(&disk->rd, &pmm_mem, size, d->ro,
				      phys_to_virt(img->start), img->len)) {
		if (disk)
			pmm_free_pages(pa, DISK_PAGES);
		log_error("vm %s: disk=module:%s: out of host memory; no disk vd%c", vm->name,
			  d->image, 'a' + index);
		return NULL;
	}
	disk->blk.be = &disk->rd.be;
	memcpy(disk->blk.serial, d->serial, strnlen(d->serial, VIRTIO_BLK_ID_BYTES));
	log_info("vm %s: disk vd%c: image %s, %lu sectors%s, %lu KiB of host memory", vm->name,
		 'a' + index, d->image, disk->rd.be.sectors, d->ro ? ", read-only" : "",
		 disk->rd.allocated * (RAM_DISK_CHUNK / 1024));
	disks_of[vm->id][index] = disk;
	*arg = &disk->blk;
	return virtio_blk_type(&disk->rd.be);
}

uint64_t virtio_blk_vm_free(struct vm *vm)
{
	uint64_t freed = 0;
	if (vm->id >= MAX_VMS)
		return 0;
	for (unsigned i = 0; i < VM_DISKS_MAX; i++) {
		struct vm_disk *disk = disks_of[vm->id][i];
		if (!disk)
			continue;
		freed += ram_disk_destroy(&disk->rd);
		pmm_free_pages(virt_to_phys(disk), DISK_PAGES);
		freed += DISK_PAGES * PAGE_SIZE;
		disks_of[vm->id][i] = NULL;
	}
	return freed;
}
