/*
 * tests/fuzz/fuzz_options.c - yakvm's command line (core/options.c) on any
 * text, with any size of warning buffer (the first byte), both from heap
 * copies of exactly their size (ASan sees any overrun).
 * Properties: every option ends in range; no problem reported means an
 * empty warning text; the warnings fit their buffer, NUL-terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_options: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t warnlen = data[0] % 160;
	char *line = malloc(size);
	memcpy(line, data + 1, size - 1);
	line[size - 1] = 0;
	char *warn = malloc(warnlen ? warnlen : 1);
	memset(warn, 0x55, warnlen ? warnlen : 1);

	struct yakvm_options o;
	options_defaults(&o);
	int n = options_parse(line, &o, warn, warnlen);
	CHECK(n >= 0);
	CHECK(o.loglevel <= LOG_DEBUG && o.on_idle <= ON_IDLE_EXIT);
	CHECK(o.console_port != 0);
	if (warnlen) {
		CHECK(memchr(warn, 0, warnlen));
		CHECK(n > 0 || warn[0] == 0);
	}
	free(line);
	free(warn);
	return 0;
}
