/*
 * tests/fuzz/fuzz_multiboot1.c - the Multiboot1 loader (guest/multiboot1.c:
 * ELF32, ELF64 and a.out-kludge images) on any image, with up to 3 modules
 * and a command line, into a VM of 4-32 MiB (tests/fuzz/fake_ram.c aborts
 * on any write outside usable RAM).
 * Input: byte 0 the RAM size, byte 1 the module count, byte 2 the command
 * line length, then the image (a heap copy of exactly its size).
 * Properties: mb1_probe never reads past the image; a load fails with a
 * one-line reason, or enters with EAX = 0x2BADB002 and EBX at an
 * information block in RAM whose command line, modules and memory map
 * (Multiboot spec 0.6.96, 3.3) lie in usable RAM as it says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/multiboot1.h"
#include "tests/fuzz/fake_ram.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_multiboot1: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

static void check_string(const struct fake_ram *r, uint32_t gpa)
{
	CHECK(fake_ram_usable(r, gpa, 1));
	CHECK(memchr(r->bytes + gpa, 0, r->size - gpa));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint64_t mem = (4ull << 20) << (data[0] % 4);
	unsigned nmods = data[1] % 4;
	char cmdline[256];
	memset(cmdline, 'c', sizeof(cmdline));
	cmdline[data[2]] = 0;
	size_t len = size - 3;
	uint8_t *image = malloc(len ? len : 1);
	memcpy(image, data + 3, len);

	struct mb1_module_src mods[3];
	for (unsigned i = 0; i < nmods; i++)
		mods[i] = (struct mb1_module_src){ .data = image, .len = len >> i,
						   .string = i == 1 ? "" : "module" };
	struct fake_ram *r = fake_ram_get(mem);
	struct mb1_entry e = { 0 };
	char err[128];
	memset(err, 0x55, sizeof(err));

	mb1_probe(image, len);
	int rc = mb1_load(&r->gm, image, len, cmdline, mods, nmods, &e, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc) {
		CHECK(memchr(err, 0, sizeof(err)) && err[0] && !strchr(err, '\n'));
		free(image);
		return 0;
	}
	CHECK(e.eax == MB1_BOOTLOADER_MAGIC);
	CHECK(fake_ram_usable(r, e.ebx, 116));
	uint32_t flags = fake_ram_read32(r, e.ebx);
	if (flags & (1u << 2))
		check_string(r, fake_ram_read32(r, e.ebx + 16));
	if (flags & (1u << 3)) {
		uint32_t count = fake_ram_read32(r, e.ebx + 20), at = fake_ram_read32(r, e.ebx + 24);
		CHECK(count == nmods);
		for (unsigned i = 0; i < count; i++) {
			uint32_t start = fake_ram_read32(r, at + 16 * i), end = fake_ram_read32(r, at + 16 * i + 4);
			CHECK(start <= end);
			if (end > start)
				CHECK(fake_ram_usable(r, start, end - start));
			check_string(r, fake_ram_read32(r, at + 16 * i + 8));
		}
	}
	if (flags & (1u << 6)) {
		uint32_t mlen = fake_ram_read32(r, e.ebx + 44), at = fake_ram_read32(r, e.ebx + 48);
		CHECK(mlen > 0 && fake_ram_usable(r, at, mlen));
		for (uint32_t off = 0; off < mlen; off += fake_ram_read32(r, at + off) + 4)
			CHECK(fake_ram_read32(r, at + off) >= 20);
	}
	if (flags & (1u << 9))
		check_string(r, fake_ram_read32(r, e.ebx + 64));
	free(image);
	return 0;
}
