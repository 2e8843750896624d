/*
 * lib/token.h - splitting a command line into blank-separated words, for
 * yakvm's own options (core/options.c) and the VM description lines
 * (core/vm/vmdesc.c).
 */
#ifndef YAKVM_LIB_TOKEN_H
#define YAKVM_LIB_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

struct token {
	const char *s;
	size_t len;
};

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* True if s[0..len) is exactly `word`. */
bool token_is(const char *s, size_t len, const char *word);
/* A switch: true if s[0..len) is `yes` or `no`, with *out set to which;
 * false (and *out unchanged) for anything else. */
bool token_switch(const char *s, size_t len, const char *yes, const char *no, bool *out);
/* Finds the next blank-separated token at or after *p and moves *p past
 * it; false when there is none. */
bool next_token(const char **p, struct token *t);

#endif
