/*
 * lib/number.h - reading numbers and I/O ports from text: yakvm's options
 * (core/options.c), the VM description lines (core/vm/vmdesc.c) and the gdb
 * remote protocol (core/gdb/gdb_rsp.c).
 */
#ifndef YAKVM_LIB_NUMBER_H
#define YAKVM_LIB_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of a hex digit (0-9, a-f, A-F), or -1. */
int hex_digit(char c);

/* Reads digits of `base` (10 or 16) from the start of s[0..len), up to the
 * first other character. Returns how many it read, or 0 if none, or if the
 * value is above `max` (*out is then left alone). */
size_t parse_uint(const char *s, size_t len, unsigned base, uint64_t max, uint64_t *out);

/* An I/O port, all of s[0..len): "com1".."com4" (the PC's COM ports 0x3f8,
 * 0x2f8, 0x3e8, 0x2e8), or "0x1".."0xffff" (also 0X, any case). */
bool parse_io_port(const char *s, size_t len, uint16_t *port);

#endif
