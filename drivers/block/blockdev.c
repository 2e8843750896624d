/* drivers/block/blockdev.c - the list of host disks (see blockdev.h). */
#include "drivers/block/blockdev.h"

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
