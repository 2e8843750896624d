/*
 * lib/format.h - printf-style formatting into a buffer.
 * Supports %d %i %u %x %X %o %c %s %p %% with the flags '-' '0' and a width,
 * the precision for %s (%.*s too), and the length modifiers hh h l ll z.
 * The semantics match C99 for that subset, so host tests may use libc's.
 */
#ifndef YAKVM_LIB_FORMAT_H
#define YAKVM_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
