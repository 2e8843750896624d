/* lib/token.c - blank-separated words (see token.h). */
#include "lib/token.h"
#include "lib/string.h"

bool token_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(s, word, len) == 0;
}

bool token_switch(const char *s, size_t len, const char *yes, const char *no, bool *out)
{
	if (!token_is(s, len, yes) && !token_is(s, len, no))
		return false;
	*out = token_is(s, len, yes);
	return true;
}

bool next_token(const char **p, struct token *t)
{
	const char *s = *p;
	while (is_blank(*s))
		s++;
	t->s = s;
	while (*s && !is_blank(*s))
		s++;
	t->len = (size_t)(s - t->s);
	*p = s;
	return t->len > 0;
}
