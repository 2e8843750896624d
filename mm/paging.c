/* mm/paging.c - build yakvm's W^X identity map (see paging.h; the entry
 * format is APM vol. 2, 5.3 "Long-Mode Page Translation"). */
#include "mm/paging.h"
#include "mm/pmm.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/spinlock.h"

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _kernel_start[], _end[], boot_stack[];

static uint64_t pml4_pa;
/* CPUs coming up unmap their IST guard pages (arch/x86/desc.c) while the
 * boot CPU may unmap the next one's stack guard: one at a time. */
static struct spinlock unmap_lock;

static uint64_t *table(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR); }

static uint64_t *next_level(uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		uint64_t pa = pmm_alloc_page();
		if (!pa)
			panic("out of memory for host page tables");
		*entry = pa | PTE_P | PTE_W;
	}
	return table(*entry);
}

static uint64_t flags_for(uint64_t pa)
{
	if (pa < PAGE_SIZE)
		return 0;	/* page 0: catch NULL dereferences */
	if (pa >= (uint64_t)_text_start && pa < (uint64_t)_text_end)
		return PTE_P;	/* read + execute */
	if (pa >= (uint64_t)_rodata_start && pa < (uint64_t)_rodata_end)
		return PTE_P | PTE_NX;
	return PTE_P | PTE_W | PTE_NX;
}

static void map_2m_chunk(uint64_t *pml4, uint64_t pa)
{
	uint64_t *pdpt = next_level(&pml4[(pa >> 39) & 511]);
	uint64_t *pd = next_level(&pdpt[(pa >> 30) & 511]);
	uint64_t *pde = &pd[(pa >> 21) & 511];
	uint64_t kstart = (uint64_t)_kernel_start & ~(LARGE_PAGE_SIZE - 1);
	bool fine = pa < LARGE_PAGE_SIZE ||
		    (pa >= kstart && pa < (uint64_t)_end);
	if (!fine) {
		*pde = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
		return;
	}
	uint64_t *pt = next_level(pde);
	for (int i = 0; i < 512; i++) {
		uint64_t p = pa + (uint64_t)i * PAGE_SIZE;
		uint64_t fl = flags_for(p);
		pt[i] = fl ? p | fl : 0;
	}
}

void paging_init(void)
{
	pml4_pa = pmm_alloc_page();
	if (!pml4_pa)
		panic("out of memory for host page tables");
	uint64_t *pml4 = phys_to_virt(pml4_pa);
	uint64_t top = pmm_top();
	if (top < 0x100000000ull)
		top = 0x100000000ull;	/* the MMIO below 4 GiB (LAPIC, ...) */
	for (uint64_t pa = 0; pa < top; pa += LARGE_PAGE_SIZE)
		map_2m_chunk(pml4, pa);
	write_cr3(pml4_pa);
	/* The boot stack's lowest page is its guard. */
	paging_unmap_page((uint64_t)boot_stack);
}

/* The 4 KiB entry for va, splitting a 2 MiB page if need be; NULL if va is
 * not mapped at all. */
static uint64_t *pte_4k(uint64_t va)
{
	uint64_t *pml4 = phys_to_virt(pml4_pa);
	uint64_t *e = &pml4[(va >> 39) & 511];
	if (!(*e & PTE_P))
		return NULL;
	e = &table(*e)[(va >> 30) & 511];
	if (!(*e & PTE_P))
		return NULL;
	e = &table(*e)[(va >> 21) & 511];
	if (!(*e & PTE_P))
		return NULL;
	if (*e & PTE_PS) {	/* split the 2 MiB page into 4 KiB pages */
		uint64_t base = *e & PTE_ADDR & ~(LARGE_PAGE_SIZE - 1);
		uint64_t fl = *e & (PTE_P | PTE_W | PTE_NX);
		uint64_t pt_pa = pmm_alloc_page();
		if (!pt_pa)
			panic("out of memory for host page tables");
		uint64_t *pt = phys_to_virt(pt_pa);
		for (int i = 0; i < 512; i++)
			pt[i] = (base + (uint64_t)i * PAGE_SIZE) | fl;
		*e = pt_pa | PTE_P | PTE_W;
	}
	return &table(*e)[(va >> 12) & 511];
}

/* The 4 KiB entry for va, creating the tables above it where none are
 * (MMIO above the direct map) and splitting a 2 MiB page. */
static uint64_t *pte_4k_create(uint64_t va)
{
	uint64_t *pml4 = phys_to_virt(pml4_pa);
	uint64_t *pdpt = next_level(&pml4[(va >> 39) & 511]);
	next_level(&pdpt[(va >> 30) & 511]);
	uint64_t *pd = table(pdpt[(va >> 30) & 511]);
	uint64_t *pde = &pd[(va >> 21) & 511];
	if (!(*pde & PTE_P))
		next_level(pde);
	return pte_4k(va);
}

void paging_map_mmio(uint64_t pa, uint64_t len)
{
	uint64_t f = spin_lock(&unmap_lock);
	for (uint64_t p = pa & ~(PAGE_SIZE - 1); p < pa + len; p += PAGE_SIZE) {
		uint64_t *e = pte_4k_create(p);
		*e = p | PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT;
		invlpg(p);
	}
	spin_unlock(&unmap_lock, f);
}

void paging_make_exec(uint64_t va)
{
	uint64_t *e = pte_4k(va);
	if (e) {
		*e = (*e & PTE_ADDR) | PTE_P;
		invlpg(va);
	}
}

bool paging_is_mapped(uint64_t va)
{
	const uint64_t *t = phys_to_virt(pml4_pa);
	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];
		if (!(e & PTE_P))
			return false;
		if (shift == 12 || (shift <= 30 && (e & PTE_PS)))
			return true;
		t = table(e);
	}
	return true;
}


void paging_unmap_page(uint64_t va)
{
	uint64_t f = spin_lock(&unmap_lock);
	uint64_t *e = pte_4k(va);
	if (e) {
		*e = 0;
		invlpg(va);
	}
	spin_unlock(&unmap_lock, f);
}

static uint64_t count_wx(uint64_t *t, int level, uint64_t *leaves)
{
	uint64_t bad = 0;
	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		bool leaf = level == 1 || (level <= 3 && (e & PTE_PS));
		if (!leaf) {
			bad += count_wx(table(e), level - 1, leaves);
			continue;
		}
		(*leaves)++;
		/* Writable and executable: W set at this level and NX clear.
		 * (Upper levels are W and X-permitting, so the leaf decides.) */
		if ((e & PTE_W) && !(e & PTE_NX))
			bad++;
	}
	return bad;
}

uint64_t paging_count_wx(uint64_t *leaves)
{
	*leaves = 0;
	return count_wx(phys_to_virt(read_cr3() & PTE_ADDR), 4, leaves);
}
