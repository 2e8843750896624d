/*
 * devices/block/host_pick.h - the host disk range a disk=gpt:NAME,
 * disk=partuuid:GUID or disk=serial:SERIAL names (drivers/block/'s
 * catalogue and disk list), and who owns it: a partition (or a whole
 * disk) belongs to one VM at a time, until that VM is destroyed.
 */
#ifndef YAKVM_DEVICES_BLOCK_HOST_PICK_H
#define YAKVM_DEVICES_BLOCK_HOST_PICK_H

#include <stdint.h>
#include "core/vm/vmdesc.h"
#include "drivers/block/blockdev.h"

struct host_range {
	struct blockdev *disk;
	uint64_t first, count;          /* in the disk's sectors */
	char what[48];                  /* "nvme0n1 partition 2", "nvme1n1 (whole disk)" */
};

/* Finds the range and claims it for the VM `vm_id` (named vm_name): true,
 * or false with *why set to one line's reason (no such name; a name on two
 * partitions, naming both; a range another VM holds, naming it). */
bool host_pick(const struct disk_desc *d, unsigned vm_id, const char *vm_name,
	       struct host_range *r, char *why, unsigned why_len);
/* Gives back the one range starting at `first` (a disk not made after all). */
void host_pick_release_range(unsigned vm_id, struct blockdev *disk, uint64_t first);
/* Gives back every range the VM holds (its destroy). */
void host_pick_release(unsigned vm_id);

#endif
