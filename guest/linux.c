/*
 * guest/linux.c - load a Linux bzImage into a VM as an x86 boot loader does.
 * Follows Documentation/arch/x86/boot.rst, "The Linux/x86 Boot Protocol":
 * "THE REAL-MODE KERNEL HEADER" and "DETAILS OF HEADER FIELDS" (what the
 * image tells us, what we must write), "LOADING THE REST OF THE KERNEL"
 * (the protected-mode part starts at (setup_sects+1)*512 in the file),
 * "THE KERNEL COMMAND LINE", "32-bit BOOT PROTOCOL" and "64-bit BOOT
 * PROTOCOL" (the zero page built from zero with the setup header copied in,
 * and the entry state). Zero-page offsets are those of zero-page.rst.
 * Protocol 2.03 and later, as GRUB's `linux` command takes (before 2.03 a
 * kernel needs its real-mode setup code run; GRUB says "try linux16").
 *
 * What is refused: only what both GRUB's `linux` and QEMU's `-kernel` refuse
 * (no HdrS/boot flag, a header past the end of the file, a file shorter than
 * its setup sectors, a VM too small), plus a file shorter than syssize says,
 * each message naming the field and its value. The rest follows GRUB: a bad
 * kernel_alignment makes the kernel non-relocatable, code32_start is taken
 * as it is, a command line longer than cmdline_size is cut there, the setup
 * header is copied up to 0x290 whatever the jump at 0x200 says.
 *
 * Placement policy:
 *  - the zero page, the GDT, the identity page tables (64-bit entry only)
 *    and the command line go at fixed addresses in low RAM, between 0x1000
 *    and 0x9f000 (see LOW_* below); nothing else is put below 1 MiB.
 *  - the protected-mode kernel: a relocatable kernel's "runtime start" is
 *    align_up(max(load address, pref_address), kernel_alignment) (boot.rst,
 *    init_size), so we load it at the lowest kernel_alignment-aligned
 *    address >= max(pref_address, 1 MiB) where init_size bytes (or the
 *    file's protected-mode size, if larger) fit in usable RAM below 4 GiB:
 *    that is pref_address itself whenever it fits. Before 2.10 there is no
 *    pref_address or init_size: 1 MiB and the protected-mode size are used.
 *    A non-relocatable kernel is loaded at 0x100000 exactly, and the range
 *    from there up to pref_address + init_size (where it will run) must be
 *    usable.
 *  - the initrd: page aligned, as high as possible below min(initrd_addr_max
 *    + 1, 4 GiB) (even with XLF_CAN_BE_LOADED_ABOVE_4G), at or above 1 MiB,
 *    within one usable range of the map, clear of the kernel's range.
 *
 * Every field read from the image is checked against the image's length,
 * everything is validated and placed before the first byte is written, and
 * every write goes through gm->write / gm->zero after checking that the
 * destination lies in MEM_USABLE ranges of gm->map below 4 GiB.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/linux.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/errmsg.h"
#include "guest/ram_range.h"

#define SECTOR       512u

/* "THE REAL-MODE KERNEL HEADER": offsets in the image (and, from 0x1f1, in
 * the zero page, where the setup header is copied to the same offsets). */
#define HDR_START          0x1f1u  /* setup_sects: first header field */
#define HDR_SETUP_SECTS    0x1f1u
#define HDR_SYSSIZE        0x1f4u  /* 2.04+: 32 bits, in 16-byte units */
#define HDR_VID_MODE       0x1fau
#define HDR_BOOT_FLAG      0x1feu
#define HDR_JUMP           0x200u  /* byte 0x201: header length - 0x202 */
#define HDR_HEADER         0x202u  /* "HdrS" */
#define HDR_VERSION        0x206u
#define HDR_TYPE_OF_LOADER 0x210u
#define HDR_LOADFLAGS      0x211u
#define HDR_CODE32_START   0x214u
#define HDR_RAMDISK_IMAGE  0x218u
#define HDR_RAMDISK_SIZE   0x21cu
#define HDR_HEAP_END_PTR   0x224u
#define HDR_EXT_LOADER_VER 0x226u
#define HDR_EXT_LOADER_TYPE 0x227u
#define HDR_CMD_LINE_PTR   0x228u
#define HDR_INITRD_ADDR_MAX 0x22cu
#define HDR_KERNEL_ALIGN   0x230u
#define HDR_RELOCATABLE    0x234u
#define HDR_XLOADFLAGS     0x236u  /* 2.12+ */
#define HDR_CMDLINE_SIZE   0x238u  /* 2.06+ */
#define HDR_SETUP_DATA     0x250u  /* 2.09+ */
#define HDR_PREF_ADDRESS   0x258u  /* 2.10+ */
#define HDR_INIT_SIZE      0x260u  /* 2.10+ */

/* The header must reach at least the end of the last field we read. */
/* The end of the last field read, by protocol (fixed offsets, as GRUB and
 * QEMU read them, whatever the jump at 0x200 says). */
#define HDR_END_2_03       (HDR_INITRD_ADDR_MAX + 4)
#define HDR_END_2_05       (HDR_RELOCATABLE + 1)
#define HDR_END_2_06       (HDR_CMDLINE_SIZE + 4)
#define HDR_END_2_10       (HDR_INIT_SIZE + 4)

#define BOOT_FLAG          0xaa55u
#define HDRS_MAGIC         0x53726448u       /* "HdrS" */
#define PROTO_MIN          0x0203u           /* initrd_addr_max */
#define PROTO_RELOCATABLE  0x0205u           /* kernel_alignment, relocatable */
#define PROTO_CMDLINE_SIZE 0x0206u
#define CMDLINE_SIZE_OLD   255u              /* before 2.06 */
#define PROTO_PREF_INIT    0x020au           /* pref_address, init_size */
#define PROTO_XLOADFLAGS   0x020cu

/* loadflags */
#define LF_LOADED_HIGH     0x01u
#define LF_CAN_USE_HEAP    0x80u
/* xloadflags */
#define XLF_KERNEL_64      0x0001u

#define TYPE_OF_LOADER_UNDEFINED 0xffu        /* "no assigned id" */
#define VID_MODE_NORMAL    0xffffu
/* "SAMPLE BOOT CONFIGURATION": heap_end = 0xe000, heap_end_ptr = heap_end
 * - 0x200. Only the real-mode setup code (which we skip) uses the heap. */
#define HEAP_END_PTR       0xde00u
#define BZIMAGE_ADDR       0x100000ull        /* code32_start's default */

/* zero-page.rst */
#define ZP_SIZE            4096u
#define ZP_ACPI_RSDP_ADDR  0x070u
#define ZP_EXT_RAMDISK_IMAGE 0x0c0u
#define ZP_EXT_RAMDISK_SIZE  0x0c4u
#define ZP_EXT_CMD_LINE_PTR  0x0c8u
#define ZP_E820_ENTRIES    0x1e8u
#define ZP_HDR_LIMIT       0x290u  /* edd_mbr_sig_buffer: header ends here */
#define ZP_E820_TABLE      0x2d0u
#define ZP_E820_MAX        128u
#define E820_ENTRY_SIZE    20u

/* The fixed low-memory layout. */
#define LOW_ZERO_PAGE      0x1000ull
#define LOW_GDT            0x2000ull
#define LOW_PML4           0x3000ull
#define LOW_PDPT           0x4000ull
#define LOW_PD             0x5000ull          /* 4 pages: 0-4 GiB */
#define LOW_PD_COUNT       4u
#define LOW_CMDLINE        0x9000ull
#define LOW_END            0x9f000ull
#define LOW_CMDLINE_MAX    (LOW_END - LOW_CMDLINE) /* NUL included */
#define MIN_HIGH           0x100000ull        /* kernel, initrd: >= 1 MiB */

/* GDT descriptors (flat, base 0, limit 4 GiB, accessed bit set). */
#define GDT_CODE64         0x00af9b000000ffffull   /* L=1, D=0 */
#define GDT_CODE32         0x00cf9b000000ffffull   /* D=1 */
#define GDT_DATA           0x00cf93000000ffffull
#define GDT_ENTRIES        4u

#define PTE_P              0x001ull
#define PTE_RW             0x002ull
#define PTE_PS             0x080ull

/* ------------------------------------------------------------------------ */

struct ld {
	const struct guest_mem *gm;
	char *err;
	size_t errlen;
};

#define fail(ld, ...) errmsg((ld)->err, (ld)->errlen, __VA_ARGS__)

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* Whole MiB, rounded up, for messages. */
static unsigned long long mib_up(uint64_t v)
{
	return ull(v / MiB + (v % MiB != 0));
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
	/* callers keep v < 2^33 and align <= 1 GiB: no overflow */
	return (v + align - 1) & ~(align - 1);
}

/* ---- the guest's memory map ---------------------------------------------- */

/* Is [base, base+len) entirely usable RAM below 4 GiB? */
static bool usable(const struct guest_mem *gm, uint64_t base, uint64_t len)
{
	return ram_range_check(gm, base, len, NULL) == RAM_RANGE_OK;
}

/* The end of usable RAM below 4 GiB, for messages. */
static uint64_t ram_top_4g(const struct guest_mem *gm)
{
	uint64_t top = 0, end;
	unsigned i;

	for (i = 0; i < gm->map_count; i++) {
		if (gm->map[i].type != MEM_USABLE ||
		    gm->map[i].base >= FOUR_GIB)
			continue;
		end = mem_range_end(&gm->map[i]);
		if (end > FOUR_GIB)
			end = FOUR_GIB;
		if (end > top)
			top = end;
	}
	return top;
}

/* ---- the image ---------------------------------------------------------- */

struct bzimage {
	const uint8_t *img;
	size_t len;
	unsigned version;
	size_t setup_size;       /* (setup_sects + 1) * 512 */
	size_t hdr_end;          /* 0x202 + img[0x201] */
	uint64_t pm_size;        /* the protected-mode part: file - setup */
	uint8_t loadflags;
	uint32_t code32_start;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	bool relocatable;
	uint16_t xloadflags;     /* 0 before 2.12 */
	uint32_t cmdline_size;
	uint64_t pref_address;   /* 1 MiB before 2.10 */
	uint64_t init_size;      /* before 2.10: pm_size; never < pm_size */
	bool entry64;
};

/* The checks linux_probe makes too; *why set on failure. */
static bool check_signature(const uint8_t *img, size_t len, const char **why)
{
	if (!img || len < HDR_VERSION + 2) {
		*why = "truncated";
		return false;
	}
	if (rd32(img + HDR_HEADER) != HDRS_MAGIC) {
		*why = "hdrs";
		return false;
	}
	if (rd16(img + HDR_BOOT_FLAG) != BOOT_FLAG) {
		*why = "flag";
		return false;
	}
	return true;
}

bool linux_probe(const void *image, size_t len)
{
	const uint8_t *img = image;
	const char *why;

	if (!check_signature(img, len, &why))
		return false;
	if (rd16(img + HDR_VERSION) < PROTO_MIN ||
	    len <= HDR_LOADFLAGS)
		return false;
	return (img[HDR_LOADFLAGS] & LF_LOADED_HIGH) != 0;
}

/* The end of the header fields protocol version v has (and we read). */
static unsigned header_fields_end(unsigned v)
{
	if (v >= PROTO_PREF_INIT)
		return HDR_END_2_10;
	if (v >= PROTO_CMDLINE_SIZE)
		return HDR_END_2_06;
	if (v >= PROTO_RELOCATABLE)
		return HDR_END_2_05;
	return HDR_END_2_03;
}

static int parse_image(struct ld *ld, const void *image, size_t len,
		       struct bzimage *bz)
{
	const uint8_t *img = image;
	const char *why = "";
	unsigned sects, need_end;
	uint32_t syssize;

	memset(bz, 0, sizeof(*bz));
	bz->img = img;
	bz->len = len;
	if (!check_signature(img, len, &why)) {
		if (!img)
			return fail(ld, "no kernel image");
		if (why[0] == 't')
			return fail(ld, "bzImage truncated: %zu bytes, too short "
				    "for the setup header (ends past 0x%x)",
				    len, HDR_VERSION + 2);
		if (why[0] == 'h')
			return fail(ld, "not a bzImage: header 0x%x at 0x%x, "
				    "not \"HdrS\" (0x%x)", rd32(img + HDR_HEADER),
				    HDR_HEADER, HDRS_MAGIC);
		return fail(ld, "not a bzImage: boot_flag 0x%x at 0x%x, not "
			    "0xAA55", rd16(img + HDR_BOOT_FLAG), HDR_BOOT_FLAG);
	}
	bz->version = rd16(img + HDR_VERSION);
	if (bz->version < PROTO_MIN)
		return fail(ld, "Linux boot protocol (version) %u.%02u is too old "
			    "for a 32-bit entry: yakvm, like GRUB's linux, needs "
			    "2.03 or later", bz->version >> 8, bz->version & 0xff);

	/* "THE REAL-MODE KERNEL HEADER": setup_sects 0 means 4. */
	sects = img[HDR_SETUP_SECTS];
	if (sects == 0)
		sects = 4;
	bz->setup_size = (size_t)(sects + 1) * SECTOR;
	if (bz->setup_size > len)
		return fail(ld, "bzImage truncated: %zu bytes, but its setup_sects "
			    "%u end at 0x%zx", len, sects, bz->setup_size);
	bz->pm_size = len - bz->setup_size;

	need_end = header_fields_end(bz->version);
	if (need_end > bz->setup_size)
		return fail(ld, "corrupt bzImage: protocol (version) %u.%02u has "
			    "header fields up to 0x%x, past its setup_sects %u "
			    "(0x%zx bytes)", bz->version >> 8,
			    bz->version & 0xff, need_end, sects, bz->setup_size);
	/* The header runs from 0x1f1 to the target of the jump at 0x200;
	 * we copy at least the fields we read, at most up to 0x290 (GRUB
	 * refuses a longer one, QEMU copies the whole setup). */
	bz->hdr_end = HDR_HEADER + (size_t)img[HDR_JUMP + 1];
	if (bz->hdr_end < need_end)
		bz->hdr_end = need_end;
	if (bz->hdr_end > ZP_HDR_LIMIT)
		bz->hdr_end = ZP_HDR_LIMIT;

	/* "DETAILS OF HEADER FIELDS": syssize (2.04+: 32 bits) is the
	 * protected-mode size in 16-byte paragraphs, rounded up, so the last
	 * one may be partial; 0 tells us nothing. */
	syssize = bz->version >= 0x0204 ? rd32(img + HDR_SYSSIZE) :
		  rd16(img + HDR_SYSSIZE);
	if (syssize && (uint64_t)(syssize - 1) * 16 >= bz->pm_size)
		return fail(ld, "bzImage truncated: %zu bytes, its protected-mode "
			    "kernel has %llu bytes, its header says syssize %u "
			    "paragraphs (more than %llu bytes)", len,
			    ull(bz->pm_size), syssize,
			    ull((uint64_t)(syssize - 1) * 16));

	bz->loadflags = img[HDR_LOADFLAGS];
	if (!(bz->loadflags & LF_LOADED_HIGH))
		return fail(ld, "not a bzImage: loadflags 0x%x has LOADED_HIGH "
			    "clear (a zImage, loaded at 0x10000 and entered in "
			    "real mode, is not supported)", bz->loadflags);

	bz->code32_start = rd32(img + HDR_CODE32_START);
	bz->initrd_addr_max = rd32(img + HDR_INITRD_ADDR_MAX);
	if (bz->version >= PROTO_RELOCATABLE) {
		bz->kernel_alignment = rd32(img + HDR_KERNEL_ALIGN);
		/* GRUB: an alignment that is not a power of two makes the
		 * kernel non-relocatable, loaded at 1 MiB. */
		bz->relocatable = img[HDR_RELOCATABLE] != 0 &&
			bz->kernel_alignment != 0 &&
			!(bz->kernel_alignment & (bz->kernel_alignment - 1)) &&
			bz->kernel_alignment <= 1024 * MiB;
	}
	bz->cmdline_size = bz->version >= PROTO_CMDLINE_SIZE ?
			   rd32(img + HDR_CMDLINE_SIZE) : CMDLINE_SIZE_OLD;
	if (bz->version >= PROTO_XLOADFLAGS)
		bz->xloadflags = rd16(img + HDR_XLOADFLAGS);
	if (bz->version >= PROTO_PREF_INIT) {
		bz->pref_address = rd64(img + HDR_PREF_ADDRESS);
		bz->init_size = rd32(img + HDR_INIT_SIZE);
	} else {
		bz->pref_address = BZIMAGE_ADDR;
	}
	if (bz->init_size < bz->pm_size)
		bz->init_size = bz->pm_size;

	/* "64-bit BOOT PROTOCOL": XLF_KERNEL_64 says there is an entry at
	 * load address + 0x200; else we use the 32-bit one. */
	bz->entry64 = bz->version >= PROTO_XLOADFLAGS &&
		      (bz->xloadflags & XLF_KERNEL_64);
	return 0;
}

/* ---- placement ---------------------------------------------------------- */

struct plan {
	uint64_t load;               /* protected-mode kernel */
	uint64_t kstart, kend;       /* all the kernel may use at first */
	uint64_t initrd, initrd_len; /* 0, 0 if none */
	size_t cmdline_len;          /* with its NUL */
	uint64_t entry32;            /* code32_start, relocated */
	const struct mem_range *e820;
	unsigned e820_count;
	uint64_t low_end;            /* end of the low-memory data */
};

static int place_kernel(struct ld *ld, const struct bzimage *bz,
			struct plan *pl)
{
	const struct guest_mem *gm = ld->gm;
	uint64_t need = bz->init_size, floor, align, best = UINT64_MAX;
	unsigned i;

	if (!bz->relocatable) {
		/* Loaded at 1 MiB; it runs (decompresses itself) at
		 * pref_address (2.10+), which must be usable too. */
		uint64_t run = bz->pref_address, end;

		/* GRUB takes only 1 MiB + init_size; a pref_address it
		 * could not run at counts for nothing. */
		if (run < MIN_HIGH || run >= FOUR_GIB)
			run = BZIMAGE_ADDR;
		pl->load = BZIMAGE_ADDR;
		pl->kstart = run < BZIMAGE_ADDR ? run : BZIMAGE_ADDR;
		end = BZIMAGE_ADDR + bz->pm_size;
		if (run < FOUR_GIB && run + need > end)
			end = run + need;
		pl->kend = end;
		if (run >= FOUR_GIB ||
		    !usable(gm, pl->kstart, pl->kend - pl->kstart))
			return fail(ld, "VM memory too small for this kernel: "
				    "it needs %llu MiB from its load address "
				    "0x%llx (init_size %llu MiB, not "
				    "relocatable, runs at 0x%llx), but usable "
				    "RAM below 4 GiB ends at %llu MiB",
				    mib_up(run >= FOUR_GIB ? need : end -
					   BZIMAGE_ADDR),
				    ull(BZIMAGE_ADDR), mib_up(need), ull(run),
				    ull(ram_top_4g(gm) / MiB));
		return 0;
	}

	/* Relocatable: runtime start = align_up(max(load, pref_address),
	 * kernel_alignment), so load there. */
	align = bz->kernel_alignment < GUEST_PAGE_SIZE ? GUEST_PAGE_SIZE :
		bz->kernel_alignment;
	floor = bz->pref_address < MIN_HIGH ? MIN_HIGH : bz->pref_address;
	if (floor < FOUR_GIB && need < FOUR_GIB) {
		floor = align_up(floor, align);
		for (i = 0; i < gm->map_count; i++) {
			const struct mem_range *r = &gm->map[i];
			uint64_t cand;

			if (r->type != MEM_USABLE || r->base >= FOUR_GIB ||
			    mem_range_end(r) <= floor)
				continue;
			cand = align_up(r->base > floor ? r->base : floor,
					align);
			if (cand < best && usable(gm, cand, need))
				best = cand;
		}
	}
	if (best == UINT64_MAX)
		return fail(ld, "VM memory too small for this kernel: it needs "
			    "%llu MiB (init_size) from its load address, which "
			    "must be at or above 0x%llx and aligned to 0x%llx, "
			    "but usable RAM below 4 GiB ends at %llu MiB",
			    mib_up(need), ull(floor), ull(align),
			    ull(ram_top_4g(gm) / MiB));
	pl->load = best;
	pl->kstart = best;
	pl->kend = best + need;
	return 0;
}

/* The highest page-aligned base in [lo, hi) for len bytes, or 0. */
static uint64_t top_fit(uint64_t lo, uint64_t hi, uint64_t len)
{
	uint64_t base;

	if (hi <= lo || hi - lo < len)
		return 0;
	base = (hi - len) & ~(GUEST_PAGE_SIZE - 1);
	return base >= lo ? base : 0;
}

static int place_initrd(struct ld *ld, const struct bzimage *bz,
			const struct linux_params *p, struct plan *pl)
{
	const struct guest_mem *gm = ld->gm;
	uint64_t limit = (uint64_t)bz->initrd_addr_max + 1, len, best = 0;
	unsigned i;

	if (!p->initrd || p->initrd_len == 0)
		return 0;
	len = p->initrd_len;
	if (limit > FOUR_GIB)
		limit = FOUR_GIB;
	for (i = 0; i < gm->map_count; i++) {
		const struct mem_range *r = &gm->map[i];
		uint64_t lo = r->base, hi = mem_range_end(r), c;

		if (r->type != MEM_USABLE)
			continue;
		if (lo < MIN_HIGH)
			lo = MIN_HIGH;
		if (hi > limit)
			hi = limit;
		if (hi <= lo)
			continue;
		/* below the kernel, then above it */
		c = top_fit(lo, hi < pl->kstart ? hi : pl->kstart, len);
		if (c > best && usable(gm, c, len))
			best = c;
		c = top_fit(lo > pl->kend ? lo : pl->kend, hi, len);
		if (c > best && usable(gm, c, len))
			best = c;
	}
	if (best == 0)
		return fail(ld, "initrd of %llu MiB (%llu bytes) does not fit "
			    "below 0x%llx (initrd_addr_max 0x%x, usable RAM "
			    "below 4 GiB ends at %llu MiB; the kernel takes "
			    "0x%llx-0x%llx)", mib_up(len), ull(len), ull(limit),
			    bz->initrd_addr_max, ull(ram_top_4g(gm) / MiB),
			    ull(pl->kstart), ull(pl->kend));
	pl->initrd = best;
	pl->initrd_len = len;
	return 0;
}

static int plan_load(struct ld *ld, const struct bzimage *bz,
		     const struct linux_params *p, struct plan *pl)
{
	size_t clen;

	memset(pl, 0, sizeof(*pl));

	/* "THE KERNEL COMMAND LINE": at most cmdline_size bytes, without the
	 * terminating NUL; a longer one is cut there (GRUB cuts it too, and
	 * the kernel would read no further). */
	clen = strnlen(p->cmdline, LOW_CMDLINE_MAX - 1);
	if (clen > bz->cmdline_size)
		clen = bz->cmdline_size;
	pl->cmdline_len = clen + 1;
	pl->low_end = LOW_CMDLINE + pl->cmdline_len;
	if (!usable(ld->gm, LOW_ZERO_PAGE, pl->low_end - LOW_ZERO_PAGE))
		return fail(ld, "no usable RAM at 0x%llx-0x%llx for the zero "
			    "page, GDT, page tables and command line",
			    ull(LOW_ZERO_PAGE), ull(pl->low_end));

	pl->e820 = p->e820;
	pl->e820_count = p->e820_count;
	if (pl->e820_count == 0) {
		pl->e820 = ld->gm->map;
		pl->e820_count = ld->gm->map_count;
	}
	if (pl->e820_count > ZP_E820_MAX)
		return fail(ld, "memory map has %u entries, the zero page holds "
			    "at most %u", pl->e820_count, ZP_E820_MAX);
	if (pl->e820_count && !pl->e820)
		return fail(ld, "no memory map");

	if (place_kernel(ld, bz, pl) || place_initrd(ld, bz, p, pl))
		return -1;
	/* code32_start is relative to the default load address, in 32 bits
	 * (GRUB does the same, whatever its value). */
	pl->entry32 = (uint32_t)(pl->load + bz->code32_start - BZIMAGE_ADDR);
	return 0;
}

/* ---- writing ------------------------------------------------------------- */

static int gwrite(struct ld *ld, uint64_t gpa, const void *src, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!usable(ld->gm, gpa, len))
		return fail(ld, "internal error: 0x%llx-0x%llx is not usable RAM",
			    ull(gpa), ull(gpa + len));
	if (ld->gm->write(ld->gm->ctx, gpa, src, (size_t)len))
		return fail(ld, "writing guest memory at 0x%llx-0x%llx failed",
			    ull(gpa), ull(gpa + len));
	return 0;
}

static int gzero(struct ld *ld, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!usable(ld->gm, gpa, len))
		return fail(ld, "internal error: 0x%llx-0x%llx is not usable RAM",
			    ull(gpa), ull(gpa + len));
	if (ld->gm->zero(ld->gm->ctx, gpa, (size_t)len))
		return fail(ld, "zeroing guest memory at 0x%llx-0x%llx failed",
			    ull(gpa), ull(gpa + len));
	return 0;
}

/* The zero page: zeroed, then its first 0x290 bytes (everything up to and
 * including the setup header) built here and written at once, then the
 * e820 table. */
static int write_zero_page(struct ld *ld, const struct bzimage *bz,
			   const struct linux_params *p, const struct plan *pl)
{
	uint8_t zp[ZP_HDR_LIMIT];
	uint8_t ent[E820_ENTRY_SIZE];
	uint64_t cmd = LOW_CMDLINE;
	unsigned i;

	memset(zp, 0, sizeof(zp));
	/* "64-bit BOOT PROTOCOL": copy only the setup header. */
	memcpy(zp + HDR_START, bz->img + HDR_START, bz->hdr_end - HDR_START);

	wr16(zp + HDR_VID_MODE, VID_MODE_NORMAL);
	zp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	zp[HDR_LOADFLAGS] = (uint8_t)(bz->loadflags | LF_CAN_USE_HEAP);
	wr16(zp + HDR_HEAP_END_PTR, HEAP_END_PTR);
	zp[HDR_EXT_LOADER_VER] = 0;
	zp[HDR_EXT_LOADER_TYPE] = 0;
	wr32(zp + HDR_CODE32_START, (uint32_t)pl->entry32);
	wr32(zp + HDR_CMD_LINE_PTR, (uint32_t)cmd);
	wr32(zp + ZP_EXT_CMD_LINE_PTR, (uint32_t)(cmd >> 32));
	wr32(zp + HDR_RAMDISK_IMAGE, (uint32_t)pl->initrd);
	wr32(zp + HDR_RAMDISK_SIZE, (uint32_t)pl->initrd_len);
	wr32(zp + ZP_EXT_RAMDISK_IMAGE, (uint32_t)(pl->initrd >> 32));
	wr32(zp + ZP_EXT_RAMDISK_SIZE, (uint32_t)(pl->initrd_len >> 32));
	/* We pass no setup_data list, whatever the image says. */
	wr64(zp + HDR_SETUP_DATA, 0);
	/* Protocol 2.14's setup-header field was withdrawn ("DO NOT USE");
	 * the RSDP address lives in the zero page (zero-page.rst 0x070). */
	wr64(zp + ZP_ACPI_RSDP_ADDR, p->acpi_rsdp);
	zp[ZP_E820_ENTRIES] = (uint8_t)pl->e820_count;

	if (gzero(ld, LOW_ZERO_PAGE, ZP_SIZE) ||
	    gwrite(ld, LOW_ZERO_PAGE, zp, sizeof(zp)))
		return -1;
	for (i = 0; i < pl->e820_count; i++) {
		wr64(ent, pl->e820[i].base);
		wr64(ent + 8, pl->e820[i].len);
		wr32(ent + 16, pl->e820[i].type);
		if (gwrite(ld, LOW_ZERO_PAGE + ZP_E820_TABLE +
			   (uint64_t)i * E820_ENTRY_SIZE, ent, sizeof(ent)))
			return -1;
	}
	return 0;
}

static int write_gdt(struct ld *ld, bool entry64)
{
	uint8_t gdt[GDT_ENTRIES * 8];

	memset(gdt, 0, sizeof(gdt));
	wr64(gdt + LINUX_BOOT_CS, entry64 ? GDT_CODE64 : GDT_CODE32);
	wr64(gdt + LINUX_BOOT_DS, GDT_DATA);
	return gwrite(ld, LOW_GDT, gdt, sizeof(gdt));
}

/* 4-level identity map of 0-4 GiB with 2 MiB pages, present + writable. */
static int write_page_tables(struct ld *ld)
{
	uint8_t buf[64 * 8];
	uint64_t addr = 0, gpa;
	unsigned i, j;

	if (gzero(ld, LOW_PML4, 2 * GUEST_PAGE_SIZE))
		return -1;
	wr64(buf, LOW_PDPT | PTE_P | PTE_RW);
	if (gwrite(ld, LOW_PML4, buf, 8))
		return -1;
	for (i = 0; i < LOW_PD_COUNT; i++)
		wr64(buf + i * 8, (LOW_PD + i * GUEST_PAGE_SIZE) | PTE_P | PTE_RW);
	if (gwrite(ld, LOW_PDPT, buf, LOW_PD_COUNT * 8))
		return -1;
	for (gpa = LOW_PD; gpa < LOW_PD + LOW_PD_COUNT * GUEST_PAGE_SIZE;
	     gpa += sizeof(buf)) {
		for (j = 0; j < 64; j++, addr += 2 * MiB)
			wr64(buf + j * 8, addr | PTE_P | PTE_RW | PTE_PS);
		if (gwrite(ld, gpa, buf, sizeof(buf)))
			return -1;
	}
	return 0;
}

int linux_load(const struct guest_mem *gm, const struct linux_params *p,
	       struct linux_entry *e, char *err, size_t errlen)
{
	struct ld ld = { gm, err, errlen };
	struct bzimage bz;
	struct plan pl;

	if (err && errlen)
		err[0] = '\0';
	if (!gm || !p || !e || !gm->write || !gm->zero ||
	    (gm->map_count && !gm->map))
		return fail(&ld, "bad arguments");
	if (!p->cmdline)
		return fail(&ld, "no command line");
	if (p->initrd_len && !p->initrd)
		return fail(&ld, "initrd of %zu bytes but no data",
			    p->initrd_len);
	if (parse_image(&ld, p->kernel, p->kernel_len, &bz) ||
	    plan_load(&ld, &bz, p, &pl))
		return -1;

	/* Everything checked: write. */
	if (write_zero_page(&ld, &bz, p, &pl) ||
	    gwrite(&ld, LOW_CMDLINE, p->cmdline, pl.cmdline_len - 1) ||
	    gzero(&ld, LOW_CMDLINE + pl.cmdline_len - 1, 1) ||
	    write_gdt(&ld, bz.entry64) ||
	    (bz.entry64 && write_page_tables(&ld)) ||
	    gwrite(&ld, pl.load, bz.img + bz.setup_size, bz.pm_size) ||
	    (pl.initrd_len && gwrite(&ld, pl.initrd, p->initrd, pl.initrd_len)))
		return -1;

	memset(e, 0, sizeof(*e));
	e->entry64 = bz.entry64;
	e->rip = bz.entry64 ? pl.load + 0x200 : pl.entry32;
	e->rsi = LOW_ZERO_PAGE;
	e->cr3 = bz.entry64 ? LOW_PML4 : 0;
	e->gdt_base = LOW_GDT;
	e->gdt_limit = GDT_ENTRIES * 8 - 1;
	e->stack = 0;
	e->load_addr = pl.load;
	e->initrd_addr = pl.initrd;
	return 0;
}
