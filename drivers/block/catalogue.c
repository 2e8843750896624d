/* drivers/block/catalogue.c - partitions by name (see catalogue.h). */
#include "drivers/block/catalogue.h"
#include "lib/string.h"

void catalogue_add_disk(struct catalogue *c, const char *disk, const struct gpt_disk *d)
{
	for (uint32_t i = 0; i < d->count; i++) {
		if (c->count == CATALOGUE_MAX) {
			c->dropped++;
			continue;
		}
		c->e[c->count].disk = disk;
		c->e[c->count].part = &d->parts[i];
		c->count++;
	}
}

unsigned catalogue_count(const struct catalogue *c, const char *name)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->count; i++)
		n += strcmp(c->e[i].part->name, name) == 0;
	return n;
}

enum catalogue_find catalogue_find(const struct catalogue *c, const char *name,
				   const struct catalogue_entry **found)
{
	*found = NULL;
	if (!name[0])
		return CAT_NONE;	/* an unnamed partition is found by no name */
	for (unsigned i = 0; i < c->count; i++) {
		if (strcmp(c->e[i].part->name, name) != 0)
			continue;
		if (*found)
			return CAT_AMBIGUOUS;
		*found = &c->e[i];
	}
	return *found ? CAT_FOUND : CAT_NONE;
}
