/* guest/rt/rt.c - the guests' runtime (see rt.h). */
#include "rt.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

volatile int rt_last_vector;
volatile uint32_t rt_last_error;
volatile uint32_t rt_fixup;

void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

bool str_contains(const char *text, const char *word)
{
	size_t n = strlen(word), len = strlen(text);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(text + i, word, n) == 0)
			return true;
	return false;
}

int rt_option(const char *cmdline, const char *key, int def)
{
	size_t n = strlen(key);
	for (const char *c = cmdline; *c; c++)
		if (memcmp(c, key, n) == 0) {
			int v = 0;
			for (c += n; *c >= '0' && *c <= '9'; c++)
				v = v * 10 + (*c - '0');
			return v;
		}
	return def;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static void put_num(char **o, char *end, uint32_t v, unsigned base, int width, char pad)
{
	char tmp[12];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		if (*o < end) *(*o)++ = pad;
	while (n)
		if (*o < end) *(*o)++ = tmp[--n]; else n--;
}

/* %d %u %x %s %c %%, with a width and '0' padding; %llx for 64 bits. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	char *o = buf, *end = buf + size - 1;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (o < end) *o++ = *fmt;
			continue;
		}
		char pad = ' ';
		int width = 0, longs = 0;
		fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		switch (*fmt) {
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0) {
				if (o < end) *o++ = '-';
				v = -v;
			}
			put_num(&o, end, (uint32_t)v, 10, width, pad);
			break;
		}
		case 'u':
			put_num(&o, end, va_arg(ap, uint32_t), 10, width, pad);
			break;
		case 'x':
			if (longs >= 2) {
				uint64_t v = va_arg(ap, uint64_t);
				if (v >> 32) {
					put_num(&o, end, (uint32_t)(v >> 32), 16, width > 8 ? width - 8 : 0, pad);
					put_num(&o, end, (uint32_t)v, 16, 8, '0');
				} else {
					put_num(&o, end, (uint32_t)v, 16, width, pad);
				}
			} else {
				put_num(&o, end, va_arg(ap, uint32_t), 16, width, pad);
			}
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s)
				if (o < end) *o++ = *s++; else s++;
			break;
		}
		case 'c':
			if (o < end) *o++ = (char)va_arg(ap, int);
			break;
		default:
			if (o < end) *o++ = *fmt;
		}
	}
	*o = 0;
	return (int)(o - buf);
}

volatile int rt_failures;

void rt_check(const char *tag, bool ok, const char *name, const char *fmt, ...)
{
	if (ok) {
		printf("%s: ok %s\n", tag, name);
		return;
	}
	char buf[160] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%s: FAIL %s (%s)\n", tag, name, buf);
	rt_failures++;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	puts(buf);
	return n;
}

void rt_exit(int status)
{
	outl(DEBUG_EXIT, (uint32_t)status);
	for (;;)	/* not reached under yakvm */
		__asm__ volatile("cli; hlt");
}

void rt_delay(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

static rt_irq_handler irq_handlers[256];
volatile uint32_t rt_irq_count[256];

void rt_set_irq_handler(unsigned vector, rt_irq_handler h)
{
	irq_handlers[vector & 0xff] = h;
}

static void rt_exception(struct rt_frame *f)
{
	if (rt_fixup) {
		rt_last_vector = (int)f->vector;
		rt_last_error = f->error;
		f->eip = rt_fixup;
		rt_fixup = 0;
		return;
	}
	printf("guest: unexpected exception %u (error 0x%x) at eip=0x%x\n",
	       f->vector, f->error, f->eip);
	rt_exit(0x80 + (int)f->vector);
}

void rt_trap(struct rt_frame *f);
void rt_trap(struct rt_frame *f)
{
	if (f->vector < 32 && !irq_handlers[f->vector]) {
		rt_exception(f);
		return;
	}
	rt_irq_count[f->vector & 0xff]++;
	if (irq_handlers[f->vector & 0xff])
		irq_handlers[f->vector & 0xff](f);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "rdmsr\n\t"
			 "1: movl $0, rt_fixup"
			 : "=a"(lo), "=d"(hi) : "c"(msr), "a"(0), "d"(0) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return rt_last_vector;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t"
			 "wrmsr\n\t"
			 "1: movl $0, rt_fixup"
			 :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	return rt_last_vector;
}

void rt_start(uint32_t magic, struct mb1_info *info);
void rt_start(uint32_t magic, struct mb1_info *info)
{
	rt_exit(guest_main(magic, info));
}
