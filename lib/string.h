/*
 * lib/string.h - the few C string and memory functions yakvm needs.
 * Freestanding: yakvm links no libc. The names and signatures are the
 * standard ones, so host-side unit tests can use the C library's instead.
 */
#ifndef YAKVM_LIB_STRING_H
#define YAKVM_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
