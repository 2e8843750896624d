/*
 * devices/virtio/virtq_guest_ram.c - struct virtq_mem over a VM's RAM
 * (virtq_guest_ram.h): each access copies, whole or not at all.
 */
#include "devices/virtio/virtq_guest_ram.h"

static bool ram_read(void *ctx, uint64_t gpa, void *dst, uint64_t len)
{
	return guest_ram_read(ctx, gpa, dst, len);
}

static bool ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	return guest_ram_write(ctx, gpa, src, len);
}

static bool ram_is_ram(void *ctx, uint64_t gpa, uint64_t len)
{
	return len && guest_ram_contains(ctx, gpa, len);
}

struct virtq_mem virtq_mem_guest_ram(const struct guest_ram *ram)
{
	return (struct virtq_mem){ (void *)ram, ram_read, ram_write, ram_is_ram };
}
