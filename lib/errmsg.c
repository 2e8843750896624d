/* lib/errmsg.c - one sentence of why input is refused (errmsg.h). */
#include <stdarg.h>
#include "lib/errmsg.h"
#include "lib/format.h"

int errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
