/*
 * lib/errmsg.h - the parsers' and loaders' way of saying why input is
 * refused: one sentence into the caller's buffer, and -1 to return.
 */
#ifndef YAKVM_LIB_ERRMSG_H
#define YAKVM_LIB_ERRMSG_H

#include <stddef.h>

/* Formats the reason into err[errlen] (if err is not NULL); returns -1, so
 * that `return errmsg(err, errlen, "...")` reads well. */
int errmsg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
