/*
 * tests/unit/hex_bytes.h - instruction bytes written as hex in the unit
 * tests ("48 8b 07"): pairs of hex digits, spaces between them ignored.
 */
#ifndef YAKVM_TESTS_HEX_BYTES_H
#define YAKVM_TESTS_HEX_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of `hex` into out; how many. Fails the test (cmocka) on a
 * digit pair that is not hex or on more than max bytes. */
size_t hex_bytes(const char *hex, uint8_t *out, size_t max);

#endif
