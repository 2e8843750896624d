/*
 * drivers/block/catalogue.h - every GPT partition of every disk, by name.
 * A name found on two disks (or twice on one) is ambiguous: disk=gpt:NAME
 * refuses it (devices/block/host_pick.c), disk=partuuid: names one. Pure logic.
 */
#ifndef YAKVM_DRIVERS_BLOCK_CATALOGUE_H
#define YAKVM_DRIVERS_BLOCK_CATALOGUE_H

#include <stdint.h>
#include "drivers/block/gpt.h"

#define CATALOGUE_MAX 256

struct catalogue_entry {
	const char *disk;		/* the disk's name, e.g. "nvme0n1" */
	const struct gpt_part *part;
};

struct catalogue {
	unsigned count, dropped;
	struct catalogue_entry e[CATALOGUE_MAX];
};

enum catalogue_find { CAT_NONE, CAT_FOUND, CAT_AMBIGUOUS };

/* Adds the partitions of one disk (pointers are kept: d must outlive c). */
void catalogue_add_disk(struct catalogue *c, const char *disk, const struct gpt_disk *d);
/* Finds a partition by name; with CAT_AMBIGUOUS, *found is the first. */
enum catalogue_find catalogue_find(const struct catalogue *c, const char *name,
				   const struct catalogue_entry **found);
/* How many partitions carry this name. */
unsigned catalogue_count(const struct catalogue *c, const char *name);

#endif
