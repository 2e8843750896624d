/*
 * tests/unit/test_linux.c - unit tests for guest/linux.c, the Linux bzImage
 * loader (Documentation/arch/x86/boot.rst, "The Linux/x86 Boot Protocol",
 * and zero-page.rst).
 *
 * bzImages are built in memory with a setup header at the offsets of "THE
 * REAL-MODE KERNEL HEADER" and loaded into a fake guest: a malloc'd buffer
 * filled with 0xAA and a PC-like memory map. The fake write/zero callbacks
 * fail the test on any write outside usable RAM. Results are read back by
 * the offsets the documents give, not through the loader's own constants.
 * If /boot/vmlinuz-* exists, the real kernel is loaded too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/unit/fake_guest.h"

#include <dirent.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

/* ---- the fake guest ------------------------------------------------------ */

/* The layout of guest/layout.h for a VM of `size` bytes (< 3 GiB). */
static struct fake *fake_new(uint64_t size)
{
	struct fake *f = fake_new_empty(size);

	fake_add(f, 0, 0x9fc00, MEM_USABLE);
	fake_add(f, 0x9fc00, 0x400, MEM_RESERVED);
	fake_add(f, 0xc0000, 0x40000, MEM_RESERVED);
	fake_add(f, 0x100000, size - 0x100000, MEM_USABLE);
	return f;
}


static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t g32(const uint8_t *p)
{
	return (uint32_t)g16(p) | (uint32_t)g16(p + 2) << 16;
}

static uint64_t g64(const uint8_t *p)
{
	return (uint64_t)g32(p) | (uint64_t)g32(p + 4) << 32;
}

static void p16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void p32(uint8_t *p, uint32_t v)
{
	p16(p, (uint16_t)v);
	p16(p + 2, (uint16_t)(v >> 16));
}

static void p64(uint8_t *p, uint64_t v)
{
	p32(p, (uint32_t)v);
	p32(p + 4, (uint32_t)(v >> 32));
}

/* ---- synthetic bzImages --------------------------------------------------- */

struct opts {
	uint16_t version;
	uint8_t setup_sects;
	uint8_t hdr_len;          /* the byte at 0x201 */
	uint8_t loadflags;
	bool relocatable;
	uint32_t align;
	uint64_t pref;
	uint32_t init_size;
	uint16_t xlf;
	uint32_t cmdline_size;
	uint32_t initrd_max;
	uint32_t code32;
	size_t pm_size;
};

/* Protocol 2.15, relocatable, 2 MiB alignment, pref_address 16 MiB,
 * init_size 8 MiB, xloadflags 0x7f: like a current x86-64 kernel. */
static struct opts opts_215(void)
{
	return (struct opts){
		.version = 0x020f, .setup_sects = 4, .hdr_len = 0x6a,
		.loadflags = 0x01, .relocatable = true, .align = 2 * MiB,
		.pref = 16 * MiB, .init_size = 8 * MiB, .xlf = 0x7f,
		.cmdline_size = 2047, .initrd_max = 0x7fffffff,
		.code32 = 0x100000, .pm_size = 64 * KiB + 123,
	};
}

/* Protocol 2.06: 32-bit only, no pref_address/init_size/xloadflags; the
 * header ends after cmdline_size (0x23c). */
static struct opts opts_206(void)
{
	struct opts o = opts_215();

	o.version = 0x0206;
	o.hdr_len = 0x3a;
	o.align = 4 * MiB;
	o.pref = 0;
	o.init_size = 0;
	o.xlf = 0;
	o.initrd_max = 0x37ffffff;
	return o;
}

static size_t img_setup_size(const struct opts *o)
{
	return ((o->setup_sects ? o->setup_sects : 4) + 1) * 512u;
}

/* Byte i of a synthetic image: never 0, so a copied byte shows. */
static uint8_t img_byte(size_t i)
{
	return (uint8_t)((i * 7 + 3) % 251 + 1);
}

static uint8_t *make_image(const struct opts *o, size_t *len)
{
	size_t setup = img_setup_size(o), n = setup + o->pm_size, i;
	uint8_t *b = malloc(n);

	assert_non_null(b);
	for (i = 0; i < n; i++)
		b[i] = img_byte(i);
	b[0x1f1] = o->setup_sects;
	p32(b + 0x1f4, (uint32_t)(o->pm_size / 16));   /* syssize */
	p16(b + 0x1fa, 0xffff);                         /* vid_mode */
	p16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = o->hdr_len;
	memcpy(b + 0x202, "HdrS", 4);
	p16(b + 0x206, o->version);
	b[0x210] = 0;                                   /* type_of_loader */
	b[0x211] = o->loadflags;
	p32(b + 0x214, o->code32);
	p32(b + 0x218, 0);
	p32(b + 0x21c, 0);
	p16(b + 0x224, 0);
	b[0x226] = 0;
	b[0x227] = 0;
	p32(b + 0x228, 0);
	p32(b + 0x22c, o->initrd_max);
	p32(b + 0x230, o->align);
	b[0x234] = o->relocatable;
	b[0x235] = 0x15;
	p16(b + 0x236, o->xlf);
	p32(b + 0x238, o->cmdline_size);
	p64(b + 0x250, 0);                              /* setup_data */
	p64(b + 0x258, o->pref);
	p32(b + 0x260, o->init_size);
	*len = n;
	return b;
}

static struct linux_params params(const uint8_t *img, size_t len)
{
	return (struct linux_params){
		.kernel = img, .kernel_len = len, .cmdline = "console=ttyS0",
	};
}

/* The fields of the setup header the loader writes (boot.rst: vid_mode,
 * type_of_loader, loadflags, code32_start, ramdisk_image/size,
 * heap_end_ptr, ext_loader_ver/type, cmd_line_ptr, setup_data). */
static bool loader_written(size_t off)
{
	static const struct { size_t off, n; } w[] = {
		{ 0x1fa, 2 }, { 0x210, 1 }, { 0x211, 1 }, { 0x214, 4 },
		{ 0x218, 4 }, { 0x21c, 4 }, { 0x224, 2 }, { 0x226, 1 },
		{ 0x227, 1 }, { 0x228, 4 }, { 0x250, 8 },
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (off >= w[i].off && off < w[i].off + w[i].n)
			return true;
	return false;
}

/* ---- checks shared by the tests ------------------------------------------ */

/* Walks the guest's 4-level page tables; returns the physical address or
 * UINT64_MAX if unmapped, and checks present + writable on the way. */
static uint64_t translate(const struct fake *f, uint64_t cr3, uint64_t va)
{
	uint64_t t = cr3 & ~0xfffull, e;
	int level;

	for (level = 3; level >= 0; level--) {
		unsigned idx = (unsigned)(va >> (12 + 9 * level)) & 511;
		assert_true(t + 4096 <= f->size);
		e = g64(f->ram + t + idx * 8);
		if (!(e & 1))
			return UINT64_MAX;
		assert_true(e & 2);
		if (level == 1 && (e & 0x80))
			return (e & 0x000fffffffe00000ull) | (va & (2 * MiB - 1));
		assert_true(level > 0);
		t = e & 0x000ffffffffff000ull;
	}
	return UINT64_MAX;
}

static void check_gdt(const struct fake *f, const struct linux_entry *e,
		      bool code64)
{
	uint64_t cs, ds;

	assert_true(e->gdt_limit >= 0x1f);
	assert_true(e->gdt_base + e->gdt_limit + 1 <= 0x9f000);
	cs = g64(f->ram + e->gdt_base + 0x10);
	ds = g64(f->ram + e->gdt_base + 0x18);
	/* code: present, DPL 0, S, type execute/read; base 0, limit max */
	assert_int_equal((cs >> 40) & 0xfe, 0x9a);
	assert_int_equal(cs & 0xffff, 0xffff);
	assert_int_equal((cs >> 16) & 0xffffff, 0);
	assert_int_equal(cs >> 56, 0);
	if (code64) {
		assert_true(cs & (1ull << 53));          /* L */
		assert_false(cs & (1ull << 54));         /* D */
	} else {
		assert_false(cs & (1ull << 53));
		assert_true(cs & (1ull << 54));
		assert_true(cs & (1ull << 55));          /* G */
		assert_int_equal((cs >> 48) & 0xf, 0xf);
	}
	/* data: present, read/write, flat 4 GiB */
	assert_int_equal((ds >> 40) & 0xfe, 0x92);
	assert_int_equal(ds & 0xffff, 0xffff);
	assert_int_equal((ds >> 48) & 0xf, 0xf);
	assert_true(ds & (1ull << 55));
	assert_int_equal((ds >> 16) & 0xffffff, 0);
	assert_int_equal(ds >> 56, 0);
}

/* The zero page: setup header copied exactly to 0x202 + img[0x201] and
 * nothing else from the image; the loader's fields. */
static void check_zero_page(const struct fake *f, const uint8_t *img,
			    const struct linux_entry *e, const char *cmdline)
{
	const uint8_t *zp = f->ram + e->rsi;
	size_t hdr_end = 0x202 + img[0x201], i;
	unsigned v = g16(img + 0x206);
	/* at least the fields of its protocol, at most up to 0x290 */
	size_t need = v >= 0x20a ? 0x264 : v >= 0x206 ? 0x23c :
		      v >= 0x205 ? 0x235 : 0x230;

	if (hdr_end < need)
		hdr_end = need;
	if (hdr_end > 0x290)
		hdr_end = 0x290;

	assert_true(e->rsi % 4096 == 0 && e->rsi + 4096 <= 0x9f000);
	for (i = 0x1f1; i < hdr_end; i++)
		if (!loader_written(i) && zp[i] != img[i])
			fail_msg("zero page byte 0x%zx: 0x%x, image 0x%x", i,
				 zp[i], img[i]);
	for (i = hdr_end; i < 0x2d0; i++)
		if (!loader_written(i) && zp[i] != 0)
			fail_msg("zero page byte 0x%zx past the header: 0x%x",
				 i, zp[i]);
	/* before the header: only acpi_rsdp_addr, ext_*, e820_entries */
	for (i = 0; i < 0x1f1; i++) {
		if ((i >= 0x70 && i < 0x78) || (i >= 0xc0 && i < 0xcc) ||
		    i == 0x1e8)
			continue;
		if (zp[i] != 0)
			fail_msg("zero page byte 0x%zx: 0x%x", i, zp[i]);
	}
	for (i = 0x2d0 + 20 * zp[0x1e8]; i < 4096; i++)
		if (zp[i] != 0)
			fail_msg("zero page byte 0x%zx past e820: 0x%x", i, zp[i]);

	assert_int_equal(zp[0x210], 0xff);                 /* type_of_loader */
	assert_int_equal(zp[0x211], img[0x211] | 0x80);    /* CAN_USE_HEAP */
	assert_true(zp[0x211] & 1);                        /* LOADED_HIGH */
	assert_int_not_equal(g16(zp + 0x224), 0);          /* heap_end_ptr */
	assert_int_equal(g64(zp + 0x250), 0);              /* setup_data */
	/* cmd_line_ptr (+ ext_cmd_line_ptr) -> the text */
	{
		uint64_t c = g32(zp + 0x228) | (uint64_t)g32(zp + 0xc8) << 32;
		assert_true(c >= 0x1000 && c + strlen(cmdline) + 1 <= 0x9f000);
		assert_string_equal((const char *)f->ram + c, cmdline);
		/* no overlap with the zero page */
		assert_true(c >= e->rsi + 4096 || c + strlen(cmdline) < e->rsi);
	}
	/* screen_info zero: orig_video_isVGA (0x0f) etc. */
	assert_int_equal(zp[0x0f], 0);
}

/* ---- the normal cases ---------------------------------------------------- */

static void test_probe(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img = make_image(&o, &len);

	assert_true(linux_probe(img, len));
	assert_false(linux_probe(img, 0x207));
	assert_false(linux_probe(NULL, len));
	img[0x203] = 'x';
	assert_false(linux_probe(img, len));
	img[0x203] = 'd';
	p16(img + 0x206, 0x0203);
	assert_true(linux_probe(img, len));
	p16(img + 0x206, 0x0202);
	assert_false(linux_probe(img, len));
	free(img);
}

static void test_load_64(void **state)
{
	struct opts o = opts_215();
	size_t len, i;
	uint8_t *img = make_image(&o, &len);
	uint8_t *rd = malloc(3 * MiB + 5);
	struct fake *f = fake_new(128 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];
	const uint8_t *zp;
	uint64_t rd_addr, va;

	assert_non_null(rd);
	for (i = 0; i < 3 * MiB + 5; i++)
		rd[i] = (uint8_t)(i * 13 + 1);
	p.initrd = rd;
	p.initrd_len = 3 * MiB + 5;
	p.acpi_rsdp = 0xf5a30;
	p.cmdline = "console=ttyS0 root=/dev/ram0 quiet";

	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_true(e.entry64);
	assert_int_equal(e.load_addr, 16 * MiB);          /* pref_address */
	assert_int_equal(e.rip, 16 * MiB + 0x200);
	assert_int_equal(e.stack, 0);
	assert_memory_equal(f->ram + 16 * MiB, img + 5 * 512, o.pm_size);

	zp = f->ram + e.rsi;
	check_zero_page(f, img, &e, p.cmdline);
	assert_int_equal(g16(zp + 0x1fa), 0xffff);        /* vid_mode normal */
	assert_int_equal(g32(zp + 0x214), 16 * MiB);      /* code32_start */
	assert_int_equal(g64(zp + 0x70), 0xf5a30);        /* acpi_rsdp_addr */

	/* initrd: page aligned, as high as possible, clear of the kernel's
	 * init_size, below 4 GiB */
	rd_addr = g32(zp + 0x218) | (uint64_t)g32(zp + 0xc0) << 32;
	assert_int_equal(rd_addr, e.initrd_addr);
	assert_int_equal(g32(zp + 0x21c), 3 * MiB + 5);
	assert_int_equal(g32(zp + 0xc4), 0);
	assert_int_equal(rd_addr % 4096, 0);
	assert_int_equal(rd_addr, (128 * MiB - (3 * MiB + 5)) & ~0xfffull);
	assert_true(rd_addr >= 16 * MiB + 8 * MiB);
	assert_memory_equal(f->ram + rd_addr, rd, 3 * MiB + 5);

	/* e820 = gm->map (p.e820 not given) */
	assert_int_equal(zp[0x1e8], f->map_count);
	for (i = 0; i < f->map_count; i++) {
		const uint8_t *en = zp + 0x2d0 + 20 * i;
		assert_int_equal(g64(en), f->map[i].base);
		assert_int_equal(g64(en + 8), f->map[i].len);
		assert_int_equal(g32(en + 16), f->map[i].type);
	}

	/* identity map of 0-4 GiB, and the things boot.rst names */
	assert_int_not_equal(e.cr3, 0);
	assert_int_equal(e.cr3 % 4096, 0);
	assert_true(e.cr3 + 6 * 4096 <= 0x9f000);
	for (va = 0; va < 4 * GiB; va += 2 * MiB)
		assert_int_equal(translate(f, e.cr3, va + 0x1234), va + 0x1234);
	assert_int_equal(translate(f, e.cr3, 4 * GiB - 1), 4 * GiB - 1);
	assert_int_equal(translate(f, e.cr3, e.rip), e.rip);
	/* the kernel, zero page, tables and command line do not overlap */
	assert_true(e.cr3 + 6 * 4096 <= e.rsi || e.rsi + 4096 <= e.cr3);
	assert_true(e.gdt_base + 32 <= e.cr3 || e.cr3 + 6 * 4096 <= e.gdt_base);
	check_gdt(f, &e, true);

	free(rd);
	free(img);
	fake_free(f);
}

static void test_e820_and_no_initrd(void **state)
{
	struct opts o = opts_215();
	size_t len, i;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];
	const uint8_t *zp;
	struct mem_range map[6] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0x400, MEM_RESERVED },
		{ 0xc0000, 0x40000, MEM_RESERVED },
		{ 0x100000, 63 * MiB, MEM_USABLE },
		{ 0xfec00000, 0x1000, MEM_RESERVED },
		{ 0xfee00000, 0x1000, MEM_RESERVED },
	};

	p.e820 = map;
	p.e820_count = 6;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	zp = f->ram + e.rsi;
	check_zero_page(f, img, &e, p.cmdline);
	assert_int_equal(zp[0x1e8], 6);
	for (i = 0; i < 6; i++) {
		const uint8_t *en = zp + 0x2d0 + 20 * i;
		assert_int_equal(g64(en), map[i].base);
		assert_int_equal(g64(en + 8), map[i].len);
		assert_int_equal(g32(en + 16), map[i].type);
	}
	assert_int_equal(g32(zp + 0x218), 0);
	assert_int_equal(g32(zp + 0x21c), 0);
	assert_int_equal(g64(zp + 0x70), 0);
	assert_int_equal(e.initrd_addr, 0);
	free(img);
	fake_free(f);
}

/* pref_address does not fit (a reserved range in the way): the lowest
 * aligned address above it where init_size fits. */
static void test_pref_blocked(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new_empty(128 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];

	fake_add(f, 0, 0x9fc00, MEM_USABLE);
	fake_add(f, 0x100000, 17 * MiB, MEM_USABLE);
	fake_add(f, 18 * MiB, 1 * MiB, MEM_RESERVED);
	fake_add(f, 19 * MiB, 109 * MiB, MEM_USABLE);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_int_equal(e.load_addr, 20 * MiB);
	assert_int_equal(e.rip, 20 * MiB + 0x200);
	assert_memory_equal(f->ram + 20 * MiB, img + 5 * 512, o.pm_size);
	free(img);
	fake_free(f);
}

/* pref_address not aligned: runtime start = align_up(pref, alignment). */
static void test_alignment(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img;
	struct fake *f = fake_new(128 * MiB);
	struct linux_params p;
	struct linux_entry e;
	char err[256];

	o.pref = 17 * MiB;
	o.align = 4 * MiB;
	img = make_image(&o, &len);
	p = params(img, len);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_int_equal(e.load_addr, 20 * MiB);
	assert_int_equal(e.load_addr % (4 * MiB), 0);
	free(img);
	fake_free(f);
}

static void test_load_206_32bit(void **state)
{
	struct opts o = opts_206();
	size_t len;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];
	uint8_t rd[5000];
	const uint8_t *zp;
	size_t i;

	memset(rd, 0x5c, sizeof(rd));
	p.initrd = rd;
	p.initrd_len = sizeof(rd);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_false(e.entry64);
	assert_int_equal(e.cr3, 0);
	/* no pref_address before 2.10: 1 MiB, aligned up to 4 MiB */
	assert_int_equal(e.load_addr, 4 * MiB);
	assert_int_equal(e.rip, 4 * MiB);         /* code32_start relocated */
	assert_memory_equal(f->ram + 4 * MiB, img + 5 * 512, o.pm_size);
	zp = f->ram + e.rsi;
	check_zero_page(f, img, &e, p.cmdline);
	assert_int_equal(g32(zp + 0x214), 4 * MiB);
	assert_int_equal(g32(zp + 0x218), e.initrd_addr);
	assert_int_equal(e.initrd_addr, (64 * MiB - 5000) & ~0xfffull);
	assert_memory_equal(f->ram + e.initrd_addr, rd, sizeof(rd));
	check_gdt(f, &e, false);
	/* no page tables were written: low RAM outside the zero page, GDT
	 * and command line is untouched */
	for (i = 0x3000; i < 0x9000; i++)
		if (f->ram[i] != 0xAA)
			fail_msg("low byte 0x%zx written", i);
	free(img);
	fake_free(f);
}

/* 2.12+ without XLF_KERNEL_64: the 32-bit entry, code32_start relocated. */
static void test_no_xlf_kernel64(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img;
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p;
	struct linux_entry e;
	char err[256];

	o.xlf = 0x7e;
	o.code32 = 0x100000 + 0x40;
	img = make_image(&o, &len);
	p = params(img, len);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_false(e.entry64);
	assert_int_equal(e.load_addr, 16 * MiB);
	assert_int_equal(e.rip, 16 * MiB + 0x40);
	assert_int_equal(e.cr3, 0);
	check_gdt(f, &e, false);
	free(img);
	fake_free(f);
}

static void test_non_relocatable(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img;
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p;
	struct linux_entry e;
	char err[256];
	uint8_t rd[100];

	o.relocatable = false;
	o.align = 3;                 /* ignored when not relocatable */
	img = make_image(&o, &len);
	p = params(img, len);
	memset(rd, 1, sizeof(rd));
	p.initrd = rd;
	p.initrd_len = sizeof(rd);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_int_equal(e.load_addr, 0x100000);
	assert_int_equal(e.rip, 0x100200);
	assert_memory_equal(f->ram + 0x100000, img + 5 * 512, o.pm_size);
	/* the initrd is clear of where it runs (pref_address + init_size) */
	assert_true(e.initrd_addr >= 24 * MiB);
	check_zero_page(f, img, &e, p.cmdline);
	free(img);
	fake_free(f);

	/* where it runs must fit: 16 MiB + 8 MiB in a 20 MiB VM does not */
	img = make_image(&o, &len);
	p = params(img, len);
	f = fake_new(20 * MiB);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "VM memory too small for this kernel"));
	assert_int_equal(f->writes, 0);
	free(img);
	fake_free(f);
}

static void test_real_kernel(void **state)
{
	DIR *d = opendir("/boot");
	struct dirent *de;
	char path[512] = "", rdpath[512] = "";
	FILE *fp;
	uint8_t *img, *rd = NULL;
	long n, rn = 0;
	struct fake *f;
	struct linux_params p;
	struct linux_entry e;
	char err[256];

	if (d) {
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, "vmlinuz-", 8)) {
				snprintf(path, sizeof(path), "/boot/%s", de->d_name);
				snprintf(rdpath, sizeof(rdpath), "/boot/initrd.img-%s",
					 de->d_name + 8);
				break;
			}
		closedir(d);
	}
	/* else Debian's cloud kernel as make tools unpacks it, no initrd */
	if (!path[0] || access(path, R_OK) != 0)
		snprintf(path, sizeof(path), "build/kernels/cloud-amd64/vmlinuz");
	if (!path[0] || !(fp = fopen(path, "rb"))) {
		skip();
		return;
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	img = malloc((size_t)n);
	assert_non_null(img);
	assert_int_equal(fread(img, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	if ((fp = fopen(rdpath, "rb"))) {
		fseek(fp, 0, SEEK_END);
		rn = ftell(fp);
		rewind(fp);
		rd = malloc((size_t)rn);
		assert_non_null(rd);
		assert_int_equal(fread(rd, 1, (size_t)rn, fp), (size_t)rn);
		fclose(fp);
	}

	assert_true(linux_probe(img, (size_t)n));
	assert_true(g16(img + 0x206) >= 0x020f);
	assert_true(g16(img + 0x236) & 1);

	f = fake_new(128 * MiB);
	p = params(img, (size_t)n);
	p.cmdline = "console=ttyS0 earlyprintk=serial panic=-1";
	if (rd && rn < (long)(40 * MiB)) {
		p.initrd = rd;
		p.initrd_len = (size_t)rn;
	}
	p.acpi_rsdp = 0xe0000;
	if (linux_load(&f->gm, &p, &e, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	assert_true(e.entry64);
	assert_int_equal(e.load_addr, g64(img + 0x258));
	assert_int_equal(e.load_addr % g32(img + 0x230), 0);
	assert_int_equal(e.rip, e.load_addr + 0x200);
	check_zero_page(f, img, &e, p.cmdline);
	if (p.initrd) {
		assert_true(e.initrd_addr >= e.load_addr + g32(img + 0x260));
		assert_memory_equal(f->ram + e.initrd_addr, rd, (size_t)rn);
	}
	assert_memory_equal(f->ram + e.load_addr,
			    img + (img[0x1f1] + 1) * 512,
			    (size_t)n - (img[0x1f1] + 1) * 512);
	fake_free(f);
	free(rd);
	free(img);
}

/* ---- errors: nothing written, a clear message ---------------------------- */

static void expect_fail(const struct opts *o, size_t cut,
			const struct linux_params *override, uint64_t mem,
			const char *msg)
{
	size_t len;
	uint8_t *img = make_image(o, &len);
	struct fake *f = fake_new(mem);
	struct linux_params p = params(img, cut ? cut : len);
	struct linux_entry e;
	char err[256] = "";

	if (override) {
		p.initrd = override->initrd;
		p.initrd_len = override->initrd_len;
		if (override->cmdline)
			p.cmdline = override->cmdline;
		p.e820 = override->e820;
		p.e820_count = override->e820_count;
	}
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("expected \"%s\", got \"%s\"", msg, err);
	assert_int_equal(f->writes, 0);
	free(img);
	fake_free(f);
}

static void test_bad_signature(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];

	img[0x202] = 'X';
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "not a bzImage: header 0x53726458 at 0x202, "
			    "not \"HdrS\" (0x53726448)");
	img[0x202] = 'H';
	img[0x1fe] = 0;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "boot_flag 0xaa00 at 0x1fe, not 0xAA55"));
	p.kernel = NULL;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_int_equal(f->writes, 0);
	free(img);
	fake_free(f);
}

static void test_old_protocol(void **state)
{
	struct opts o = opts_206();

	o.version = 0x0202;
	expect_fail(&o, 0, NULL, 64 * MiB, "protocol (version) 2.02 is too old");
	o.version = 0x0100;
	expect_fail(&o, 0, NULL, 64 * MiB, "protocol (version) 1.00 is too old");
}

/* 2.03 and 2.05 (what GRUB's linux takes): no cmdline_size (255), 2.03
 * not relocatable (loaded at 1 MiB), 2.05 relocatable. */
static void test_old_protocols_load(void **state)
{
	struct opts o = opts_206();
	static const uint16_t versions[] = { 0x0203, 0x0205 };
	char longline[400];
	unsigned i;

	memset(longline, 'y', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	for (i = 0; i < 2; i++) {
		size_t len;
		uint8_t *img;
		struct fake *f = fake_new(64 * MiB);
		struct linux_params p;
		struct linux_entry e;
		char err[256];
		uint64_t c;

		o.version = versions[i];
		o.cmdline_size = 5;          /* not a field before 2.06 */
		img = make_image(&o, &len);
		p = params(img, len);
		p.cmdline = longline;
		assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
		assert_false(e.entry64);
		assert_int_equal(e.load_addr, i == 0 ? 1 * MiB : 4 * MiB);
		assert_memory_equal(f->ram + e.load_addr, img + 5 * 512, o.pm_size);
		c = g32(f->ram + e.rsi + 0x228);
		assert_int_equal(strlen((const char *)f->ram + c), 255);
		free(img);
		fake_free(f);
	}
}

static void test_truncated(void **state)
{
	struct opts o = opts_215();

	expect_fail(&o, 0x100, NULL, 64 * MiB, "bzImage truncated");
	expect_fail(&o, 0x207, NULL, 64 * MiB, "bzImage truncated");
	/* exactly the setup sectors: no protected-mode kernel */
	expect_fail(&o, 5 * 512, NULL, 64 * MiB, "bzImage truncated");
	/* syssize says more than the file has */
	expect_fail(&o, 5 * 512 + 4096, NULL, 64 * MiB,
		    "has 4096 bytes, its header says syssize 4103 paragraphs");
	/* a whole paragraph missing: 16 * 4103 - 16 bytes is not enough */
	expect_fail(&o, 5 * 512 + 16 * 4102, NULL, 64 * MiB, "bzImage truncated");
}

/* syssize counts 16-byte paragraphs rounded up: the last one may be partial
 * (a real image: 144312 bytes, 142776 of them protected-mode, syssize
 * 8924 = 142784 / 16). */
static void test_partial_paragraph(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img;
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p;
	struct linux_entry e;
	char err[256];

	o.pm_size = 142776;
	img = make_image(&o, &len);
	p32(img + 0x1f4, 8924);              /* (142776 + 15) / 16 */
	p = params(img, len);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_memory_equal(f->ram + e.load_addr, img + 5 * 512, 142776);
	/* one byte of the last paragraph is enough, none is not */
	p.kernel_len = 5 * 512 + 142769;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	p.kernel_len = 5 * 512 + 142768;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "syssize 8924"));
	free(img);
	fake_free(f);
}

/* No initrd (QEMU's -kernel without -initrd): loaded, ramdisk fields 0. */
static void test_no_initrd(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];

	p.initrd = NULL;
	p.initrd_len = 0;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
	assert_int_equal(e.initrd_addr, 0);
	assert_int_equal(g32(f->ram + e.rsi + 0x218), 0);   /* ramdisk_image */
	assert_int_equal(g32(f->ram + e.rsi + 0x21c), 0);   /* ramdisk_size */
	assert_int_equal(g32(f->ram + e.rsi + 0xc0), 0);
	assert_int_equal(g32(f->ram + e.rsi + 0xc4), 0);
	check_zero_page(f, img, &e, p.cmdline);
	free(img);
	fake_free(f);
}

static void test_setup_sects_past_file(void **state)
{
	struct opts o = opts_215();

	o.pm_size = 1000;
	o.setup_sects = 255;
	expect_fail(&o, 5 * 512 + 1000, NULL, 64 * MiB, "bzImage truncated");
	/* setup_sects 0 means 4 */
	o.setup_sects = 0;
	{
		size_t len;
		uint8_t *img = make_image(&o, &len);
		struct fake *f = fake_new(64 * MiB);
		struct linux_params p = params(img, len);
		struct linux_entry e;
		char err[256];

		assert_int_equal(len, 5 * 512 + 1000);
		assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
		assert_memory_equal(f->ram + e.load_addr, img + 5 * 512, 1000);
		free(img);
		fake_free(f);
	}
}

static void load_ok(const struct opts *o, uint64_t *load, uint64_t *rip)
{
	size_t len;
	uint8_t *img = make_image(o, &len);
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];

	if (linux_load(&f->gm, &p, &e, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	check_zero_page(f, img, &e, p.cmdline);
	*load = e.load_addr;
	*rip = e.rip;
	free(img);
	fake_free(f);
}

/* What GRUB and QEMU take, taken as they take it. */
static void test_odd_headers_load(void **state)
{
	struct opts o = opts_215();
	uint64_t load, rip;

	o.hdr_len = 0x30;       /* the jump ends before the fields: read anyway */
	load_ok(&o, &load, &rip);
	assert_int_equal(load, 16 * MiB);
	o.hdr_len = 0xff;       /* past edd_mbr_sig_buffer: copied up to 0x290 */
	load_ok(&o, &load, &rip);
	/* kernel_alignment not a power of two: not relocatable (GRUB) */
	o = opts_215();
	o.align = 3 * MiB;
	load_ok(&o, &load, &rip);
	assert_int_equal(load, 1 * MiB);
	o.align = 0;
	load_ok(&o, &load, &rip);
	assert_int_equal(load, 1 * MiB);
	/* code32_start outside the kernel: taken as it is (32-bit entry) */
	o = opts_206();
	o.code32 = 0x1000;
	load_ok(&o, &load, &rip);
	assert_int_equal(rip, (uint32_t)(load + 0x1000 - 0x100000));
}

static void test_bad_header(void **state)
{
	struct opts o = opts_215();

	o.loadflags = 0;
	expect_fail(&o, 0, NULL, 64 * MiB, "loadflags 0x0 has LOADED_HIGH clear");
}

static void test_cmdline_too_long(void **state)
{
	struct opts o = opts_215();
	struct linux_params ov = { 0 };
	char *big = malloc(700 * KiB);

	o.cmdline_size = 10;
	ov.cmdline = "0123456789";
	{
		size_t len;
		uint8_t *img = make_image(&o, &len);
		struct fake *f = fake_new(64 * MiB);
		struct linux_params p = params(img, len);
		struct linux_entry e;
		char err[256];

		p.cmdline = ov.cmdline;
		assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
		check_zero_page(f, img, &e, p.cmdline);
		free(img);
		fake_free(f);
	}
	/* longer than cmdline_size: cut there (GRUB does) */
	{
		size_t len;
		uint8_t *img = make_image(&o, &len);
		struct fake *f = fake_new(64 * MiB);
		struct linux_params p = params(img, len);
		struct linux_entry e;
		char err[256];

		p.cmdline = "0123456789abc";
		assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
		check_zero_page(f, img, &e, "0123456789");
		/* longer than low memory holds, whatever cmdline_size says */
		assert_non_null(big);
		memset(big, 'x', 700 * KiB - 1);
		big[700 * KiB - 1] = 0;
		p32(img + 0x238, 0xffffffff);
		p.cmdline = big;
		assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), 0);
		assert_int_equal(strlen((const char *)f->ram + g32(f->ram + e.rsi + 0x228)),
				 0x9f000 - 0x9000 - 1);
		free(img);
		fake_free(f);
	}
	free(big);
}

static void test_initrd_too_big(void **state)
{
	struct opts o = opts_215();
	struct linux_params ov = { 0 };
	static uint8_t dummy[1];

	/* 128 MiB VM, kernel at 16-24 MiB: 104 MiB above, 15 below */
	ov.initrd = dummy;
	ov.initrd_len = 105 * MiB;
	expect_fail(&o, 0, &ov, 128 * MiB, "initrd of 105 MiB");
	/* initrd_addr_max below the only room */
	o.initrd_max = 20 * MiB - 1;
	ov.initrd_len = 16 * MiB;
	expect_fail(&o, 0, &ov, 128 * MiB, "does not fit below 0x1400000");
	/* ramdisk_size is 32 bits */
	o = opts_215();
	ov.initrd_len = (size_t)5 * GiB;
	expect_fail(&o, 0, &ov, 128 * MiB, "does not fit");
}

static void test_vm_too_small(void **state)
{
	struct opts o = opts_215();

	expect_fail(&o, 0, NULL, 20 * MiB,
		    "VM memory too small for this kernel: it needs 8 MiB");
	o.init_size = 0xffffffff;
	expect_fail(&o, 0, NULL, 128 * MiB,
		    "VM memory too small for this kernel: it needs 4096 MiB");
	o = opts_215();
	o.pref = 0xfffffffffff00000ull;   /* overflow when aligned */
	expect_fail(&o, 0, NULL, 128 * MiB, "VM memory too small");
	o.pref = 3 * GiB;
	expect_fail(&o, 0, NULL, 128 * MiB, "VM memory too small");
}

static void test_e820_too_many(void **state)
{
	struct opts o = opts_215();
	struct linux_params ov = { 0 };
	static struct mem_range map[129];

	ov.e820 = map;
	ov.e820_count = 129;
	expect_fail(&o, 0, &ov, 64 * MiB, "129 entries");
}

static void test_no_low_ram(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new_empty(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[256];

	fake_add(f, 0x100000, 63 * MiB, MEM_USABLE);
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no usable RAM at 0x1000"));
	assert_int_equal(f->writes, 0);
	free(img);
	fake_free(f);
}

static void test_small_err_buffer(void **state)
{
	struct opts o = opts_215();
	size_t len;
	uint8_t *img = make_image(&o, &len);
	struct fake *f = fake_new(64 * MiB);
	struct linux_params p = params(img, len);
	struct linux_entry e;
	char err[8];

	img[0x202] = 0;
	assert_int_equal(linux_load(&f->gm, &p, &e, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(linux_load(&f->gm, &p, &e, NULL, 0), -1);
	assert_int_equal(linux_load(NULL, &p, &e, err, sizeof(err)), -1);
	assert_int_equal(linux_load(&f->gm, NULL, &e, err, sizeof(err)), -1);
	free(img);
	fake_free(f);
}

/* ---- fuzz ---------------------------------------------------------------- */

static uint32_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void test_fuzz(void **state)
{
	struct opts base[3] = { opts_215(), opts_206(), opts_215() };
	uint64_t seed = 0x5eed1234;
	struct fake *f = fake_new(48 * MiB);
	static uint8_t rd[64 * KiB];
	unsigned it, ok = 0;

	uint8_t *tmpl[3];
	size_t tlen[3];

	base[2].relocatable = false;
	base[0].init_size = 4 * MiB;
	for (it = 0; it < 3; it++)
		tmpl[it] = make_image(&base[it], &tlen[it]);
	for (it = 0; it < 20000; it++) {
		size_t len = tlen[it % 3], cut, k, nmut;
		uint8_t *img = malloc(len);
		struct linux_params p;
		struct linux_entry e;
		char err[200];
		int rc;

		assert_non_null(img);
		memcpy(img, tmpl[it % 3], len);
		nmut = 1 + rng(&seed) % 6;
		for (k = 0; k < nmut; k++) {
			/* mostly the header, sometimes anywhere in setup */
			size_t off = rng(&seed) % 4 ? 0x1f0 + rng(&seed) % 0x80 :
				     rng(&seed) % (5 * 512);
			switch (rng(&seed) % 4) {
			case 0: img[off] = (uint8_t)rng(&seed); break;
			case 1: img[off] ^= (uint8_t)(1u << (rng(&seed) % 8)); break;
			case 2: img[off] = 0; break;
			default: img[off] = 0xff; break;
			}
		}
		cut = rng(&seed) % 8 == 0 ? rng(&seed) % (len + 1) : len;
		p = params(img, cut);
		if (rng(&seed) % 2) {
			p.initrd = rd;
			p.initrd_len = 1 + rng(&seed) % sizeof(rd);
		}
		if (rng(&seed) % 4 == 0)
			p.acpi_rsdp = rng(&seed);
		err[0] = 0;
		rc = linux_load(&f->gm, &p, &e, err, sizeof(err));
		if (rc == 0) {
			ok++;
			/* the 64-bit entry is fixed; code32_start is the
			 * kernel's to choose (GRUB takes any) */
			assert_true(e.entry64 ? e.rip == e.load_addr + 0x200 :
				    e.rip < 0x100000000ull);
			assert_true(e.rsi + 4096 <= 0x9f000);
			assert_true(e.load_addr >= 0x100000);
		} else {
			assert_int_equal(rc, -1);
			assert_true(err[0] != 0);
		}
		free(img);
	}
	/* the mutations leave plenty of images loadable */
	print_message("fuzz: %u of %u mutated images loaded\n", ok, it);
	assert_true(ok > 1000);
	for (it = 0; it < 3; it++)
		free(tmpl[it]);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_load_64),
		cmocka_unit_test(test_e820_and_no_initrd),
		cmocka_unit_test(test_pref_blocked),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_load_206_32bit),
		cmocka_unit_test(test_no_xlf_kernel64),
		cmocka_unit_test(test_non_relocatable),
		cmocka_unit_test(test_real_kernel),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_old_protocol),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_partial_paragraph),
		cmocka_unit_test(test_no_initrd),
		cmocka_unit_test(test_old_protocols_load),
		cmocka_unit_test(test_odd_headers_load),
		cmocka_unit_test(test_setup_sects_past_file),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_cmdline_too_long),
		cmocka_unit_test(test_initrd_too_big),
		cmocka_unit_test(test_vm_too_small),
		cmocka_unit_test(test_e820_too_many),
		cmocka_unit_test(test_no_low_ram),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
