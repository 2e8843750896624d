/* drivers/block/blockdev.c - the list of host disks (see blockdev.h). */
#include "drivers/block/blockdev.h"
#include "lib/string.h"

static struct blockdev *disks[BLOCKDEV_MAX];
static unsigned ndisks;

int blockdev_register(struct blockdev *b)
{
	if (ndisks == BLOCKDEV_MAX)
		return -1;
	disks[ndisks++] = b;
	return 0;
}

unsigned blockdev_count(void) { return ndisks; }

struct blockdev *blockdev_get(unsigned i) { return i < ndisks ? disks[i] : 0; }

struct blockdev *blockdev_find(const char *name)
{
	for (unsigned i = 0; i < ndisks; i++)
		if (strcmp(disks[i]->name, name) == 0)
			return disks[i];
	return 0;
}
