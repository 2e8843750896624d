/*
 * tests/fuzz/fuzz_vmdesc.c - the module-line parser (core/vm/vmdesc.c) on any
 * text, and vmdesc_parse_size() on any bytes (a heap copy of exactly their
 * size, no NUL: it must read only s[0..len)).
 * Properties: a line is accepted with every field in range (name
 * [a-z][a-z0-9_-]*, at most VM_NAME_MAX; vcpus 1..VM_VCPUS_MAX; mem 4K
 * aligned in [VM_MEM_MIN, VM_MEM_MAX]; a CPU mask not empty; args
 * NUL-terminated; up to VM_DISKS_MAX disks, each naming a valid image, a
 * size 512-aligned and at most VM_DISK_SIZE_MAX, a printable serial of 1 to
 * 20 characters; an image= line's name valid), or refused with a reason (one line if the line is); a size that parses
 * as plain decimal digits has their value.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm/vmdesc.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_vmdesc: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

static void check_name(const char *s)
{
	size_t n = strnlen(s, VM_NAME_MAX + 1);
	CHECK(n >= 1 && n <= VM_NAME_MAX);
	CHECK(s[0] >= 'a' && s[0] <= 'z');
	for (size_t i = 0; i < n; i++)
		CHECK((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-');
}

static void fuzz_size(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	memcpy(s, data, size);
	uint64_t v = 0;
	if (vmdesc_parse_size(s, size, &v) && size > 0 && size < 20) {
		bool digits = true;
		uint64_t want = 0;
		for (size_t i = 0; i < size; i++) {
			digits &= s[i] >= '0' && s[i] <= '9';
			want = want * 10 + (uint64_t)(s[i] - '0');
		}
		if (digits)
			CHECK(v == want);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_size(data, size);

	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;
	static struct mod_line m;
	char err[128];
	memset(&m, 0xa5, sizeof(m));
	memset(err, 0x55, sizeof(err));
	int rc = vmdesc_parse(line, &m, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc) {
		CHECK(memchr(err, 0, sizeof(err)) && err[0]);
		CHECK(memchr(line, '\n', size) || !strchr(err, '\n'));	/* quotes the line */
	} else if (m.role == MOD_VM) {
		check_name(m.vm.name);
		CHECK(m.vm.kind <= VM_KIND_LINUX && m.vm.on_reset <= VM_ON_RESET_REBOOT);
		CHECK(m.vm.vcpus >= 1 && m.vm.vcpus <= VM_VCPUS_MAX);
		CHECK(m.vm.mem >= VM_MEM_MIN && m.vm.mem <= VM_MEM_MAX && m.vm.mem % 4096 == 0);
		CHECK(m.vm.cpu_mask != 0);
		CHECK(memchr(m.args, 0, sizeof(m.args)));
		CHECK(m.vm.ndisks <= VM_DISKS_MAX);
		for (unsigned i = 0; i < m.vm.ndisks; i++) {
			const struct disk_desc *d = &m.vm.disks[i];
			CHECK(d->source <= DISK_SERIAL);
			if (d->source == DISK_MODULE) {
				check_name(d->image);
			} else {
				size_t h = strnlen(d->host, sizeof(d->host));
				CHECK(h >= 1 && h <= VM_DISK_HOST_MAX && d->size == 0);
				for (size_t k = 0; k < h; k++)
					CHECK(d->host[k] > ' ' && d->host[k] <= '~');
			}
			CHECK(d->size % 512 == 0 && d->size <= VM_DISK_SIZE_MAX);
			size_t n = strnlen(d->serial, sizeof(d->serial));
			CHECK(n >= 1 && n <= VM_DISK_SERIAL_MAX);
			for (size_t k = 0; k < n; k++)
				CHECK(d->serial[k] > ' ' && d->serial[k] <= '~');
		}
	} else if (m.role == MOD_IMAGE) {
		check_name(m.image);
	} else {
		CHECK(m.role == MOD_ATTACH);
		check_name(m.attach_to);
		CHECK(memchr(m.args, 0, sizeof(m.args)));
	}
	free(line);
	return 0;
}
