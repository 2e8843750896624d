/*
 * core/vm/disk_images.c - the image= modules, by name (disk_images.h).
 * Filled at boot, before any VM is built; read-only afterwards.
 */
#include "core/vm/disk_images.h"
#include "lib/string.h"

static struct disk_image images[DISK_IMAGES_MAX];
static unsigned nimages;

bool disk_image_add(const char *name, uint64_t start, uint64_t len)
{
	if (nimages == DISK_IMAGES_MAX || disk_image_find(name))
		return false;
	struct disk_image *d = &images[nimages++];
	strlcpy(d->name, name, sizeof(d->name));
	d->start = start;
	d->len = len;
	return true;
}

const struct disk_image *disk_image_find(const char *name)
{
	for (unsigned i = 0; i < nimages; i++)
		if (strcmp(images[i].name, name) == 0)
			return &images[i];
	return NULL;
}
