/* drivers/block/disks.h - at boot: each host disk's GPT partitions, logged
 * and put in one catalogue by name. Reads only. */
#ifndef YAKVM_DRIVERS_BLOCK_DISKS_H
#define YAKVM_DRIVERS_BLOCK_DISKS_H

#include "drivers/block/catalogue.h"

/* Reads every registered disk's GPT, logs one line per partition (and a
 * CRC-32 of its first 64 KiB: proof of the read path), and fills the
 * catalogue. */
void disks_scan(void);
const struct catalogue *disks_catalogue(void);
/* disk_selftest=NAME (tests only, drivers/block/selftest.c): writes a known
 * pattern over the first 64 KiB of the partition NAME if exactly one
 * partition carries it, flushes, reads back and logs both CRC-32s. */
void disks_selftest(const char *name);

#endif
