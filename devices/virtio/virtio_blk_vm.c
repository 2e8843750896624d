/*
 * devices/virtio/virtio_blk_vm.c - a VM's disk from one disk= option: the
 * image= module's bytes copied once into a ram_disk (yakvm's memory, so a
 * reboot of the VM keeps what the guest wrote; docs/virtio.md), and the
 * virtio-blk state over it; or a range of a host disk (host_pick.c finds
 * and claims it, host_part.c serves it).
 */
#include "devices/virtio/virtio_blk_vm.h"
#include "devices/block/ram_disk.h"
#include "devices/block/host_part.h"
#include "devices/block/host_pick.h"
#include "core/vm/disk_images.h"
#include "core/vm/vm.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/format.h"
#include "lib/string.h"

_Static_assert(VM_DISK_SIZE_MAX == RAM_DISK_MAX, "disk= and ram_disk agree on the largest disk");

struct vm_disk {
	struct vblk blk;
	enum disk_source source;
	char spec[48];                  /* "gpt:alpha-root" */
	struct host_range range;        /* host disks */
	union {
		struct ram_disk rd;     /* module: */
		struct host_part hp;    /* gpt:, partuuid:, serial: */
	};
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

static struct vm_disk *disk_alloc(void)
{
	uint64_t pa = pmm_alloc_pages(DISK_PAGES);
	return pa ? phys_to_virt(pa) : NULL;
}

static const char *source_name(enum disk_source s)
{
	return s == DISK_GPT ? "gpt" : s == DISK_PARTUUID ? "partuuid" :
	       s == DISK_SERIAL ? "serial" : "module";
}

/* gpt:, partuuid:, serial:: the range claimed, or one error line. */
static struct vm_disk *host_disk(struct vm *vm, unsigned index, const struct disk_desc *d)
{
	struct host_range r;
	char why[128], label[64];
	if (!host_pick(d, vm->id, vm->name, &r, why, sizeof(why))) {
		log_error("vm %s: disk=%s:%s: %s; no disk vd%c", vm->name, source_name(d->source),
			  d->host, why, 'a' + index);
		return NULL;
	}
	struct vm_disk *disk = disk_alloc();
	snprintf(label, sizeof(label), "vm %s: disk vd%c (%s:%s)", vm->name, 'a' + index,
		 source_name(d->source), d->host);
	if (!disk || !host_part_init(&disk->hp, r.disk, r.first, r.count, d->ro, label)) {
		if (disk)
			pmm_free_pages(virt_to_phys(disk), DISK_PAGES);
		host_pick_release_range(vm->id, r.disk, r.first);
		log_error("vm %s: disk=%s:%s: out of host memory; no disk vd%c", vm->name,
			  source_name(d->source), d->host, 'a' + index);
		return NULL;
	}
	disk->range = r;
	disk->blk.be = &disk->hp.be;
	log_info("vm %s: disk vd%c: %s, LBA %lu-%lu, %lu sectors of %u bytes (%lu MiB)%s",
		 vm->name, 'a' + index, r.what, r.first, r.first + r.count - 1, r.count,
		 r.disk->sector_size, (r.count * r.disk->sector_size) >> 20,
		 disk->hp.be.read_only ? ", read-only" : "");
	return disk;
}

const struct virtio_type *virtio_blk_vm_disk(struct vm *vm, unsigned index,
					     const struct disk_desc *d, const void **arg)
{
	if (vm->id >= MAX_VMS || index >= VM_DISKS_MAX)
		return NULL;
	if (d->source != DISK_MODULE) {
		struct vm_disk *disk = host_disk(vm, index, d);
		if (!disk)
			return NULL;
		disk->source = d->source;
		snprintf(disk->spec, sizeof(disk->spec), "%s:%s", source_name(d->source), d->host);
		memcpy(disk->blk.serial, d->serial, strnlen(d->serial, VIRTIO_BLK_ID_BYTES));
		disks_of[vm->id][index] = disk;
		*arg = &disk->blk;
		return virtio_blk_type(&disk->hp.be);
	}
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
	struct vm_disk *disk = disk_alloc();
	if (!disk || !ram_disk_create(&disk->rd, &pmm_mem, size, d->ro,
				      phys_to_virt(img->start), img->len)) {
		if (disk)
			pmm_free_pages(virt_to_phys(disk), DISK_PAGES);
		log_error("vm %s: disk=module:%s: out of host memory; no disk vd%c", vm->name,
			  d->image, 'a' + index);
		return NULL;
	}
	disk->blk.be = &disk->rd.be;
	disk->source = DISK_MODULE;
	snprintf(disk->spec, sizeof(disk->spec), "module:%s", d->image);
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
		disks_of[vm->id][i] = NULL;
		if (disk->source == DISK_MODULE) {
			freed += ram_disk_destroy(&disk->rd);
		} else if (disk->range.disk->unsafe_dma && disk->hp.failed) {
			/* Its controller may still write the bounce buffer. */
			log_warn("vm %s: disk vd%c: %s may still be written by its controller: "
				 "its %lu KiB are kept", vm->name, 'a' + i, disk->range.what,
				 (uint64_t)DISK_PAGES * PAGE_SIZE >> 10);
			continue;
		}
		pmm_free_pages(virt_to_phys(disk), DISK_PAGES);
		freed += DISK_PAGES * PAGE_SIZE;
	}
	host_pick_release(vm->id);
	return freed;
}

void virtio_blk_vm_print(const struct vm *vm)
{
	if (vm->id >= MAX_VMS)
		return;
	for (unsigned i = 0; i < VM_DISKS_MAX; i++) {
		const struct vm_disk *disk = disks_of[vm->id][i];
		if (!disk)
			continue;
		const struct vblk *b = &disk->blk;
		kprintf("  disk vd%c: %s%s%s, %lu sectors (%lu MiB)%s; requests: %lu read, "
			"%lu write, %lu flush, %lu errors\n", 'a' + i, disk->spec,
			disk->source == DISK_MODULE ? "" : " on ",
			disk->source == DISK_MODULE ? "" : disk->range.what, b->be->sectors,
			b->be->sectors >> 11, b->be->read_only ? ", read-only" : "",
			__atomic_load_n(&b->reads, __ATOMIC_RELAXED),
			__atomic_load_n(&b->writes, __ATOMIC_RELAXED),
			__atomic_load_n(&b->flushes, __ATOMIC_RELAXED),
			__atomic_load_n(&b->errors, __ATOMIC_RELAXED));
	}
}
