/*
 * tests/unit/test_multiboot1.c - unit tests for guest/multiboot1.c, the
 * Multiboot1 guest loader (Multiboot Specification 0.6.96, sections 3.1-3.3).
 *
 * The images (ELF32, ELF64, a.out kludge) are built in memory and loaded
 * into a fake guest: a calloc'd buffer with a PC-like memory map. The fake
 * write/zero callbacks fail the test on any write outside usable RAM. The
 * boot information is read back by the offsets the spec gives, not through
 * the loader's own structures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/unit/fake_guest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/elf.h"
#include "guest/multiboot1.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)

/* ---- the fake guest ------------------------------------------------------ */

/* size bytes of RAM with the usual PC map. */
static struct fake *fake_new(uint64_t size)
{
	struct fake *f = fake_new_empty(size);

	fake_add(f, 0, 0x9fc00, MEM_USABLE);
	fake_add(f, 0x9fc00, 0x400, MEM_RESERVED);
	fake_add(f, 0xf0000, 0x10000, MEM_RESERVED);
	fake_add(f, 0x100000, size - 0x100000, MEM_USABLE);
	return f;
}


static uint32_t g32(const struct fake *f, uint64_t gpa)
{
	uint32_t v;

	assert_true(gpa + 4 <= f->size);
	memcpy(&v, f->ram + gpa, 4);
	return v;
}

static uint64_t g64(const struct fake *f, uint64_t gpa)
{
	uint64_t v;

	assert_true(gpa + 8 <= f->size);
	memcpy(&v, f->ram + gpa, 8);
	return v;
}

static const char *gstr(const struct fake *f, uint64_t gpa)
{
	assert_true(gpa < f->size);
	assert_non_null(memchr(f->ram + gpa, 0, f->size - gpa));
	return (const char *)f->ram + gpa;
}

static bool all_bytes(const struct fake *f, uint64_t gpa, uint64_t len,
		      uint8_t v)
{
	for (uint64_t i = 0; i < len; i++)
		if (f->ram[gpa + i] != v)
			return false;
	return true;
}

/* ---- image builders ------------------------------------------------------ */

struct image {
	uint8_t *buf;
	size_t len;
};

static struct image img_new(size_t len)
{
	struct image im = { calloc(1, len), len };

	assert_non_null(im.buf);
	return im;
}

static void p32(struct image *im, size_t off, uint32_t v)
{
	assert_true(off + 4 <= im->len);
	memcpy(im->buf + off, &v, 4);
}

/* A deterministic, position-dependent pattern for segment contents. */
static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)((i * 131 + seed * 17 + (i >> 8)) | 1);
}

static void fill(struct image *im, size_t off, size_t len, unsigned seed)
{
	assert_true(off + len <= im->len);
	for (size_t i = 0; i < len; i++)
		im->buf[off + i] = pat(i, seed);
}

static bool guest_has_pattern(const struct fake *f, uint64_t gpa, size_t len,
			      unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (f->ram[gpa + i] != pat(i, seed))
			return false;
	return true;
}

/* A 3.1.1 header at off: magic, flags, checksum (+ the a.out fields). */
static void mb_header(struct image *im, size_t off, uint32_t flags)
{
	p32(im, off, MB1_HEADER_MAGIC);
	p32(im, off + 4, flags);
	p32(im, off + 8, -(MB1_HEADER_MAGIC + flags));
}

static void mb_aout(struct image *im, size_t off, uint32_t header_addr,
		    uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
		    uint32_t entry)
{
	p32(im, off + 12, header_addr);
	p32(im, off + 16, load_addr);
	p32(im, off + 20, load_end);
	p32(im, off + 24, bss_end);
	p32(im, off + 28, entry);
}

struct seg {
	uint32_t type;
	uint64_t off, vaddr, paddr, filesz, memsz;
};

/* Writes an ELF header and program headers (right after it). */
static void elf_headers(struct image *im, bool is64, uint16_t machine,
			uint64_t entry, const struct seg *s, unsigned n)
{
	uint8_t *b = im->buf;

	if (is64) {
		struct elf64_ehdr eh = { 0 };
		assert_true(sizeof(eh) + n * sizeof(struct elf64_phdr) <= im->len);
		memcpy(eh.e_ident, "\x7f" "ELF", 4);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		eh.e_ident[EI_VERSION] = EV_CURRENT;
		eh.e_type = ET_EXEC;
		eh.e_machine = machine;
		eh.e_version = 1;
		eh.e_entry = entry;
		eh.e_phoff = sizeof(eh);
		eh.e_ehsize = sizeof(eh);
		eh.e_phentsize = sizeof(struct elf64_phdr);
		eh.e_phnum = n;
		memcpy(b, &eh, sizeof(eh));
		for (unsigned i = 0; i < n; i++) {
			struct elf64_phdr ph = {
				.p_type = s[i].type, .p_flags = 7,
				.p_offset = s[i].off, .p_vaddr = s[i].vaddr,
				.p_paddr = s[i].paddr, .p_filesz = s[i].filesz,
				.p_memsz = s[i].memsz, .p_align = 0x1000,
			};
			memcpy(b + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
		}
	} else {
		struct elf32_ehdr eh = { 0 };
		assert_true(sizeof(eh) + n * sizeof(struct elf32_phdr) <= im->len);
		memcpy(eh.e_ident, "\x7f" "ELF", 4);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		eh.e_ident[EI_VERSION] = EV_CURRENT;
		eh.e_type = ET_EXEC;
		eh.e_machine = machine;
		eh.e_version = 1;
		eh.e_entry = (uint32_t)entry;
		eh.e_phoff = sizeof(eh);
		eh.e_ehsize = sizeof(eh);
		eh.e_phentsize = sizeof(struct elf32_phdr);
		eh.e_phnum = n;
		memcpy(b, &eh, sizeof(eh));
		for (unsigned i = 0; i < n; i++) {
			struct elf32_phdr ph = {
				.p_type = s[i].type,
				.p_offset = (uint32_t)s[i].off,
				.p_vaddr = (uint32_t)s[i].vaddr,
				.p_paddr = (uint32_t)s[i].paddr,
				.p_filesz = (uint32_t)s[i].filesz,
				.p_memsz = (uint32_t)s[i].memsz,
				.p_flags = 7, .p_align = 0x1000,
			};
			memcpy(b + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
		}
	}
}

/* Offsets of the standard ELF32 test kernel. */
#define E32_EHDR_PHOFF  52
#define E32_TEXT_OFF    0x1000
#define E32_TEXT_LEN    0x300
#define E32_TEXT_ADDR   0x100000
#define E32_DATA_OFF    0x1300
#define E32_DATA_LEN    0x120
#define E32_DATA_ADDR   0x102000
#define E32_DATA_MEM    0x1800     /* 0x6e0 bytes of bss */
#define E32_ENTRY       0x100040

/*
 * The standard ELF32 kernel: a PT_NOTE-like non-load header first (ignored),
 * text at 1 MiB with the Multiboot header at its start, data+bss at
 * 0x102000. Total file 0x1420 bytes.
 */
static struct image elf32_kernel(uint32_t mbflags)
{
	struct image im = img_new(E32_DATA_OFF + E32_DATA_LEN);
	struct seg s[3] = {
		{ 4, 0x800, 0, 0, 0x10, 0x10 },
		{ PT_LOAD, E32_TEXT_OFF, E32_TEXT_ADDR, E32_TEXT_ADDR,
		  E32_TEXT_LEN, E32_TEXT_LEN },
		{ PT_LOAD, E32_DATA_OFF, E32_DATA_ADDR, E32_DATA_ADDR,
		  E32_DATA_LEN, E32_DATA_MEM },
	};

	fill(&im, E32_TEXT_OFF, E32_TEXT_LEN, 1);
	fill(&im, E32_DATA_OFF, E32_DATA_LEN, 2);
	mb_header(&im, E32_TEXT_OFF, mbflags);
	elf_headers(&im, false, EM_386, E32_ENTRY, s, 3);
	return im;
}

static void img_free(struct image *im)
{
	free(im->buf);
	im->buf = NULL;
}

/* ---- reading back the boot information (3.3 offsets) ------------------- */

enum {
	I_FLAGS = 0, I_MEM_LOWER = 4, I_MEM_UPPER = 8, I_BOOT_DEVICE = 12,
	I_CMDLINE = 16, I_MODS_COUNT = 20, I_MODS_ADDR = 24, I_SYMS = 28,
	I_MMAP_LENGTH = 44, I_MMAP_ADDR = 48, I_DRIVES_LENGTH = 52,
	I_DRIVES_ADDR = 56, I_CONFIG = 60, I_LOADER = 64, I_APM = 68,
	I_VBE = 72, I_FB = 88, I_END = 116,
};

#define INFO_FLAGS_EXPECTED ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | \
			     (1u << 9))

/* Checks the parts of the info block every load must get right. */
static void check_info_common(const struct fake *f, const struct mb1_entry *e,
			      const char *cmdline)
{
	uint64_t ib = e->ebx;

	assert_int_equal(e->eax, 0x2BADB002u);
	assert_true(ib + I_END <= f->size);
	assert_int_equal(g32(f, ib + I_FLAGS), INFO_FLAGS_EXPECTED);
	/* Fields whose flag bits are clear are zero. */
	assert_int_equal(g32(f, ib + I_BOOT_DEVICE), 0);
	for (unsigned o = I_SYMS; o < I_MMAP_LENGTH; o += 4)
		assert_int_equal(g32(f, ib + o), 0);
	for (unsigned o = I_DRIVES_LENGTH; o < I_LOADER; o += 4)
		assert_int_equal(g32(f, ib + o), 0);
	assert_true(all_bytes(f, ib + I_APM, I_END - I_APM, 0));

	assert_string_equal(gstr(f, g32(f, ib + I_CMDLINE)), cmdline);
	assert_string_equal(gstr(f, g32(f, ib + I_LOADER)), "yakvm");

	/* The memory map: entries of size 20, as in gm->map. */
	uint32_t mlen = g32(f, ib + I_MMAP_LENGTH);
	uint32_t maddr = g32(f, ib + I_MMAP_ADDR);
	unsigned n = 0;
	for (unsigned i = 0; i < f->map_count; i++)
		n += f->map[i].len != 0;
	assert_int_equal(mlen, n * 24);
	uint64_t a = maddr;
	for (unsigned i = 0; i < f->map_count; i++) {
		if (!f->map[i].len)
			continue;
		uint32_t t = f->map[i].type;
		assert_int_equal(g32(f, a), 20);
		assert_int_equal(g64(f, a + 4), f->map[i].base);
		assert_int_equal(g64(f, a + 12), f->map[i].len);
		assert_int_equal(g32(f, a + 20), t >= 1 && t <= 5 ? t : 2);
		a += 24;
	}
}

/* [a, a+al) and [b, b+bl) are disjoint. */
static bool disjoint(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a + al <= b || b + bl <= a;
}

/* ---- tests: probe -------------------------------------------------------- */

static void test_probe(void **state)
{
	struct image im = img_new(16384);

	assert_false(mb1_probe(im.buf, im.len));
	assert_false(mb1_probe(NULL, 0));
	mb_header(&im, 0, 0);
	assert_true(mb1_probe(im.buf, im.len));
	assert_true(mb1_probe(im.buf, 12));
	assert_false(mb1_probe(im.buf, 11));           /* truncated header */
	p32(&im, 8, 0);                                 /* bad checksum */
	assert_false(mb1_probe(im.buf, im.len));
	memset(im.buf, 0, im.len);

	/* 4-byte aligned only. */
	mb_header(&im, 0x102, 0);
	assert_false(mb1_probe(im.buf, im.len));
	memset(im.buf, 0, im.len);

	/* Entirely within the first 8192 bytes. */
	mb_header(&im, 8192 - 12, 3);
	assert_true(mb1_probe(im.buf, im.len));
	memset(im.buf, 0, im.len);
	mb_header(&im, 8192 - 8, 3);
	assert_false(mb1_probe(im.buf, im.len));
	memset(im.buf, 0, im.len);
	mb_header(&im, 8192, 3);
	assert_false(mb1_probe(im.buf, im.len));

	/* Unknown flags do not matter to probe (load fails, later). */
	memset(im.buf, 0, im.len);
	mb_header(&im, 64, 0xffffffffu);
	assert_true(mb1_probe(im.buf, im.len));
	img_free(&im);
}

/* ---- tests: successful loads -------------------------------------------- */

static void test_elf32_full(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel(3);
	static const char mod0[] = "module zero contents";
	uint8_t *mod1 = malloc(10000);
	struct mb1_entry e = { 0 };
	char err[256] = "unchanged";

	assert_non_null(mod1);
	for (int i = 0; i < 10000; i++)
		mod1[i] = (uint8_t)(i * 7 + 3);
	struct mb1_module_src mods[2] = {
		{ mod0, sizeof(mod0), "initrd root=/dev/ram" },
		{ mod1, 10000, "second" },
	};

	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "console=ttyS0 quiet",
				  mods, 2, &e, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	/* The segments, the bss, and nothing around them. */
	assert_memory_equal(f->ram + E32_TEXT_ADDR, im.buf + E32_TEXT_OFF,
			    E32_TEXT_LEN);
	assert_int_equal(g32(f, E32_TEXT_ADDR), MB1_HEADER_MAGIC);
	assert_true(guest_has_pattern(f, E32_DATA_ADDR, E32_DATA_LEN, 2));
	assert_true(all_bytes(f, E32_DATA_ADDR + E32_DATA_LEN,
			      E32_DATA_MEM - E32_DATA_LEN, 0));
	assert_true(all_bytes(f, E32_TEXT_ADDR + E32_TEXT_LEN,
			      E32_DATA_ADDR - E32_TEXT_ADDR - E32_TEXT_LEN, 0xAA));
	assert_true(all_bytes(f, 0, 0x9fc00, 0xAA));   /* low memory untouched */

	/* 3.2: machine state. */
	assert_int_equal(e.eip, E32_ENTRY);
	check_info_common(f, &e, "console=ttyS0 quiet");
	uint64_t ib = e.ebx;
	uint64_t kend = E32_DATA_ADDR + E32_DATA_MEM;
	assert_true(ib >= kend);
	assert_int_equal(ib % 4096, 0);

	/* mem_lower: 0-0x9fc00 = 639 KiB; mem_upper: 1 MiB-8 MiB = 7168 KiB. */
	assert_int_equal(g32(f, ib + I_MEM_LOWER), 639);
	assert_int_equal(g32(f, ib + I_MEM_UPPER), 7 * 1024);

	/* Modules: page aligned, above the kernel, disjoint, contents. */
	assert_int_equal(g32(f, ib + I_MODS_COUNT), 2);
	uint64_t ml = g32(f, ib + I_MODS_ADDR);
	uint32_t s0 = g32(f, ml), e0 = g32(f, ml + 4);
	uint32_t s1 = g32(f, ml + 16), e1 = g32(f, ml + 20);
	assert_int_equal(s0 % 4096, 0);
	assert_int_equal(s1 % 4096, 0);
	assert_true(s0 >= kend);
	assert_int_equal(e0 - s0, sizeof(mod0));
	assert_int_equal(e1 - s1, 10000);
	assert_true(s1 >= e0);
	assert_memory_equal(f->ram + s0, mod0, sizeof(mod0));
	assert_memory_equal(f->ram + s1, mod1, 10000);
	assert_string_equal(gstr(f, g32(f, ml + 8)), "initrd root=/dev/ram");
	assert_string_equal(gstr(f, g32(f, ml + 24)), "second");
	assert_int_equal(g32(f, ml + 12), 0);
	assert_int_equal(g32(f, ml + 28), 0);

	/* The info block and everything it points to lies after the modules
	 * and does not overlap the kernel or the modules. */
	uint64_t ptrs[] = { ib, ml, g32(f, ib + I_MMAP_ADDR),
			    g32(f, ib + I_CMDLINE), g32(f, ib + I_LOADER),
			    g32(f, ml + 8), g32(f, ml + 24) };
	for (unsigned i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		assert_true(ptrs[i] >= e1);
		assert_true(disjoint(ptrs[i], 1, s0, e0 - s0));
		assert_true(disjoint(ptrs[i], 1, s1, e1 - s1));
		assert_true(ptrs[i] < f->size);
	}
	/* The info structure does not overlap what it points to. */
	assert_true(disjoint(ib, I_END, ml, 32));
	assert_true(disjoint(ib, I_END, g32(f, ib + I_MMAP_ADDR),
			     g32(f, ib + I_MMAP_LENGTH)));
	assert_true(disjoint(ml, 32, g32(f, ib + I_MMAP_ADDR),
			     g32(f, ib + I_MMAP_LENGTH)));

	free(mod1);
	img_free(&im);
	fake_free(f);
}

static void test_no_modules_null_cmdline(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel(0);
	struct mb1_entry e = { 0 };
	char err[128];

	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, NULL, NULL, 0, &e,
				  err, sizeof(err)), 0);
	check_info_common(f, &e, "");
	/* 3.3 bit 3 is set even without modules. */
	assert_int_equal(g32(f, e.ebx + I_MODS_COUNT), 0);
	assert_int_equal(e.ebx, 0x104000);     /* first page after the bss */
	img_free(&im);
	fake_free(f);
}

static void test_empty_module(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel(1);
	struct mb1_module_src mods[2] = { { NULL, 0, "empty" },
					  { "xyz", 3, "xyz" } };
	struct mb1_entry e = { 0 };
	char err[128];

	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", mods, 2, &e,
				  err, sizeof(err)), 0);
	uint64_t ml = g32(f, e.ebx + I_MODS_ADDR);
	assert_int_equal(g32(f, ml), g32(f, ml + 4));
	assert_true(g32(f, ml + 16) > g32(f, ml));
	assert_int_equal(g32(f, ml + 16) % 4096, 0);
	assert_memory_equal(f->ram + g32(f, ml + 16), "xyz", 3);
	assert_string_equal(gstr(f, g32(f, ml + 8)), "empty");
	img_free(&im);
	fake_free(f);
}

/* Higher-half ELF32: p_vaddr != p_paddr, the entry is translated. */
static void test_elf32_higher_half(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x3000);
	struct seg s[2] = {
		{ PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x1000, 0x1000 },
		{ PT_LOAD, 0x2000, 0xC0200000, 0x200000, 0x1000, 0x3000 },
	};
	struct mb1_entry e = { 0 };
	char err[128];

	fill(&im, 0x1000, 0x2000, 5);
	mb_header(&im, 0x1000, 2);
	elf_headers(&im, false, EM_386, 0xC0200010, s, 2);
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "x", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_int_equal(e.eip, 0x200010);
	assert_memory_equal(f->ram + 0x100000, im.buf + 0x1000, 0x1000);
	assert_memory_equal(f->ram + 0x200000, im.buf + 0x2000, 0x1000);
	assert_true(all_bytes(f, 0x201000, 0x2000, 0));
	assert_true(e.ebx >= 0x203000);
	check_info_common(f, &e, "x");
	img_free(&im);
	fake_free(f);
}

static void test_elf64(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x2800);
	struct seg s[2] = {
		{ PT_LOAD, 0x1000, 0xffffffff80200000ull, 0x200000, 0x1000,
		  0x1000 },
		{ PT_LOAD, 0x2000, 0x300000, 0x300000, 0x800, 0x2000 },
	};
	struct mb1_entry e = { 0 };
	char err[128];

	fill(&im, 0x1000, 0x1800, 9);
	mb_header(&im, 0x1010, 0);
	elf_headers(&im, true, EM_X86_64, 0xffffffff80200100ull, s, 2);
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "64", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_int_equal(e.eip, 0x200100);
	assert_memory_equal(f->ram + 0x200000, im.buf + 0x1000, 0x1000);
	assert_memory_equal(f->ram + 0x300000, im.buf + 0x2000, 0x800);
	assert_true(all_bytes(f, 0x300800, 0x1800, 0));
	assert_int_equal(e.ebx, 0x302000);
	check_info_common(f, &e, "64");

	/* Identity-mapped entry in the second segment. */
	elf_headers(&im, true, EM_X86_64, 0x300004, s, 2);
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "64", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_int_equal(e.eip, 0x300004);
	img_free(&im);
	fake_free(f);
}

/* a.out kludge, load_end_addr 0 (whole file) and a bss. */
static void test_aout_whole_file(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x1800);
	struct mb1_entry e = { 0 };
	char err[128];

	fill(&im, 0, im.len, 11);
	mb_header(&im, 0x40, (1u << 16) | 3);
	mb_aout(&im, 0x40, 0x100040, 0x100000, 0, 0x104000, 0x100080);
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "aout", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_memory_equal(f->ram + 0x100000, im.buf, im.len);
	assert_true(all_bytes(f, 0x101800, 0x2800, 0));
	assert_int_equal(e.eip, 0x100080);
	assert_int_equal(e.ebx, 0x104000);
	check_info_common(f, &e, "aout");
	img_free(&im);
	fake_free(f);
}

/* a.out kludge with the text not at the start of the file and an explicit
 * load_end_addr: only that much is loaded, no bss. */
static void test_aout_load_end(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x3000);
	struct mb1_entry e = { 0 };
	char err[128];

	fill(&im, 0, im.len, 12);
	/* The header at file offset 0x1100 is at 0x200100; the text starts
	 * at 0x200000 = file offset 0x1000 and ends at 0x201800. */
	mb_header(&im, 0x1100, 1u << 16);
	mb_aout(&im, 0x1100, 0x200100, 0x200000, 0x201800, 0, 0x200200);
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_memory_equal(f->ram + 0x200000, im.buf + 0x1000, 0x1800);
	assert_true(all_bytes(f, 0x201800, 0x800, 0xAA));
	assert_int_equal(e.eip, 0x200200);
	assert_int_equal(e.ebx, 0x202000);
	img_free(&im);
	fake_free(f);
}

/* a.out kludge with entry_addr outside the loaded text and bss: GRUB and
 * QEMU jump there all the same, so the loader takes it. */
static void test_aout_entry_anywhere(void **state)
{
	static const uint32_t entries[] = { 0x101000, 0xfff, 0xfee00000 };
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x1000);

	fill(&im, 0, im.len, 13);
	mb_header(&im, 0x40, 1u << 16);
	for (unsigned i = 0; i < 3; i++) {
		struct mb1_entry e = { 0 };
		char err[128];

		mb_aout(&im, 0x40, 0x100040, 0x100000, 0, 0, entries[i]);
		if (mb1_load(&f->gm, im.buf, im.len, "", NULL, 0, &e, err,
			     sizeof(err)) != 0)
			fail_msg("entry 0x%x refused: %s", entries[i], err);
		assert_int_equal(e.eip, entries[i]);
		assert_memory_equal(f->ram + 0x100000, im.buf, im.len);
	}
	img_free(&im);
	fake_free(f);
}

/* Flag 16 takes precedence over the ELF program headers (as in GRUB). */
static void test_aout_beats_elf(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel((1u << 16) | 2);
	struct mb1_entry e = { 0 };
	char err[128];

	/* Load the whole file at 0x300000: the header (file offset 0x1000)
	 * is then at 0x301000. */
	mb_aout(&im, E32_TEXT_OFF, 0x301000, 0x300000, 0, 0x302000, 0x301020);
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_int_equal(e.eip, 0x301020);
	assert_memory_equal(f->ram + 0x300000, im.buf, im.len);
	assert_true(all_bytes(f, E32_TEXT_ADDR, 0x10, 0xAA)); /* not ELF'd */
	img_free(&im);
	fake_free(f);
}

/* Video mode requests (flag 2) are accepted and ignored: no VBE flags. */
static void test_video_flag_ignored(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel(7);
	struct mb1_entry e = { 0 };
	char err[128];

	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_int_equal(g32(f, e.ebx) & ((1u << 11) | (1u << 12)), 0);
	img_free(&im);
	fake_free(f);
}

/* Optional flag bits 17-31 that we do not know are ignored (3.1.2). */
static void test_optional_flags_ignored(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel(0xfffe0003u);
	struct mb1_entry e = { 0 };
	char err[128];

	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", NULL, 0, &e,
				  err, sizeof(err)), 0);
	assert_int_equal(e.eip, E32_ENTRY);
	img_free(&im);
	fake_free(f);
}

/* A kernel in low memory; the boot information must skip the hole at
 * 0x9fc00-0x100000 when it does not fit below it. */
static void test_low_kernel_placement(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x2000);
	struct seg s[1] = {
		{ PT_LOAD, 0x1000, 0x90000, 0x90000, 0x1000, 0xe000 },
	};
	uint8_t mod[0x2000];
	struct mb1_module_src m = { mod, sizeof(mod), "m" };
	struct mb1_entry e = { 0 };
	char err[128];

	memset(mod, 0x5A, sizeof(mod));
	fill(&im, 0x1000, 0x1000, 3);
	mb_header(&im, 0x1000, 1);
	elf_headers(&im, false, EM_386, 0x90000, s, 1);
	/* Kernel ends at 0x9e000: the module fits below 0x9fc00? No (8 KiB
	 * from 0x9e000 reaches 0xa0000): it goes to 1 MiB. */
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", &m, 1, &e, err,
				  sizeof(err)), 0);
	uint64_t ml = g32(f, e.ebx + I_MODS_ADDR);
	assert_int_equal(g32(f, ml), 0x100000);
	assert_int_equal(e.ebx, 0x102000);
	assert_true(all_bytes(f, 0x9e000, 0x1c00, 0xAA));

	/* A small module does fit below the EBDA. */
	m.len = 0x1000;
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", &m, 1, &e, err,
				  sizeof(err)), 0);
	ml = g32(f, e.ebx + I_MODS_ADDR);
	assert_int_equal(g32(f, ml), 0x9e000);
	assert_int_equal(e.ebx, 0x9f000);       /* ~250 bytes: fits too */
	img_free(&im);
	fake_free(f);
}

/* Odd maps: adjacent usable ranges are one; unknown types become 2;
 * mem_lower is 0 without low RAM. */
static void test_odd_map(void **state)
{
	struct fake *f = fake_new_empty(8 * MiB);
	struct image im = img_new(0x3000);
	struct seg s[1] = {
		{ PT_LOAD, 0x1000, 0x180000, 0x180000, 0x2000, 0x2000 },
	};
	struct mb1_entry e = { 0 };
	char err[128];

	fake_add(f, 0, 0x1000, MEM_RESERVED);
	fake_add(f, 0x100000, 0x81000, MEM_USABLE);   /* to 0x181000 */
	fake_add(f, 0x181000, 0x7f000, MEM_USABLE);   /* to 0x200000 */
	fake_add(f, 0x200000, 0, MEM_USABLE);         /* empty: skipped */
	fake_add(f, 0x200000, 0x1000, 7);
	fake_add(f, 0x201000, 0x1ff000, MEM_ACPI_NVS);
	fake_add(f, 0x400000, 0x400000, MEM_USABLE);
	fill(&im, 0x1000, 0x2000, 4);
	mb_header(&im, 0x1000, 0);
	elf_headers(&im, false, EM_386, 0x180000, s, 1);
	/* The segment spans the two adjacent usable entries. */
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "odd", NULL, 0, &e,
				  err, sizeof(err)), 0);
	check_info_common(f, &e, "odd");
	assert_int_equal(g32(f, e.ebx + I_MEM_LOWER), 0);
	assert_int_equal(g32(f, e.ebx + I_MEM_UPPER), 1024);
	assert_int_equal(g32(f, e.ebx + I_MMAP_LENGTH), 6 * 24);
	assert_int_equal(e.ebx, 0x182000);
	img_free(&im);
	fake_free(f);
}

/* ---- tests: failures ----------------------------------------------------- */

/* Loads and expects failure with msg in the error, and no guest write. */
static void expect_fail_mods(struct fake *f, const struct image *im,
			     const struct mb1_module_src *mods, unsigned n,
			     const char *msg)
{
	struct mb1_entry e = { 0x11, 0x22, 0x33 };
	char err[256] = "";
	unsigned w = f->writes;

	assert_int_equal(mb1_load(&f->gm, im->buf, im->len, "c", mods, n, &e,
				  err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("error \"%s\" does not contain \"%s\"", err, msg);
	assert_int_equal(f->writes, w);
	assert_int_equal(e.eip, 0x11);
}

static void expect_fail(struct fake *f, const struct image *im,
			const char *msg)
{
	expect_fail_mods(f, im, NULL, 0, msg);
}

static void test_bad_header(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = elf32_kernel(0);

	p32(&im, E32_TEXT_OFF + 8, 0x12345678);
	expect_fail(f, &im, "no Multiboot header");
	img_free(&im);

	im = elf32_kernel(0);
	memset(im.buf + E32_TEXT_OFF, 0, 12);
	expect_fail(f, &im, "no Multiboot header");
	img_free(&im);

	/* Beyond the first 8192 bytes. */
	im = img_new(0x3000);
	mb_header(&im, 0x2000, 0);
	expect_fail(f, &im, "no Multiboot header");
	img_free(&im);

	/* Unsupported required bits. */
	static const uint32_t bad[] = { 1u << 3, 1u << 4, 1u << 15, 0xffff };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		im = elf32_kernel(bad[i]);
		expect_fail(f, &im, "unsupported");
		img_free(&im);
	}

	/* Neither ELF nor flag 16. */
	im = img_new(0x100);
	mb_header(&im, 0x10, 0);
	expect_fail(f, &im, "not an ELF file");
	img_free(&im);

	/* Flag 16 with the header cut short. */
	im = img_new(0x20);
	mb_header(&im, 0x4, 1u << 16);
	expect_fail(f, &im, "truncated");
	img_free(&im);

	/* NULL arguments. */
	struct mb1_entry e;
	char err[64];
	assert_int_equal(mb1_load(&f->gm, NULL, 0, "", NULL, 0, &e, err,
				  sizeof(err)), -1);
	assert_int_equal(mb1_load(&f->gm, "x", 1, "", NULL, 1, &e, NULL, 0), -1);
	fake_free(f);
}

static void test_bad_elf(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im;

	/* Truncated: the Multiboot header fits, the ELF header does not. */
	im = img_new(48);
	memcpy(im.buf, "\x7f" "ELF\x01\x01\x01", 7);
	mb_header(&im, 16, 0);
	expect_fail(f, &im, "ELF32 header truncated");
	im.buf[EI_CLASS] = ELFCLASS64;
	expect_fail(f, &im, "ELF64 header truncated");
	im.buf[EI_CLASS] = 3;
	expect_fail(f, &im, "ELF class (EI_CLASS) 3");
	im.buf[EI_CLASS] = 1;
	im.buf[EI_DATA] = 2;
	expect_fail(f, &im, "little-endian");
	im.buf[EI_DATA] = 1;
	im.buf[EI_VERSION] = 0;
	expect_fail(f, &im, "ELF version");
	img_free(&im);

	/* Type and machine. */
	im = elf32_kernel(0);
	struct elf32_ehdr eh;
	memcpy(&eh, im.buf, sizeof(eh));
	eh.e_type = 3;
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "not ET_EXEC");
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "not i386");

	/* Program header table. */
	eh.e_machine = EM_386;
	eh.e_phnum = 0;
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "no program headers");
	eh.e_phnum = 200;
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "too many program headers");
	eh.e_phnum = 3;
	eh.e_phentsize = 16;
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "program header size");
	eh.e_phentsize = 32;
	eh.e_phoff = (uint32_t)im.len - 64;
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "outside the file");
	eh.e_phoff = 0xffffffe0u;         /* phoff + size wraps in 32 bits */
	memcpy(im.buf, &eh, sizeof(eh));
	expect_fail(f, &im, "outside the file");
	img_free(&im);

	/* ELF64 with i386 machine. */
	im = img_new(0x1100);
	struct seg s64 = { PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x100 };
	mb_header(&im, 0x1000, 0);
	elf_headers(&im, true, EM_386, 0x100000, &s64, 1);
	expect_fail(f, &im, "not x86-64");
	img_free(&im);
	fake_free(f);
}

/* An ELF32 kernel with one load segment s (plus the header at 0x1000). */
static struct image elf32_one(struct seg s, uint32_t entry)
{
	struct image im = img_new(0x2000);

	mb_header(&im, 0x1000, 0);
	elf_headers(&im, false, EM_386, entry, &s, 1);
	return im;
}

static struct image elf64_one(struct seg s, uint64_t entry)
{
	struct image im = img_new(0x2000);

	mb_header(&im, 0x1000, 0);
	elf_headers(&im, true, EM_X86_64, entry, &s, 1);
	return im;
}

static void test_bad_segments(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im;

	/* File range outside the file, and wrapping file range. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1800, 0x100000, 0x100000,
				     0x1000, 0x1000 }, 0x100000);
	expect_fail(f, &im, "outside the file");
	img_free(&im);
	im = elf64_one((struct seg){ PT_LOAD, 0xfffffffffffff000ull, 0x100000,
				     0x100000, 0x2000, 0x2000 }, 0x100000);
	expect_fail(f, &im, "outside the file");
	img_free(&im);

	/* filesz > memsz. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0x100000, 0x100000,
				     0x800, 0x400 }, 0x100000);
	expect_fail(f, &im, "larger than its memory size");
	img_free(&im);

	/* Outside RAM: the message names the segment and the RAM size. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0x40000000, 0x40000000,
				     0x1000, 0x10000 }, 0x40000000);
	expect_fail(f, &im, "segment 0 at 0x40000000-0x40010000 is outside "
		    "the VM's RAM (8 MiB)");
	img_free(&im);

	/* Straddling the end of RAM. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0x7ff000, 0x7ff000,
				     0x1000, 0x2000 }, 0x7ff000);
	expect_fail(f, &im, "outside the VM's RAM");
	img_free(&im);

	/* Into the reserved ranges, and into the hole 0xa0000-0xf0000. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0x9f000, 0x9f000, 0x1000,
				     0x2000 }, 0x9f000);
	expect_fail(f, &im, "overlaps the reserved range 0x9fc00-0xa0000");
	img_free(&im);
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0xff000, 0xff000, 0x1000,
				     0x2000 }, 0xff000);
	expect_fail(f, &im, "reserved range 0xf0000-0x100000");
	img_free(&im);
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0xa0000, 0xa0000, 0x1000,
				     0x1000 }, 0xa0000);
	expect_fail(f, &im, "outside the VM's RAM");
	img_free(&im);

	/* 32-bit wrap-around: 0xfffff000 + 0x2000. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0xfffff000, 0xfffff000,
				     0x1000, 0x2000 }, 0xfffff000);
	expect_fail(f, &im, "not below 4 GiB");
	img_free(&im);

	/* 64-bit: above 4 GiB, and wrapping the address space. */
	im = elf64_one((struct seg){ PT_LOAD, 0x1000, 0x100000000ull,
				     0x100000000ull, 0x1000, 0x1000 },
		       0x100000000ull);
	expect_fail(f, &im, "not below 4 GiB");
	img_free(&im);
	im = elf64_one((struct seg){ PT_LOAD, 0x1000, 0xfffffffffffff000ull,
				     0xfffffffffffff000ull, 0x1000, 0x2000 },
		       0xfffffffffffff000ull);
	expect_fail(f, &im, "wraps around");
	img_free(&im);

	/* Entry point outside the loaded segments. */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0x100000, 0x100000,
				     0x1000, 0x1000 }, 0x101000);
	expect_fail(f, &im, "entry point 0x101000 is not in any loadable");
	img_free(&im);
	im = elf64_one((struct seg){ PT_LOAD, 0x1000, 0x100000, 0x100000,
				     0x1000, 0x1000 }, 0xffffffff80100000ull);
	expect_fail(f, &im, "not in any loadable");
	img_free(&im);

	/* No PT_LOAD at all (only a memsz-0 one). */
	im = elf32_one((struct seg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0, 0 },
		       0x100000);
	expect_fail(f, &im, "no loadable segments");
	img_free(&im);

	/* Overlapping segments. */
	im = img_new(0x2000);
	struct seg ov[2] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 },
		{ PT_LOAD, 0x1000, 0x101000, 0x101000, 0x1000, 0x1000 },
	};
	mb_header(&im, 0x1000, 0);
	elf_headers(&im, false, EM_386, 0x100000, ov, 2);
	expect_fail(f, &im, "segments 0 and 1 overlap");
	img_free(&im);

	/* A later segment bad: nothing at all is written (checked by
	 * expect_fail: f->writes unchanged). */
	im = elf32_kernel(0);
	struct elf32_phdr ph;
	memcpy(&ph, im.buf + E32_EHDR_PHOFF + 2 * 32, sizeof(ph));
	ph.p_paddr = 0x900000;
	memcpy(im.buf + E32_EHDR_PHOFF + 2 * 32, &ph, sizeof(ph));
	expect_fail(f, &im, "segment 2 at 0x900000-0x901800 is outside");
	img_free(&im);
	fake_free(f);
}

static void test_bad_aout(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(0x1000);

	mb_header(&im, 0x40, 1u << 16);

	mb_aout(&im, 0x40, 0x100040, 0x100080, 0, 0, 0x100080);
	expect_fail(f, &im, "load_addr 0x100080 is above header_addr");
	mb_aout(&im, 0x40, 0x100040, 0xfff00, 0, 0, 0x100000);
	expect_fail(f, &im, "before the start of the file");
	mb_aout(&im, 0x40, 0x100040, 0x100000, 0x100000, 0, 0x100000);
	expect_fail(f, &im, "load_end_addr 0x100000 is not above");
	mb_aout(&im, 0x40, 0x100040, 0x100000, 0x101001, 0, 0x100000);
	expect_fail(f, &im, "beyond the end of the file");
	mb_aout(&im, 0x40, 0x100040, 0x100000, 0x100800, 0x100700, 0x100000);
	expect_fail(f, &im, "bss_end_addr 0x100700 is below");
	/* Into reserved memory, outside RAM, over 4 GiB. */
	mb_aout(&im, 0x40, 0xf0040, 0xf0000, 0, 0, 0xf0000);
	expect_fail(f, &im, "the kernel (a.out kludge) at 0xf0000-0xf1000 "
		    "overlaps the reserved range");
	mb_aout(&im, 0x40, 0x100040, 0x100000, 0, 0x900000, 0x100000);
	expect_fail(f, &im, "outside the VM's RAM (8 MiB)");
	mb_aout(&im, 0x40, 0xfffff040, 0xfffff000, 0, 0, 0xfffff000);
	expect_fail(f, &im, "at 0xfffff000-0x100000000 is outside the VM's RAM");
	mb_aout(&im, 0x40, 0xfffff840, 0xfffff800, 0, 0, 0xfffff800);
	expect_fail(f, &im, "at 0xfffff800-0x100000800 is not below 4 GiB");
	mb_aout(&im, 0x40, 0x100040, 0x100000, 0, 0xffffffff, 0x100000);
	expect_fail(f, &im, "outside the VM's RAM");
	img_free(&im);
	fake_free(f);
}

static void test_vm_too_small(void **state)
{
	struct fake *f = fake_new(2 * MiB);
	struct image im = elf32_kernel(0);
	uint8_t *big = calloc(1, 1 * MiB);
	struct mb1_module_src m = { big, 1 * MiB, "big" };

	assert_non_null(big);
	/* Kernel ends at 0x103800; 1 MiB module + info don't fit in 2 MiB. */
	expect_fail_mods(f, &im, &m, 1, "VM memory too small: needs 2065 KiB");

	/* Just fits: 0x104000 + module up to 0x1f8000, info at 0x1f8000. */
	struct mb1_entry e;
	char err[128];
	m.len = 0x1f8000 - 0x104000;
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", &m, 1, &e, err,
				  sizeof(err)), 0);
	assert_int_equal(e.ebx, 0x1f8000);
	assert_int_equal(g32(f, e.ebx + I_MEM_UPPER), 1024);

	/* The info block cannot spill into unmapped memory. */
	m.len = 0x1fff00 - 0x104000;
	expect_fail_mods(f, &im, &m, 1, "VM memory too small");

	/* A module without data. */
	struct mb1_module_src nod = { NULL, 5, "x" };
	expect_fail_mods(f, &im, &nod, 1, "module 0 has no data");

	/* Too many modules. */
	expect_fail_mods(f, &im, &nod, 100000, "too many modules");

	/* The kernel alone does not fit in a VM with only low memory. */
	struct fake *tiny = fake_new_empty(1 * MiB);
	fake_add(tiny, 0, 0x9fc00, MEM_USABLE);
	expect_fail(tiny, &im, "outside the VM's RAM (639 KiB)");
	fake_free(tiny);

	free(big);
	img_free(&im);
	fake_free(f);
}

/* A small error buffer: the message is truncated, terminated. */
static void test_small_err_buffer(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image im = img_new(64);
	struct mb1_entry e;
	char err[8];

	memset(err, 'z', sizeof(err));
	assert_int_equal(mb1_load(&f->gm, im.buf, im.len, "", NULL, 0, &e, err,
				  sizeof(err)), -1);
	assert_int_equal(strlen(err), 7);
	img_free(&im);
	fake_free(f);
}

/* ---- fuzzing ------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Interesting values for 32- and 64-bit fields. */
static const uint64_t edge[] = {
	0, 1, 0xfff, 0x1000, 0x100000, 0x7fffffff, 0x80000000, 0xfffff000,
	0xffffffff, 0x100000000ull, 0xffffffff80000000ull, UINT64_MAX,
	0x9fc00, 0xf0000, 0x7ff000, 0x800000, 52, 64, 32, 56,
};

static void mutate(uint8_t *b, size_t len, size_t hot)
{
	unsigned n = 1 + rng() % 4;

	if (len == 0)
		return;
	for (unsigned k = 0; k < n; k++) {
		/* Mostly the headers (first 'hot' bytes), sometimes anywhere. */
		size_t lim = rng() % 4 ? (hot < len ? hot : len) : len;
		size_t off = rng() % lim;
		switch (rng() % 4) {
		case 0:
			b[off] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 1:
			b[off] = (uint8_t)rng();
			break;
		default: {
			uint64_t v = edge[rng() % (sizeof(edge) / sizeof(edge[0]))];
			size_t w = rng() % 2 ? 4 : 8;
			off &= ~(size_t)3;
			if (off + w <= len)
				memcpy(b + off, &v, w);
			break;
		}
		}
	}
}

static void fuzz_one(struct fake *f, const struct image *base, size_t hot,
		     const struct mb1_module_src *mods, unsigned nmods,
		     unsigned *ok)
{
	size_t len = base->len;

	if (rng() % 8 == 0)
		len = rng() % (len + 1);
	/* An exact-size heap copy, so ASan catches any read past the end. */
	uint8_t *b = malloc(len ? len : 1);
	assert_non_null(b);
	memcpy(b, base->buf, len);
	mutate(b, len, hot);

	struct mb1_entry e = { 0 };
	char err[200];
	memset(err, 'q', sizeof(err));
	int r = mb1_load(&f->gm, b, len, "fuzz", mods, nmods, &e, err,
			 sizeof(err));
	assert_true(r == 0 || r == -1);
	assert_non_null(memchr(err, 0, sizeof(err)));
	if (r == 0) {
		(*ok)++;
		assert_string_equal(err, "");
		assert_int_equal(e.eax, MB1_BOOTLOADER_MAGIC);
		assert_true(fake_usable(f, e.ebx, I_END));
		/* e.eip: an a.out kludge's entry_addr may be anywhere
		 * (GRUB and QEMU take it); an ELF entry is in a segment */
		assert_int_equal(g32(f, e.ebx + I_FLAGS), INFO_FLAGS_EXPECTED);
		assert_int_equal(g32(f, e.ebx + I_MODS_COUNT), nmods);
	} else {
		assert_true(strlen(err) > 0);
	}
	assert_true(mb1_probe(b, len) || r == -1);
	free(b);
}

static void test_fuzz(void **state)
{
	struct fake *f = fake_new(8 * MiB);
	struct image e32 = elf32_kernel(3);
	struct image aout = img_new(0x1800);
	struct image e64 = img_new(0x2800);
	static const char m0[] = "mod";
	struct mb1_module_src mods[2] = { { m0, 3, "a" }, { m0, 1, "b" } };
	struct seg s64[2] = {
		{ PT_LOAD, 0x1000, 0xffffffff80200000ull, 0x200000, 0x1000,
		  0x1000 },
		{ PT_LOAD, 0x2000, 0x300000, 0x300000, 0x800, 0x2000 },
	};
	unsigned ok[3] = { 0 };

	fill(&aout, 0, aout.len, 11);
	mb_header(&aout, 0x40, (1u << 16) | 3);
	mb_aout(&aout, 0x40, 0x100040, 0x100000, 0, 0x104000, 0x100080);
	fill(&e64, 0x1000, 0x1800, 9);
	mb_header(&e64, 0x1010, 0);
	elf_headers(&e64, true, EM_X86_64, 0xffffffff80200100ull, s64, 2);

	rng_state = 0x9E3779B97F4A7C15ull;
	for (unsigned i = 0; i < 6000; i++) {
		fuzz_one(f, &e32, E32_EHDR_PHOFF + 3 * 32, mods, i % 3, &ok[0]);
		fuzz_one(f, &e64, 64 + 2 * 56, mods, 2, &ok[1]);
		/* The a.out header, magic to entry_addr: mutations there
		 * usually break the checksum, so often fix it up. */
		struct image a = img_new(aout.len);
		memcpy(a.buf, aout.buf, aout.len);
		mutate(a.buf + 0x40, 32, 32);
		if (rng() % 4) {
			uint32_t fl;
			memcpy(&fl, a.buf + 0x44, 4);
			fl &= rng() % 2 ? 0xffff0007u : 0xffffffffu;
			mb_header(&a, 0x40, fl);
		}
		fuzz_one(f, &a, 0x60, mods, 1, &ok[2]);
		img_free(&a);
	}
	/* The fuzzer reached the success path for every format too. */
	print_message("fuzz: loaded %u ELF32, %u ELF64, %u a.out of 6000 each\n",
		      ok[0], ok[1], ok[2]);
	assert_true(ok[0] > 100 && ok[1] > 100 && ok[2] > 100);

	img_free(&e32);
	img_free(&aout);
	img_free(&e64);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_elf32_full),
		cmocka_unit_test(test_no_modules_null_cmdline),
		cmocka_unit_test(test_empty_module),
		cmocka_unit_test(test_elf32_higher_half),
		cmocka_unit_test(test_elf64),
		cmocka_unit_test(test_aout_whole_file),
		cmocka_unit_test(test_aout_load_end),
		cmocka_unit_test(test_aout_beats_elf),
		cmocka_unit_test(test_video_flag_ignored),
		cmocka_unit_test(test_optional_flags_ignored),
		cmocka_unit_test(test_low_kernel_placement),
		cmocka_unit_test(test_odd_map),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_elf),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_bad_aout),
		cmocka_unit_test(test_aout_entry_anywhere),
		cmocka_unit_test(test_vm_too_small),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
