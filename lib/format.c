/* lib/format.c - vsnprintf for the hypervisor (see format.h). */
#include <stdint.h>
#include <stdbool.h>
#include "lib/format.h"
#include "lib/string.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* prefix ("-", "0x" or "") goes before any zero padding, and counts in
 * the width. */
static void put_num(struct out *o, uint64_t v, unsigned base, bool upper,
		    const char *prefix, int width, bool left, bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int total = n + (int)strlen(prefix);
	if (!left && !zero)
		pad(o, ' ', width - total);
	while (*prefix)
		put(o, *prefix++);
	if (!left && zero)
		pad(o, '0', width - total);
	while (n)
		put(o, tmp[--n]);
	if (left)
		pad(o, ' ', width - total);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		bool left = false, zero = false;
		int width = 0, prec = -1, lng = 0, shrt = 0;
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {	/* a negative width is '-' (C99 7.19.6.1p5) */
				left = true;
				width = width == INT32_MIN ? INT32_MAX : -width;
			}
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z')
				lng++;
			else if (*fmt == 'h')
				shrt++;	/* h: short, hh: char */
			else
				break;
		}
		uint64_t u;
		int64_t s;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (!lng && shrt)	/* converted as C99 7.19.6.1p7 says */
				s = shrt == 1 ? (short)s : (signed char)s;
			put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, false,
				s < 0 ? "-" : "", width, left, zero);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			if (!lng && shrt)
				u = shrt == 1 ? (unsigned short)u : (unsigned char)u;
			put_num(&o, u, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				*fmt == 'X', "", width, left, zero);
			break;
		case 'p':
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false,
				"0x", width, left, zero);
			break;
		case 'c':
			pad(&o, ' ', left ? 0 : width - 1);
			put(&o, (char)va_arg(ap, int));
			pad(&o, ' ', left ? width - 1 : 0);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int n = (int)(prec >= 0 ? strnlen(str, prec) : strlen(str));
			pad(&o, ' ', left ? 0 : width - n);
			for (int i = 0; i < n; i++)
				put(&o, str[i]);
			pad(&o, ' ', left ? width - n : 0);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
