/*
 * devices/virtio/virtq_guest_ram.c - struct virtq_mem over a VM's RAM
 * (virtq_guest_ram.h): each access copies, whole or not at all; the
 * 16-bit ring fields in one access.
 */
#include <stddef.h>
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

/* One 16-bit load or store (x86 is little-endian, like virtio 1.x); an
 * even address never crosses a chunk. */
static bool ram_read16(void *ctx, uint64_t gpa, uint16_t *v)
{
	const uint16_t *p = gpa % 2 ? NULL : guest_ram_hva(ctx, gpa, 2);
	if (!p)
		return false;
	*v = __atomic_load_n(p, __ATOMIC_RELAXED);
	return true;
}

static bool ram_write16(void *ctx, uint64_t gpa, uint16_t v)
{
	uint16_t *p = gpa % 2 ? NULL : guest_ram_hva(ctx, gpa, 2);
	if (!p)
		return false;
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
	return true;
}

struct virtq_mem virtq_mem_guest_ram(const struct guest_ram *ram)
{
	return (struct virtq_mem){ (void *)ram, ram_read, ram_write, ram_is_ram,
				   ram_read16, ram_write16 };
}
