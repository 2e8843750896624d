/*
 * devices/block/ram_disk.c - a disk in yakvm's memory, allocated lazily in
 * chunks (ram_disk.h).
 */
#include "devices/block/ram_disk.h"
#include "lib/string.h"

static bool all_zero(const uint8_t *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static uint8_t *chunk_get(struct ram_disk *rd, uint64_t i)
{
	if (!rd->chunk[i]) {
		rd->chunk[i] = rd->mem->alloc(RAM_DISK_CHUNK);
		if (rd->chunk[i])
			rd->allocated++;
	}
	return rd->chunk[i];
}

/* Copies [off, off + len) of the disk out of (to_disk false) or into it. */
static int copy(struct ram_disk *rd, uint64_t off, uint8_t *buf, const uint8_t *src,
		uint64_t len)
{
	while (len) {
		uint64_t i = off / RAM_DISK_CHUNK, in = off % RAM_DISK_CHUNK;
		uint64_t n = RAM_DISK_CHUNK - in < len ? RAM_DISK_CHUNK - in : len;
		if (src) {
			uint8_t *c = rd->chunk[i];
			if (!c && !all_zero(src, n) && !(c = chunk_get(rd, i)))
				return -1;
			if (c)
				memcpy(c + in, src, n);
			src += n;
		} else {
			if (rd->chunk[i])
				memcpy(buf, rd->chunk[i] + in, n);
			else
				memset(buf, 0, n);
			buf += n;
		}
		off += n;
		len -= n;
	}
	return 0;
}

static int rd_read(struct blk_backend *b, uint64_t lba, uint32_t count, void *buf)
{
	return copy(b->priv, lba << BLK_SECTOR_SHIFT, buf, NULL,
		    (uint64_t)count << BLK_SECTOR_SHIFT);
}

static int rd_write(struct blk_backend *b, uint64_t lba, uint32_t count, const void *buf)
{
	return copy(b->priv, lba << BLK_SECTOR_SHIFT, NULL, buf,
		    (uint64_t)count << BLK_SECTOR_SHIFT);
}

/* Nothing to flush: every write is in the store when it returns. */
static int rd_flush(struct blk_backend *b)
{
	return 0;
}

/* Zeroes in place; a whole chunk zeroed is given back. */
static int rd_zero(struct blk_backend *b, uint64_t lba, uint32_t count)
{
	struct ram_disk *rd = b->priv;
	uint64_t off = lba << BLK_SECTOR_SHIFT, len = (uint64_t)count << BLK_SECTOR_SHIFT;
	while (len) {
		uint64_t i = off / RAM_DISK_CHUNK, in = off % RAM_DISK_CHUNK;
		uint64_t n = RAM_DISK_CHUNK - in < len ? RAM_DISK_CHUNK - in : len;
		if (rd->chunk[i] && n == RAM_DISK_CHUNK) {
			rd->mem->free(rd->chunk[i], RAM_DISK_CHUNK);
			rd->chunk[i] = NULL;
			rd->allocated--;
		} else if (rd->chunk[i]) {
			memset(rd->chunk[i] + in, 0, n);
		}
		off += n;
		len -= n;
	}
	return 0;
}

static const struct blk_backend_ops ram_disk_ops = {
	.read = rd_read, .write = rd_write, .flush = rd_flush, .zero = rd_zero,
};

static uint64_t table_bytes(uint64_t nchunks)
{
	return (nchunks * sizeof(uint8_t *) + 4095) & ~4095ull;
}

bool ram_disk_create(struct ram_disk *rd, const struct ram_disk_mem *mem, uint64_t bytes,
		     bool read_only, const void *image, uint64_t len)
{
	memset(rd, 0, sizeof(*rd));
	if (bytes == 0 || bytes > RAM_DISK_MAX || len > bytes)
		return false;
	bytes = (bytes + BLK_SECTOR - 1) & ~(uint64_t)(BLK_SECTOR - 1);
	rd->mem = mem;
	rd->nchunks = (bytes + RAM_DISK_CHUNK - 1) / RAM_DISK_CHUNK;
	rd->chunk = mem->alloc(table_bytes(rd->nchunks));
	if (!rd->chunk)
		return false;
	rd->be = (struct blk_backend){ .sectors = bytes >> BLK_SECTOR_SHIFT,
				       .read_only = read_only, .ops = &ram_disk_ops, .priv = rd };
	if (copy(rd, 0, NULL, image, len) < 0) {
		ram_disk_destroy(rd);
		return false;
	}
	return true;
}

uint64_t ram_disk_destroy(struct ram_disk *rd)
{
	if (!rd->chunk)
		return 0;
	uint64_t freed = rd->allocated * RAM_DISK_CHUNK + table_bytes(rd->nchunks);
	for (uint64_t i = 0; i < rd->nchunks; i++)
		if (rd->chunk[i])
			rd->mem->free(rd->chunk[i], RAM_DISK_CHUNK);
	rd->mem->free(rd->chunk, table_bytes(rd->nchunks));
	rd->chunk = NULL;
	rd->allocated = 0;
	return freed;
}
