/*
 * mm/guest_ram.c - a VM's RAM (see guest_ram.h): guest_ram_alloc() backs it
 * with host memory in 2 MiB chunks and maps it in the nested page tables;
 * guest_ram_hva(), guest_ram_read() and guest_ram_write() reach it by
 * guest-physical address.
 */
#include "mm/guest_ram.h"
#include "mm/pmm.h"
#include "mm/npt/npt_vm.h"
#include "lib/string.h"

/* Everything else (the VGA hole, the MMIO hole, beyond the RAM) stays
 * not-present in the nested page tables. */
bool guest_ram_alloc(struct guest_ram *r, const struct mem_range *ranges, unsigned nranges,
		     struct npt *npt, bool only_4k)
{
	if (nranges > GUEST_RAM_MAX_RANGES)
		return false;
	memcpy(r->ranges, ranges, nranges * sizeof(ranges[0]));
	r->nranges = nranges;
	unsigned blocks = 0;
	for (unsigned i = 0; i < nranges; i++) {
		uint64_t b0 = ranges[i].base & ~(LARGE_PAGE_SIZE - 1);
		uint64_t b1 = ranges[i].base + ranges[i].len;
		blocks += (unsigned)((b1 - b0 + LARGE_PAGE_SIZE - 1) / LARGE_PAGE_SIZE);
	}
	size_t bytes = blocks * sizeof(struct ram_chunk);
	uint64_t arr = pmm_alloc_pages((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!arr)
		return false;
	r->chunks = phys_to_virt(arr);
	for (unsigned i = 0; i < nranges; i++) {
		uint64_t start = ranges[i].base, end = start + ranges[i].len;
		for (uint64_t b = start & ~(LARGE_PAGE_SIZE - 1); b < end; b += LARGE_PAGE_SIZE) {
			struct ram_chunk *c = NULL;
			if (r->nchunks && r->chunks[r->nchunks - 1].gpa == b)
				c = &r->chunks[r->nchunks - 1];	/* shared block */
			if (!c) {
				uint64_t hpa = pmm_alloc_aligned(LARGE_PAGE_SIZE / PAGE_SIZE,
								 LARGE_PAGE_SIZE);
				if (!hpa)
					return false;
				c = &r->chunks[r->nchunks++];
				*c = (struct ram_chunk){ b, hpa, LARGE_PAGE_SIZE };
			}
			uint64_t s = start > b ? start : b;
			uint64_t e = end < b + LARGE_PAGE_SIZE ? end : b + LARGE_PAGE_SIZE;
			if (s == b && e == b + LARGE_PAGE_SIZE && !only_4k) {
				if (!yakvm_vm_map_page(npt, b, c->hpa, NPT_PAGE_2M,
						       NPT_W | NPT_X))
					return false;
				r->npt_2m++;
				continue;
			}
			for (uint64_t p = s & ~(PAGE_SIZE - 1); p < e; p += PAGE_SIZE) {
				if (!yakvm_vm_map_page(npt, p, c->hpa + (p - b),
						       NPT_PAGE_4K, NPT_W | NPT_X))
					return false;
				r->npt_4k++;
			}
		}
	}
	return true;
}

uint64_t guest_ram_free(struct guest_ram *r)
{
	/* No more guest-physical lookups, then the memory goes back. */
	unsigned nchunks = r->nchunks;
	r->nranges = 0;
	r->nchunks = 0;
	uint64_t freed = 0;
	for (unsigned i = 0; i < nchunks; i++) {
		pmm_free_pages(r->chunks[i].hpa, r->chunks[i].size / PAGE_SIZE);
		freed += r->chunks[i].size;
	}
	size_t arr = (nchunks * sizeof(struct ram_chunk) + PAGE_SIZE - 1) / PAGE_SIZE;
	if (arr) {
		pmm_free_pages(virt_to_phys(r->chunks), arr);
		freed += arr * PAGE_SIZE;
	}
	r->chunks = NULL;
	return freed;
}

bool guest_ram_contains(const struct guest_ram *r, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < r->nranges; i++) {
		const struct mem_range *m = &r->ranges[i];
		if (gpa >= m->base && len <= m->len && gpa - m->base <= m->len - len)
			return true;
	}
	return false;
}

void *guest_ram_hva(const struct guest_ram *r, uint64_t gpa, uint64_t len)
{
	if (len == 0 || !guest_ram_contains(r, gpa, len))
		return NULL;
	/* Binary search of the chunks, which are sorted by gpa. */
	unsigned lo = 0, hi = r->nchunks;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct ram_chunk *c = &r->chunks[mid];
		if (gpa < c->gpa)
			hi = mid;
		else if (gpa - c->gpa >= c->size)
			lo = mid + 1;
		else
			return gpa - c->gpa + len <= c->size ?
			       phys_to_virt(c->hpa + (gpa - c->gpa)) : NULL;
	}
	return NULL;
}

static bool copy_gpa(const struct guest_ram *r, uint64_t gpa, void *buf, uint64_t len,
		     bool write)
{
	if (!guest_ram_contains(r, gpa, len))
		return false;
	uint8_t *p = buf;
	while (len) {
		uint64_t n = LARGE_PAGE_SIZE - (gpa & (LARGE_PAGE_SIZE - 1));
		if (n > len)
			n = len;
		uint8_t *h = guest_ram_hva(r, gpa, n);
		if (!h)
			return false;
		if (write)
			memcpy(h, p, n);
		else
			memcpy(p, h, n);
		gpa += n;
		p += n;
		len -= n;
	}
	return true;
}

bool guest_ram_read(const struct guest_ram *r, uint64_t gpa, void *dst, uint64_t len)
{
	return copy_gpa(r, gpa, dst, len, false);
}

bool guest_ram_write(const struct guest_ram *r, uint64_t gpa, const void *src, uint64_t len)
{
	return copy_gpa(r, gpa, (void *)src, len, true);
}
