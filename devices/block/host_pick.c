/*
 * devices/block/host_pick.c - host disk ranges by name, and their owners
 * (host_pick.h). Boot and destroy only; one VM is built at a time.
 */
#include "devices/block/host_pick.h"
#include "drivers/block/disks.h"
#include "lib/format.h"
#include "lib/string.h"

#define CLAIMS_MAX 64

static struct claim {
	struct blockdev *disk;          /* NULL: a free row */
	uint64_t first, last;
	unsigned vm_id;
	char vm_name[VM_NAME_MAX + 1];
} claims[CLAIMS_MAX];

/* A GPT partition: by name, or by its unique GUID. */
static bool pick_part(const struct disk_desc *d, struct host_range *r, char *why,
		      unsigned why_len)
{
	const struct catalogue *c = disks_catalogue();
	const struct catalogue_entry *found = NULL, *second = NULL;
	unsigned n = 0;
	for (unsigned i = 0; i < c->count; i++) {
		const struct catalogue_entry *e = &c->e[i];
		char guid[37];
		gpt_guid_format(e->part->unique_guid, guid);
		bool match = d->source == DISK_GPT ? e->part->name[0] &&
			     strcmp(e->part->name, d->host) == 0 : strcmp(guid, d->host) == 0;
		if (!match)
			continue;
		n++;
		if (!found)
			found = e;
		else if (!second)
			second = e;
	}
	if (!found) {
		snprintf(why, why_len, "no partition of that %s on the host's disks",
			 d->source == DISK_GPT ? "name" : "GUID");
		return false;
	}
	if (second) {
		snprintf(why, why_len, "%u partitions carry it (%s partition %u, %s partition %u)",
			 n, found->disk, found->part->index, second->disk, second->part->index);
		return false;
	}
	r->disk = blockdev_find(found->disk);
	r->first = found->part->first_lba;
	r->count = found->part->last_lba - found->part->first_lba + 1;
	snprintf(r->what, sizeof(r->what), "%s partition %u", found->disk, found->part->index);
	return r->disk != NULL;
}

/* A whole disk by its serial (trailing blanks ignored). */
static bool pick_disk(const struct disk_desc *d, struct host_range *r, char *why,
		      unsigned why_len)
{
	struct blockdev *found = NULL;
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *b = blockdev_get(i);
		size_t n = strlen(b->serial);
		while (n && b->serial[n - 1] == ' ')
			n--;
		if (n != strlen(d->host) || memcmp(b->serial, d->host, n) != 0)
			continue;
		if (found) {
			snprintf(why, why_len, "two disks carry that serial (%s, %s)", found->name,
				 b->name);
			return false;
		}
		found = b;
	}
	if (!found) {
		snprintf(why, why_len, "no host disk with that serial");
		return false;
	}
	r->disk = found;
	r->first = 0;
	r->count = found->sectors;
	snprintf(r->what, sizeof(r->what), "%s (whole disk)", found->name);
	return true;
}

bool host_pick(const struct disk_desc *d, unsigned vm_id, const char *vm_name,
	       struct host_range *r, char *why, unsigned why_len)
{
	if (!(d->source == DISK_SERIAL ? pick_disk : pick_part)(d, r, why, why_len))
		return false;
	uint64_t last = r->first + r->count - 1;
	struct claim *free = NULL;
	for (unsigned i = 0; i < CLAIMS_MAX; i++) {
		struct claim *c = &claims[i];
		if (!c->disk) {
			free = free ? free : c;
			continue;
		}
		if (c->disk == r->disk && c->first <= last && r->first <= c->last) {
			snprintf(why, why_len, "%s is taken: vm %s has it%s", r->what, c->vm_name,
				 c->vm_id == vm_id ? " (this VM, on another disk=)" : "");
			return false;
		}
	}
	if (!free) {
		snprintf(why, why_len, "more than %u host disk ranges in use", CLAIMS_MAX);
		return false;
	}
	*free = (struct claim){ .disk = r->disk, .first = r->first, .last = last,
				.vm_id = vm_id };
	strlcpy(free->vm_name, vm_name, sizeof(free->vm_name));
	return true;
}

void host_pick_release(unsigned vm_id)
{
	for (unsigned i = 0; i < CLAIMS_MAX; i++)
		if (claims[i].disk && claims[i].vm_id == vm_id)
			claims[i] = (struct claim){ 0 };
}

void host_pick_release_range(unsigned vm_id, struct blockdev *disk, uint64_t first)
{
	for (unsigned i = 0; i < CLAIMS_MAX; i++)
		if (claims[i].disk == disk && claims[i].vm_id == vm_id && claims[i].first == first)
			claims[i] = (struct claim){ 0 };
}
