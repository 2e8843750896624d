/* mm/pmm.c - the bitmap page allocator (see pmm.h). One bit per 4 KiB frame,
 * 1 = used. Frames below 1 MiB are never handed out: they stay free for the
 * AP start-up trampoline and the firmware. */
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"

extern char _kernel_start[], _end[];

static uint64_t *bitmap;
static uint64_t nframes, free_frames, total_frames, top;
static uint64_t hint;
static struct spinlock lock;

static inline void set_used(uint64_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
static inline void set_free(uint64_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }
static inline int is_used(uint64_t f) { return (bitmap[f / 64] >> (f % 64)) & 1; }

static void mark_used(uint64_t start, uint64_t end)
{
	uint64_t f0 = start / PAGE_SIZE;
	uint64_t f1 = (end + PAGE_SIZE - 1) / PAGE_SIZE;
	for (uint64_t f = f0; f < f1 && f < nframes; f++)
		if (!is_used(f)) {
			set_used(f);
			free_frames--;
		}
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

void pmm_init(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type == MEM_USABLE)
			top = bi->mmap[i].base + bi->mmap[i].len;
	top &= ~(PAGE_SIZE - 1);
	nframes = top / PAGE_SIZE;
	uint64_t bytes = (nframes + 63) / 64 * 8;

	/* Place the bitmap in the first usable range above 1 MiB that does not
	 * overlap anything we must keep. */
	uint64_t kstart = (uint64_t)_kernel_start, kend = (uint64_t)_end;
	for (unsigned i = 0; i < bi->mmap_count && !bitmap; i++) {
		const struct mem_range *r = &bi->mmap[i];
		if (r->type != MEM_USABLE)
			continue;
		for (uint64_t at = r->base < (1 << 20) ? (1 << 20) : r->base;
		     at + bytes <= r->base + r->len; at += PAGE_SIZE) {
			at = (at + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
			uint64_t end = at + bytes;
			bool bad = overlaps(at, end, kstart, kend) ||
				   overlaps(at, end, bi->info_start, bi->info_end);
			for (unsigned m = 0; m < bi->module_count && !bad; m++)
				bad = overlaps(at, end, bi->modules[m].start, bi->modules[m].end);
			if (!bad && end <= 0x100000000ull) {
				bitmap = phys_to_virt(at);
				break;
			}
		}
	}
	if (!bitmap)
		panic("no room for the page allocator's bitmap (%lu bytes)", bytes);

	memset(bitmap, 0xff, bytes);	/* all used ... */
	free_frames = 0;
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct mem_range *r = &bi->mmap[i];
		if (r->type != MEM_USABLE)
			continue;
		uint64_t f0 = (r->base + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t f1 = (r->base + r->len) / PAGE_SIZE;
		for (uint64_t f = f0; f < f1 && f < nframes; f++) {
			set_free(f);	/* ... but usable RAM */
			free_frames++;
		}
	}
	mark_used(0, 1 << 20);
	mark_used(kstart, kend);
	mark_used(bi->info_start, bi->info_end);
	for (unsigned m = 0; m < bi->module_count; m++)
		mark_used(bi->modules[m].start, bi->modules[m].end);
	mark_used(virt_to_phys(bitmap), virt_to_phys(bitmap) + bytes);
	total_frames = free_frames;
	hint = (1 << 20) / PAGE_SIZE;
}

uint64_t pmm_alloc_aligned(size_t n, uint64_t align)
{
	uint64_t step = align / PAGE_SIZE ? align / PAGE_SIZE : 1;
	uint64_t f = spin_lock(&lock);
	uint64_t found = 0;
	for (int pass = 0; pass < 2 && !found; pass++) {
		uint64_t start = pass ? 0 : hint;
		start = (start + step - 1) / step * step;
		for (uint64_t fr = start; fr + n <= nframes; fr += step) {
			size_t k = 0;
			while (k < n && !is_used(fr + k))
				k++;
			if (k == n) {
				found = fr;
				break;
			}
		}
	}
	if (found) {
		for (size_t k = 0; k < n; k++)
			set_used(found + k);
		free_frames -= n;
		hint = found + n;
	}
	spin_unlock(&lock, f);
	if (!found)
		return 0;
	memset(phys_to_virt(found * PAGE_SIZE), 0, n * PAGE_SIZE);
	return found * PAGE_SIZE;
}

uint64_t pmm_alloc_pages(size_t n) { return pmm_alloc_aligned(n, PAGE_SIZE); }

void pmm_free_pages(uint64_t pa, size_t n)
{
	uint64_t f = spin_lock(&lock);
	for (size_t k = 0; k < n; k++) {
		uint64_t fr = pa / PAGE_SIZE + k;
		if (fr >= nframes || !is_used(fr))
			panic("pmm: freeing a free or unknown page 0x%lx", fr * PAGE_SIZE);
		set_free(fr);
		free_frames++;
	}
	if (pa / PAGE_SIZE < hint)
		hint = pa / PAGE_SIZE;
	spin_unlock(&lock, f);
}

uint64_t pmm_free_bytes(void) { return free_frames * PAGE_SIZE; }
uint64_t pmm_total_bytes(void) { return total_frames * PAGE_SIZE; }
uint64_t pmm_top(void) { return top; }
