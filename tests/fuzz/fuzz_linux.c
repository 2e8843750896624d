/*
 * tests/fuzz/fuzz_linux.c - the Linux bzImage loader (guest/linux.c) on any
 * image, with an initrd and a command line, into a VM of 16-128 MiB
 * (tests/fuzz/fake_ram.c aborts on any write outside usable RAM).
 * Input: byte 0 the RAM size, byte 1 the initrd length (KiB), byte 2 the
 * command line length / 4, then the image (a heap copy of exactly its size).
 * Properties: linux_probe never reads past the image; a load fails with a
 * one-line reason, or gives an entry whose RIP, zero page, GDT, page tables
 * (64-bit entry), kernel and initrd lie in usable RAM, with the zero page's
 * header copy naming the command line and initrd where they were put.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux.h"
#include "tests/fuzz/fake_ram.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_linux: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint64_t mem = (16ull << 20) << (data[0] % 4);
	size_t initrd_len = (size_t)data[1] * 1024;
	static char cmdline[1024];
	memset(cmdline, 'c', sizeof(cmdline));
	cmdline[data[2] * 4] = 0;
	size_t len = size - 3;
	uint8_t *image = malloc(len ? len : 1);
	memcpy(image, data + 3, len);
	static uint8_t initrd[256 * 1024];

	struct fake_ram *r = fake_ram_get(mem);
	struct linux_params p = {
		.kernel = image, .kernel_len = len,
		.initrd = initrd_len ? initrd : NULL, .initrd_len = initrd_len,
		.cmdline = cmdline, .acpi_rsdp = 0xe0000,
	};
	struct linux_entry e;
	char err[128];
	memset(&e, 0xa5, sizeof(e));
	memset(err, 0x55, sizeof(err));

	linux_probe(image, len);
	int rc = linux_load(&r->gm, &p, &e, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc) {
		CHECK(memchr(err, 0, sizeof(err)) && err[0] && !strchr(err, '\n'));
		CHECK(r->writes == 0);	/* every check before the first write */
		free(image);
		return 0;
	}
	/* code32_start is the kernel's to choose (GRUB takes any): only the
	 * 64-bit entry is the loader's */
	if (e.entry64)
		CHECK(e.rip == e.load_addr + 0x200 && fake_ram_usable(r, e.rip, 1));
	CHECK(fake_ram_usable(r, e.rsi, 4096));
	CHECK(fake_ram_usable(r, e.gdt_base, (uint64_t)e.gdt_limit + 1));
	CHECK(e.gdt_limit >= 0x1f);
	CHECK(fake_ram_usable(r, e.load_addr, 1));
	if (e.entry64)
		CHECK(fake_ram_usable(r, e.cr3, 4096));
	else
		CHECK(e.cr3 == 0 && e.rip <= 0xffffffffull);
	/* The zero page's setup header: cmd_line_ptr (0x228), ramdisk (0x218, 0x21c). */
	uint32_t cmd = fake_ram_read32(r, e.rsi + 0x228);
	CHECK(fake_ram_usable(r, cmd, 1) && memchr(r->bytes + cmd, 0, r->size - cmd));
	if (initrd_len) {
		CHECK(e.initrd_addr && fake_ram_usable(r, e.initrd_addr, initrd_len));
		CHECK(fake_ram_read32(r, e.rsi + 0x218) == e.initrd_addr &&
		      fake_ram_read32(r, e.rsi + 0x21c) == initrd_len);
	} else {
		CHECK(e.initrd_addr == 0);
	}
	free(image);
	return 0;
}
