/*
 * guest/multiboot1.c - load a Multiboot1 kernel into a VM as a Multiboot1
 * boot loader does. Follows the Multiboot Specification version 0.6.96:
 * section 3.1 (the OS image format and the Multiboot header), 3.2 (the
 * machine state at entry) and 3.3 (the boot information format). Where the
 * spec leaves a choice, we do what GRUB does.
 *
 * Placement policy (where the loader puts what it adds to the kernel):
 * everything goes above the kernel. Starting at the first page boundary
 * above the highest address the kernel occupies (its bss included), each
 * module is placed at the lowest page-aligned address where it fits in
 * usable RAM below 4 GiB, in order; then one page-aligned "info block"
 * holds, contiguously: the multiboot_info structure (so EBX is page
 * aligned), the memory map, the module list, the command line, the boot
 * loader name "yakvm" and the module strings. Nothing is put below the
 * kernel, so a kernel that leaves no room above itself fails with "VM memory
 * too small", even if there is room below it.
 *
 * Everything is validated before the first byte is written to the guest,
 * and every write goes through gm->write / gm->zero after checking that the
 * whole destination lies in MEM_USABLE ranges of gm->map, below 4 GiB.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/elf.h"
#include "guest/multiboot1.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/errmsg.h"
#include "guest/ram_range.h"

/* 3.1.1: the header lies in the first 8192 bytes, 32-bit aligned. */
#define MB1_SEARCH_LEN   8192u
#define MB1_HEADER_MIN   12u       /* magic, flags, checksum */
#define MB1_HEADER_AOUT  32u       /* ... + the five address fields */

/* 3.1.2: header flags. Bits 0-15 are requirements: a loader that does not
 * understand one must fail. Bits 16-31 are optional features. */
#define MB1_HF_PAGE_ALIGN  (1u << 0)   /* modules page aligned: we always do */
#define MB1_HF_MEMORY_INFO (1u << 1)   /* mem_* and mmap: we always give them */
#define MB1_HF_VIDEO_MODE  (1u << 2)   /* accepted and ignored, see below */
#define MB1_HF_AOUT_KLUDGE (1u << 16)  /* use the address fields */
#define MB1_HF_REQUIRED    0x0000ffffu
/*
 * Bit 2 asks for a video mode table. yakvm's VMs have no display, so we
 * accept the kernel (GRUB does the same when it cannot set a mode) and leave
 * info flags 11/12 clear: 3.3 makes the kernel check them before it uses the
 * vbe_* / framebuffer_* fields.
 */
#define MB1_HF_SUPPORTED   (MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO | \
			    MB1_HF_VIDEO_MODE)

/* 3.3: multiboot_info.flags bits we set. */
#define MB1_INFO_MEMORY     (1u << 0)
#define MB1_INFO_CMDLINE    (1u << 2)
#define MB1_INFO_MODS       (1u << 3)
#define MB1_INFO_MEM_MAP    (1u << 6)
#define MB1_INFO_LOADER     (1u << 9)

#define MB1_LOADER_NAME     "yakvm"

/* Limits that keep a hostile image from making us loop for long. */
#define MB1_MAX_PHDRS       128u
#define MB1_MAX_MODULES     1024u

/* 3.3: the boot information structure, as laid out by the spec (the
 * framebuffer fields included: 116 bytes). */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_info) == 116, "multiboot_info layout");
_Static_assert(offsetof(struct mb1_info, mmap_length) == 44, "mmap_length");
_Static_assert(offsetof(struct mb1_info, boot_loader_name) == 64, "loader");
_Static_assert(offsetof(struct mb1_info, framebuffer_addr) == 88, "fb");

/* 3.3: a module list entry. */
struct mb1_mod {
	uint32_t mod_start;
	uint32_t mod_end;      /* one past the last byte, as GRUB does */
	uint32_t string;
	uint32_t reserved;     /* must be 0 */
};
_Static_assert(sizeof(struct mb1_mod) == 16, "module entry layout");

/* 3.3: a memory map entry; 'size' does not count itself, so it is 20. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mmap entry layout");

/* ------------------------------------------------------------------------ */

struct ld {
	const struct guest_mem *gm;
	const uint8_t *img;
	size_t len;
	char *err;
	size_t errlen;
};

#define fail(ld, ...) errmsg((ld)->err, (ld)->errlen, __VA_ARGS__)

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* True if [off, off+n) lies inside a file of len bytes (no overflow). */
static bool in_file(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/* ---- the guest's memory map ---------------------------------------------- */



/* The end of the highest usable range: "the VM's RAM size" for messages. */
static uint64_t ram_top(const struct guest_mem *gm)
{
	uint64_t top = 0;
	unsigned i;

	for (i = 0; i < gm->map_count; i++)
		if (gm->map[i].type == MEM_USABLE && mem_range_end(&gm->map[i]) > top)
			top = mem_range_end(&gm->map[i]);
	return top;
}

/* Fails with a message saying why [base, base+len) cannot be loaded into. */
static int range_error(struct ld *ld, const char *what, uint64_t base,
		       uint64_t len, enum ram_range why,
		       const struct mem_range *bad)
{
	uint64_t end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	uint64_t top = ram_top(ld->gm);

	switch (why) {
	case RAM_RANGE_ABOVE_4G:
		return fail(ld, "%s at 0x%llx-0x%llx is not below 4 GiB "
			    "(Multiboot1 is 32-bit)", what, ull(base), ull(end));
	case RAM_RANGE_RESERVED:
		return fail(ld, "%s at 0x%llx-0x%llx overlaps the reserved "
			    "range 0x%llx-0x%llx of the VM's memory map", what,
			    ull(base), ull(end), ull(bad->base),
			    ull(mem_range_end(bad)));
	default:
		if (top % MiB == 0)
			return fail(ld, "%s at 0x%llx-0x%llx is outside the VM's "
				    "RAM (%llu MiB)", what, ull(base), ull(end),
				    ull(top / MiB));
		return fail(ld, "%s at 0x%llx-0x%llx is outside the VM's RAM "
			    "(%llu KiB)", what, ull(base), ull(end),
			    ull(top / KiB));
	}
}

static int require_ram(struct ld *ld, const char *what, uint64_t base,
		       uint64_t len)
{
	const struct mem_range *bad = NULL;
	enum ram_range why = ram_range_check(ld->gm, base, len, &bad);

	return why == RAM_RANGE_OK ? 0 : range_error(ld, what, base, len, why, bad);
}

static int guest_write(struct ld *ld, uint64_t gpa, const void *src,
		       uint64_t len)
{
	if (len == 0)
		return 0;
	if (require_ram(ld, "data", gpa, len))
		return -1;
	if (ld->gm->write(ld->gm->ctx, gpa, src, (size_t)len))
		return fail(ld, "writing guest memory at 0x%llx-0x%llx failed",
			    ull(gpa), ull(gpa + len));
	return 0;
}

static int guest_zero(struct ld *ld, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return 0;
	if (require_ram(ld, "data", gpa, len))
		return -1;
	if (ld->gm->zero(ld->gm->ctx, gpa, (size_t)len))
		return fail(ld, "zeroing guest memory at 0x%llx-0x%llx failed",
			    ull(gpa), ull(gpa + len));
	return 0;
}

static bool align_up(uint64_t v, uint64_t align, uint64_t *out)
{
	if (v > UINT64_MAX - (align - 1))
		return false;
	*out = (v + align - 1) & ~(align - 1);
	return true;
}

/*
 * The placement allocator: the lowest page-aligned address >= *cursor
 * where size bytes fit in usable RAM below 4 GiB. Advances *cursor.
 */
static bool place(const struct guest_mem *gm, uint64_t *cursor, uint64_t size,
		  uint64_t *out)
{
	unsigned i;

	for (i = 0; i < gm->map_count; i++) {
		const struct mem_range *r = &gm->map[i];
		uint64_t cand;

		if (r->type != MEM_USABLE || mem_range_end(r) <= *cursor)
			continue;
		if (!align_up(r->base > *cursor ? r->base : *cursor, GUEST_PAGE_SIZE,
			      &cand) || cand >= FOUR_GIB)
			continue;
		if (ram_range_check(gm, cand, size, NULL) == RAM_RANGE_OK) {
			*out = cand;
			*cursor = cand + size;
			return true;
		}
	}
	return false;
}

/* ---- the Multiboot header (3.1) ---------------------------------------- */

struct mb1_header {
	size_t offset;          /* in the file */
	uint32_t flags;
	/* 3.1.3: valid if flags & MB1_HF_AOUT_KLUDGE */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr,
		 entry_addr;
};

/* 3.1.1: magic + flags + checksum == 0 (mod 2^32); 32-bit aligned; the
 * header (its three required fields) entirely in the first 8192 bytes. */
static bool find_header(const uint8_t *img, size_t len, struct mb1_header *h)
{
	size_t lim = len < MB1_SEARCH_LEN ? len : MB1_SEARCH_LEN;
	size_t off;

	if (!img)
		return false;
	for (off = 0; off + MB1_HEADER_MIN <= lim; off += 4) {
		uint32_t magic = rd32(img + off);
		uint32_t flags = rd32(img + off + 4);
		uint32_t sum = rd32(img + off + 8);

		if (magic != MB1_HEADER_MAGIC ||
		    (uint32_t)(magic + flags + sum) != 0)
			continue;
		memset(h, 0, sizeof(*h));
		h->offset = off;
		h->flags = flags;
		return true;
	}
	return false;
}

bool mb1_probe(const void *image, size_t len)
{
	struct mb1_header h;

	return find_header(image, len, &h);
}

/* ---- the kernel image ---------------------------------------------------- */

/* One piece of the kernel to load: filesz bytes from the file at off, then
 * zeros up to memsz, at the guest-physical address dst. */
struct kseg {
	uint64_t dst, off, filesz, memsz;
	uint64_t vaddr;         /* ELF p_vaddr (= dst for the a.out kludge) */
};

enum kernel_kind { KERNEL_AOUT, KERNEL_ELF32, KERNEL_ELF64 };

struct kernel {
	enum kernel_kind kind;
	unsigned nseg;          /* a.out: 1; ELF: e_phnum */
	uint64_t phoff;
	unsigned phentsize;
	struct kseg aout;
	uint64_t e_entry;       /* ELF: virtual; a.out: physical */
	uint64_t entry;         /* physical */
	uint64_t top;           /* end of the highest loaded byte */
};

/* Segment i, or false if program header i is not a loadable segment. */
static bool kernel_seg(const struct ld *ld, const struct kernel *k, unsigned i,
		       struct kseg *s)
{
	const uint8_t *p;

	if (k->kind == KERNEL_AOUT) {
		*s = k->aout;
		return true;
	}
	/* load_elf() checked that the program header table is in the file. */
	p = ld->img + k->phoff + (uint64_t)i * k->phentsize;
	if (k->kind == KERNEL_ELF32) {
		struct elf32_phdr ph;
		memcpy(&ph, p, sizeof(ph));
		if (ph.p_type != PT_LOAD)
			return false;
		s->dst = ph.p_paddr;
		s->vaddr = ph.p_vaddr;
		s->off = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
	} else {
		struct elf64_phdr ph;
		memcpy(&ph, p, sizeof(ph));
		if (ph.p_type != PT_LOAD)
			return false;
		s->dst = ph.p_paddr;
		s->vaddr = ph.p_vaddr;
		s->off = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
	}
	return true;
}

/* 3.1.3: the a.out kludge. The address fields say where the file goes. */
static int parse_aout(struct ld *ld, const struct mb1_header *h,
		      struct kernel *k)
{
	uint64_t load_off, load_size, load_end, mem_end;

	if (!in_file(ld->len, h->offset, MB1_HEADER_AOUT))
		return fail(ld, "Multiboot header at offset 0x%llx is truncated "
			    "(flag 16 needs 32 bytes)", ull(h->offset));
	/* "load_addr must be less than or equal to header_addr"; the file
	 * offset to load from is the header's offset minus the difference. */
	if (h->load_addr > h->header_addr)
		return fail(ld, "a.out kludge: load_addr 0x%x is above "
			    "header_addr 0x%x", h->load_addr, h->header_addr);
	if (h->header_addr - h->load_addr > h->offset)
		return fail(ld, "a.out kludge: load_addr 0x%x is before the "
			    "start of the file (header_addr 0x%x, header at "
			    "offset 0x%llx)", h->load_addr, h->header_addr,
			    ull(h->offset));
	load_off = h->offset - (h->header_addr - h->load_addr);

	/* load_end_addr 0: text and data occupy the rest of the file. */
	if (h->load_end_addr == 0) {
		load_size = ld->len - load_off;
	} else {
		if (h->load_end_addr <= h->load_addr)
			return fail(ld, "a.out kludge: load_end_addr 0x%x is not "
				    "above load_addr 0x%x", h->load_end_addr,
				    h->load_addr);
		load_size = h->load_end_addr - h->load_addr;
		if (!in_file(ld->len, load_off, load_size))
			return fail(ld, "a.out kludge: load_end_addr 0x%x is "
				    "beyond the end of the file (%llu bytes "
				    "from offset 0x%llx, file is %llu bytes)",
				    h->load_end_addr, ull(load_size),
				    ull(load_off), ull(ld->len));
	}
	load_end = h->load_addr + load_size;

	/* bss_end_addr 0: no bss. */
	mem_end = load_end;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < load_end)
			return fail(ld, "a.out kludge: bss_end_addr 0x%x is "
				    "below the end of the loaded data 0x%llx",
				    h->bss_end_addr, ull(load_end));
		mem_end = h->bss_end_addr;
	}

	k->kind = KERNEL_AOUT;
	k->nseg = 1;
	k->aout.dst = h->load_addr;
	k->aout.vaddr = h->load_addr;
	k->aout.off = load_off;
	k->aout.filesz = load_size;
	k->aout.memsz = mem_end - h->load_addr;
	k->e_entry = h->entry_addr;
	/* entry_addr is physical; GRUB and QEMU jump there wherever it is
	 * (in the bss, in code the kernel's image does not hold): so do we. */
	k->entry = h->entry_addr;
	return 0;
}

/* 3.1 (3.1.3's alternative): the kernel is an ELF executable. */
static int parse_elf(struct ld *ld, struct kernel *k)
{
	const uint8_t *id = ld->img;
	unsigned type, machine, phnum, phentsize, need;
	uint64_t phoff, entry;
	bool is64;

	if (ld->len < EI_NIDENT || id[0] != ELFMAG0 || id[1] != ELFMAG1 ||
	    id[2] != ELFMAG2 || id[3] != ELFMAG3)
		return fail(ld, "not an ELF file, and the Multiboot header has "
			    "no address fields (flag 16)");
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return fail(ld, "ELF class (EI_CLASS) %u is neither ELF32 nor ELF64",
			    id[EI_CLASS]);
	is64 = id[EI_CLASS] == ELFCLASS64;
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(ld, "ELF data encoding (EI_DATA) %u is not "
			    "little-endian (1)", id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return fail(ld, "ELF version (EI_VERSION) %u is not 1",
			    id[EI_VERSION]);

	if (is64) {
		struct elf64_ehdr eh;
		if (ld->len < sizeof(eh))
			return fail(ld, "ELF64 header truncated (file is %llu "
				    "bytes)", ull(ld->len));
		memcpy(&eh, ld->img, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		need = sizeof(struct elf64_phdr);
	} else {
		struct elf32_ehdr eh;
		if (ld->len < sizeof(eh))
			return fail(ld, "ELF32 header truncated (file is %llu "
				    "bytes)", ull(ld->len));
		memcpy(&eh, ld->img, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		need = sizeof(struct elf32_phdr);
	}

	if (type != ET_EXEC)
		return fail(ld, "ELF type (e_type) %u is not ET_EXEC (an executable)",
			    type);
	if (!is64 && machine != EM_386)
		return fail(ld, "ELF32 machine (e_machine) %u is not i386 (%u)", machine,
			    EM_386);
	if (is64 && machine != EM_X86_64)
		return fail(ld, "ELF64 machine (e_machine) %u is not x86-64 (%u)", machine,
			    EM_X86_64);
	if (phnum == 0)
		return fail(ld, "ELF file has no program headers (e_phnum 0)");
	if (phnum > MB1_MAX_PHDRS)
		return fail(ld, "ELF file has too many program headers (e_phnum %u, "
			    "at most %u)", phnum, MB1_MAX_PHDRS);
	if (phentsize < need)
		return fail(ld, "ELF program header size (e_phentsize) %u is too "
			    "small (%u)",
			    phentsize, need);
	if (!in_file(ld->len, phoff, (uint64_t)phnum * phentsize))
		return fail(ld, "ELF program headers at offset 0x%llx (%u x %u "
			    "bytes) are outside the file (%llu bytes)",
			    ull(phoff), phnum, phentsize, ull(ld->len));

	k->kind = is64 ? KERNEL_ELF64 : KERNEL_ELF32;
	k->nseg = phnum;
	k->phoff = phoff;
	k->phentsize = phentsize;
	k->e_entry = entry;
	return 0;
}

/*
 * Checks every segment against the file and the guest's memory, finds the
 * physical entry point and the top of the kernel. Writes nothing.
 */
static int check_kernel(struct ld *ld, struct kernel *k)
{
	struct kseg s, t;
	unsigned i, j, loaded = 0;
	bool have_entry = k->kind == KERNEL_AOUT;
	char what[48];

	k->top = 0;
	for (i = 0; i < k->nseg; i++) {
		if (!kernel_seg(ld, k, i, &s) || s.memsz == 0)
			continue;
		if (k->kind == KERNEL_AOUT)
			snprintf(what, sizeof(what), "the kernel (a.out kludge)");
		else
			snprintf(what, sizeof(what), "segment %u", i);

		if (s.filesz > s.memsz)
			return fail(ld, "%s: file size 0x%llx is larger than its "
				    "memory size 0x%llx", what, ull(s.filesz),
				    ull(s.memsz));
		if (!in_file(ld->len, s.off, s.filesz))
			return fail(ld, "%s: file bytes 0x%llx-0x%llx are outside "
				    "the file (%llu bytes)", what, ull(s.off),
				    ull(s.off + s.filesz), ull(ld->len));
		if (s.memsz > UINT64_MAX - s.dst)
			return fail(ld, "%s at 0x%llx (0x%llx bytes) wraps around "
				    "the address space", what, ull(s.dst),
				    ull(s.memsz));
		if (require_ram(ld, what, s.dst, s.memsz))
			return -1;

		/* Segments must not overlap each other in memory. */
		for (j = 0; j < i; j++) {
			if (!kernel_seg(ld, k, j, &t) || t.memsz == 0)
				continue;
			if (s.dst < t.dst + t.memsz && t.dst < s.dst + s.memsz)
				return fail(ld, "segments %u and %u overlap "
					    "(0x%llx-0x%llx, 0x%llx-0x%llx)", j,
					    i, ull(t.dst), ull(t.dst + t.memsz),
					    ull(s.dst), ull(s.dst + s.memsz));
		}

		/* ELF: the entry point is virtual. Like GRUB, translate it
		 * through the first segment that contains it, which gives
		 * the physical address when p_vaddr != p_paddr (3.2: the
		 * kernel starts with paging off). */
		if (!have_entry && k->e_entry >= s.vaddr &&
		    k->e_entry - s.vaddr < s.memsz) {
			k->entry = s.dst + (k->e_entry - s.vaddr);
			have_entry = true;
		}
		if (s.dst + s.memsz > k->top)
			k->top = s.dst + s.memsz;
		loaded++;
	}
	if (loaded == 0)
		return fail(ld, "the kernel has no loadable segments");
	if (!have_entry)
		return fail(ld, "ELF entry point 0x%llx is not in any loadable "
			    "segment", ull(k->e_entry));
	/* Segments are below 4 GiB, so the physical entry is too (ELF64's
	 * e_entry itself may be a higher-half virtual address). */
	if (k->entry >= FOUR_GIB)
		return fail(ld, "entry point 0x%llx is not below 4 GiB",
			    ull(k->entry));
	return 0;
}

static int load_kernel(struct ld *ld, const struct kernel *k)
{
	struct kseg s;
	unsigned i;

	for (i = 0; i < k->nseg; i++) {
		if (!kernel_seg(ld, k, i, &s) || s.memsz == 0)
			continue;
		if (guest_write(ld, s.dst, ld->img + s.off, s.filesz) ||
		    guest_zero(ld, s.dst + s.filesz, s.memsz - s.filesz))
			return -1;
	}
	return 0;
}

/* ---- the boot information (3.3) ---------------------------------------- */

/* Size in KiB of the usable RAM that starts at 'from', contiguously
 * (adjacent usable entries chained), counted up to 'limit'. */
static uint64_t usable_kib_from(const struct guest_mem *gm, uint64_t from,
				uint64_t limit)
{
	uint64_t cur = ram_run_end(gm, from, limit);
	if (cur > limit)
		cur = limit;
	return (cur - from) / KiB;
}

/* 3.3: the mmap types given to the guest: 1 available, 3 ACPI, 4 NVS,
 * 5 bad; "all other values currently indicate a reserved area" (2). */
static uint32_t mmap_type(uint32_t t)
{
	return t >= MEM_USABLE && t <= MEM_BAD ? t : MEM_RESERVED;
}

static unsigned mmap_entries(const struct guest_mem *gm)
{
	unsigned i, n = 0;

	for (i = 0; i < gm->map_count; i++)
		n += gm->map[i].len != 0;
	return n;
}

int mb1_load(const struct guest_mem *gm, const void *image, size_t len,
	     const char *cmdline, const struct mb1_module_src *mods,
	     unsigned nmods, struct mb1_entry *entry, char *err, size_t errlen)
{
	struct ld ld = { gm, image, len, err, errlen };
	struct mb1_header h;
	struct kernel k;
	struct mb1_info info;
	uint64_t cursor, need, block, info_size, size, a, mmap_at, mods_at,
		 str_at, upper;
	unsigned i, nmmap;
	size_t cmdlen, namelen = sizeof(MB1_LOADER_NAME);

	if (err && errlen)
		err[0] = 0;
	if (!gm || !gm->write || !gm->zero || (!gm->map && gm->map_count))
		return fail(&ld, "no guest memory to load into");
	if (!image || !entry)
		return fail(&ld, "no kernel image");
	if (nmods && !mods)
		return fail(&ld, "no module list");
	if (nmods > MB1_MAX_MODULES)
		return fail(&ld, "too many modules (%u, at most %u)", nmods,
			    MB1_MAX_MODULES);
	if (!cmdline)
		cmdline = "";

	/* 3.1.1: the header. */
	if (!find_header(ld.img, len, &h))
		return fail(&ld, "no Multiboot header (magic 0x%x with a valid "
			    "checksum, 4-byte aligned, in the first %u bytes)",
			    MB1_HEADER_MAGIC, MB1_SEARCH_LEN);
	/* 3.1.2: "If the boot loader sees a flag bit set in the low 16 bits
	 * that it does not understand or cannot fulfill, it must fail." */
	if (h.flags & MB1_HF_REQUIRED & ~MB1_HF_SUPPORTED)
		return fail(&ld, "Multiboot header requires unsupported features "
			    "(flags 0x%x, unknown bits 0x%x)", h.flags,
			    h.flags & MB1_HF_REQUIRED & ~MB1_HF_SUPPORTED);

	/* 3.1.3: with flag 16 the address fields rule, even for an ELF file
	 * (GRUB does the same); without it the file must be ELF. */
	memset(&k, 0, sizeof(k));
	if (h.flags & MB1_HF_AOUT_KLUDGE) {
		if (in_file(len, h.offset, MB1_HEADER_AOUT)) {
			h.header_addr = rd32(ld.img + h.offset + 12);
			h.load_addr = rd32(ld.img + h.offset + 16);
			h.load_end_addr = rd32(ld.img + h.offset + 20);
			h.bss_end_addr = rd32(ld.img + h.offset + 24);
			h.entry_addr = rd32(ld.img + h.offset + 28);
		}
		if (parse_aout(&ld, &h, &k))
			return -1;
	} else if (parse_elf(&ld, &k)) {
		return -1;
	}
	if (check_kernel(&ld, &k))
		return -1;

	/* Plan the rest before writing anything. "need" is where it would
	 * all end if RAM went on contiguously above the kernel. */
	for (i = 0; i < nmods; i++)
		if (mods[i].len && !mods[i].data)
			return fail(&ld, "module %u has no data", i);
	nmmap = mmap_entries(gm);
	cmdlen = strlen(cmdline) + 1;
	info_size = sizeof(struct mb1_info) +
		    (uint64_t)nmmap * sizeof(struct mb1_mmap_entry) +
		    (uint64_t)nmods * sizeof(struct mb1_mod) + cmdlen + namelen;
	for (i = 0; i < nmods; i++)
		info_size += strlen(mods[i].string ? mods[i].string : "") + 1;

	if (!align_up(k.top, GUEST_PAGE_SIZE, &need))
		return fail(&ld, "kernel too high");
	for (i = 0; i < nmods; i++) {
		uint64_t sz;
		if (!align_up(mods[i].len ? mods[i].len : 1, GUEST_PAGE_SIZE, &sz) ||
		    sz > FOUR_GIB)
			return fail(&ld, "module %u is too large", i);
		need += sz;
	}
	need += info_size;

	/* Dry run of the placement, to fail before writing anything and to
	 * learn where the info block goes (after the last module). */
	cursor = k.top;
	for (i = 0; i <= nmods; i++) {
		size = i < nmods ? (mods[i].len ? mods[i].len : 1) : info_size;
		if (!place(gm, &cursor, size, &block))
			return fail(&ld, "VM memory too small: needs %llu KiB "
				    "(kernel, %u module(s) and the boot "
				    "information above 0x%llx; the VM has "
				    "%llu KiB)", ull((need + KiB - 1) / KiB),
				    nmods, ull(k.top), ull(ram_top(gm) / KiB));
	}
	mmap_at = block + sizeof(struct mb1_info);
	mods_at = mmap_at + (uint64_t)nmmap * sizeof(struct mb1_mmap_entry);
	str_at = mods_at + (uint64_t)nmods * sizeof(struct mb1_mod);

	/* Now write: the kernel. */
	if (load_kernel(&ld, &k))
		return -1;

	memset(&info, 0, sizeof(info));

	/* The strings that precede the module strings. */
	info.cmdline = (uint32_t)str_at;
	if (guest_write(&ld, str_at, cmdline, cmdlen))
		return -1;
	str_at += cmdlen;
	info.boot_loader_name = (uint32_t)str_at;
	if (guest_write(&ld, str_at, MB1_LOADER_NAME, namelen))
		return -1;
	str_at += namelen;

	/* The modules, their strings and their list entries. The allocator
	 * is deterministic: replaying it gives the dry run's addresses. */
	cursor = k.top;
	for (i = 0; i < nmods; i++) {
		struct mb1_mod m;
		const char *s = mods[i].string ? mods[i].string : "";
		size_t slen = strlen(s) + 1;

		size = mods[i].len ? mods[i].len : 1;
		if (!place(gm, &cursor, size, &a))
			return fail(&ld, "VM memory too small for module %u", i);
		m.mod_start = (uint32_t)a;
		m.mod_end = (uint32_t)(a + mods[i].len);
		m.string = (uint32_t)str_at;
		m.reserved = 0;
		if (guest_write(&ld, a, mods[i].data, mods[i].len) ||
		    guest_write(&ld, str_at, s, slen) ||
		    guest_write(&ld, mods_at + (uint64_t)i * sizeof(m), &m,
				sizeof(m)))
			return -1;
		str_at += slen;
	}

	/* The memory map, from gm->map. */
	a = mmap_at;
	for (i = 0; i < gm->map_count; i++) {
		struct mb1_mmap_entry e;
		if (!gm->map[i].len)
			continue;
		e.size = sizeof(e) - sizeof(e.size);
		e.base_addr = gm->map[i].base;
		e.length = gm->map[i].len;
		e.type = mmap_type(gm->map[i].type);
		if (guest_write(&ld, a, &e, sizeof(e)))
			return -1;
		a += sizeof(e);
	}

	/* 3.3: mem_lower is the RAM from 0 (at most 640 KiB), mem_upper the
	 * contiguous RAM from 1 MiB, both in KiB. */
	info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
		     MB1_INFO_MEM_MAP | MB1_INFO_LOADER;
	info.mem_lower = (uint32_t)usable_kib_from(gm, 0, 640 * KiB);
	upper = usable_kib_from(gm, MiB, UINT64_MAX);
	info.mem_upper = upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper;
	info.mods_count = nmods;
	info.mods_addr = (uint32_t)mods_at;
	info.mmap_length = nmmap * (uint32_t)sizeof(struct mb1_mmap_entry);
	info.mmap_addr = (uint32_t)mmap_at;
	if (guest_write(&ld, block, &info, sizeof(info)))
		return -1;

	/* 3.2: EAX = the magic, EBX = the info structure's address. */
	entry->eip = (uint32_t)k.entry;
	entry->eax = MB1_BOOTLOADER_MAGIC;
	entry->ebx = (uint32_t)block;
	return 0;
}
