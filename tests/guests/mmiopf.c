/*
 * tests/guests/mmiopf.c - the guest page walker's faults, seen through the
 * MMIO emulator and compared with the CPU's own (issue 16). Needs the test
 * device (testdev=1, devices/testdev.h) at guest-physical 0xfeb00000.
 *
 * 32-bit PAE paging: 2 MiB identity pages, and one page table for a 2 MiB
 * region at LIN whose entry for DST_LIN each case sets. Each case runs one
 * MOVSB to DST_LIN twice: from RAM (the CPU executes it, its own walk
 * decides) and from the device (a #NPF exit: yakvm's emulator reads the
 * device, then walks the guest's tables for the write, arch/x86/insn/walk.c).
 * Both must end alike - the #PF or none, its error code (APM vol. 2, 8.4.2),
 * ESI, EDI, the byte written - and as the APM says. CR2 (which yakvm sets
 * with the #PF it injects) is compared on a line of its own.
 *
 * Prints "mmiopf: ok|FAIL <case>" and "mmiopf: N passed, M failed".
 */
#include "rt.h"

#define TD      0xfeb00000u
#define LIN     0x7fe00000u	/* PDPT entry 1, PD entry 511 */
#define DST_LIN (LIN + 0x3000u)	/* PT entry 3 */

#define P   1ull
#define RW  2ull
#define PS  0x80ull
#define NX  (1ull << 63)

#define E_P    1u
#define E_W    2u
#define E_RSVD 8u

#define MSR_EFER  0xc0000080u
#define EFER_NXE  (1u << 11)
#define CR0_WP    (1u << 16)
#define CR0_PG    (1u << 31)
#define CR4_PAE   (1u << 5)

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static uint8_t dst[4096] __attribute__((aligned(4096)));
static uint8_t src_ram[16];

static int passed, failed;
static int pf_cases, cr2_right;
static uint32_t cr2_seen;
static bool has_nx;
static unsigned maxphyaddr;

struct outcome {
	int vector;
	uint32_t error, cr2, esi, edi;
	uint8_t byte;
};

static uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }

static void set_wp(bool on)
{
	write_cr0(on ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
}

static void set_nxe(bool on)
{
	uint64_t efer;
	rdmsr_safe(MSR_EFER, &efer);
	wrmsr_safe(MSR_EFER, on ? efer | EFER_NXE : efer & ~(uint64_t)EFER_NXE);
}

/* The PDE over LIN (its flags besides P and the table) and DST_LIN's PTE;
 * CR3 is reloaded, which flushes both. */
static void map(uint64_t pde_flags, uint64_t pte)
{
	pd[1][511] = (uint32_t)pt | pde_flags;
	pt[3] = pte;
	__asm__ volatile("mov %%cr3, %%eax\n\tmov %%eax, %%cr3" ::: "eax", "memory");
}

static void movsb(uint32_t src, struct outcome *o)
{
	uint32_t esi = src, edi = DST_LIN, cr2;
	dst[0] = 0;
	rt_last_vector = 0;
	rt_last_error = 0;
	__asm__ volatile("mov %0, %%cr2" :: "r"(0) : "memory");
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "cld\n\t"
			 "movsb\n"
			 "1:\tmovl $0, rt_fixup"
			 : "+S"(esi), "+D"(edi) :: "memory");
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	o->vector = rt_last_vector;
	o->error = rt_last_error;
	o->cr2 = cr2;
	o->esi = esi - src;
	o->edi = edi;
	o->byte = dst[0];
}

/* expect_error: the #PF error code, or -1 for no fault. */
static void one(const char *name, uint64_t pde_flags, uint64_t pte, bool wp,
		bool nxe, int expect_error)
{
	struct outcome ram, dev;
	set_wp(wp);
	if (has_nx)
		set_nxe(nxe);
	map(pde_flags, pte);
	movsb((uint32_t)src_ram, &ram);
	map(pde_flags, pte);
	movsb(TD, &dev);
	/* QEMU 7.2's TCG reports a reserved bit without P; the APM (vol. 2,
	 * 8.4.2) and Bochs set P, the entry being present. */
	bool qemu_rsvd = (dev.error & E_RSVD) && ram.error == (dev.error & ~E_P);
	bool same = ram.vector == dev.vector &&
		    (ram.error == dev.error || qemu_rsvd) &&
		    ram.esi == dev.esi && ram.edi == dev.edi && ram.byte == dev.byte;
	bool as_apm = expect_error < 0
		? dev.vector == 0 && dev.byte == 0x5a && dev.edi == DST_LIN + 1
		: dev.vector == 14 && dev.error == (uint32_t)expect_error &&
		  ram.cr2 == DST_LIN && dev.edi == DST_LIN && dev.esi == 0;
	/* CR2 is yakvm's to set with the #PF it injects (VMCB.CR2), apart
	 * from the walk: counted on its own line. */
	if (dev.vector == 14) {
		pf_cases++;
		if (dev.cr2 == ram.cr2)
			cr2_right++;
		else
			cr2_seen = dev.cr2;
	}
	if (same && as_apm) {
		passed++;
		printf("mmiopf: ok %s (%s, error 0x%x%s)\n", name,
		       dev.vector ? "#PF" : "no fault", dev.error,
		       ram.error != dev.error ? "; the CPU's own walk: no P" : "");
		return;
	}
	failed++;
	printf("mmiopf: FAIL %s: RAM vector %d error 0x%x cr2 0x%x edi 0x%x byte 0x%x;"
	       " device vector %d error 0x%x cr2 0x%x edi 0x%x byte 0x%x; APM error %d\n",
	       name, ram.vector, ram.error, ram.cr2, ram.edi, ram.byte,
	       dev.vector, dev.error, dev.cr2, dev.edi, dev.byte, expect_error);
}

static void paging_on(void)
{
	for (unsigned i = 0; i < 4; i++) {
		pdpt[i] = (uint32_t)pd[i] | P;
		for (unsigned j = 0; j < 512; j++)
			pd[i][j] = (((uint64_t)i << 30) + ((uint64_t)j << 21)) | PS | RW | P;
	}
	__asm__ volatile("mov %%cr4, %%eax\n\torl %1, %%eax\n\tmov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3"
			 :: "r"(pdpt), "i"(CR4_PAE) : "eax", "memory");
	write_cr0(read_cr0() | CR0_PG);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t r[4];
	cpuid(0x80000001, 0, r);
	has_nx = r[3] & (1u << 20);
	cpuid(0x80000008, 0, r);
	maxphyaddr = r[0] & 0xff;
	paging_on();
	src_ram[0] = 0x5a;
	mmio_write32(TD, 0x5a);
	printf("mmiopf: PAE paging on, NX %s, MAXPHYADDR %u\n",
	       has_nx ? "offered" : "not offered", maxphyaddr);

	uint64_t page = (uint32_t)dst;
	one("present", P | RW, page | P | RW, true, false, -1);
	one("not_present", P | RW, 0, true, false, E_W);
	one("read_only_wp", P | RW, page | P, true, false, E_P | E_W);
	one("read_only_no_wp", P | RW, page | P, false, false, -1);
	one("pde_read_only_wp", P, page | P | RW, true, false, E_P | E_W);
	/* A missing entry below a protection violation: no translation, P = 0. */
	one("pde_read_only_pte_absent", P, 0, true, false, E_W);
	one("rsvd_bit62", P | RW, page | P | RW | (1ull << 62), true, false,
	    E_P | E_W | E_RSVD);
	if (maxphyaddr >= 36 && maxphyaddr < 52)
		one("rsvd_maxphyaddr", P | RW, page | P | RW | (1ull << maxphyaddr),
		    true, false, E_P | E_W | E_RSVD);
	/* A reserved bit in the PDE ends the walk there. */
	one("pde_rsvd_pte_absent", P | RW | (1ull << 62), 0, true, false,
	    E_P | E_W | E_RSVD);
	if (has_nx) {
		one("nx_without_nxe", P | RW, page | P | RW | NX, true, false,
		    E_P | E_W | E_RSVD);
		one("nx_data_write", P | RW, page | P | RW | NX, true, true, -1);
	}
	if (cr2_right == pf_cases)
		printf("mmiopf: CR2 of every emulated #PF is the CPU's (%d)\n", pf_cases);
	else
		printf("mmiopf: CR2 of an emulated #PF is 0x%x, the CPU's 0x%x (%d of %d right)\n",
		       cr2_seen, DST_LIN, cr2_right, pf_cases);
	printf("mmiopf: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
