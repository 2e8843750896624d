/* lib/log.c - yakvm's own log lines and panic() (see log.h). */
#include <stdarg.h>
#include "lib/log.h"
#include "arch/x86/cpu.h"
#include "lib/format.h"
#include "lib/string.h"

static enum log_level current_level = LOG_INFO;
static const struct log_sink *sink;

void log_set_sink(const struct log_sink *s) { sink = s; }

static void sink_write(const char *s, size_t len)
{
	if (sink)
		sink->write(s, len);
}

void log_set_level(enum log_level level) { current_level = level; }

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n = strlcpy(buf, prefix, sizeof(buf));
	int m = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	n += (size_t)m < sizeof(buf) - n - 1 ? (size_t)m : sizeof(buf) - n - 2;
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	sink_write(buf, n);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > current_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(level == LOG_ERROR ? "yakvm: error: " :
	     level == LOG_WARN ? "yakvm: warning: " : "yakvm: ", fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sink_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void log_urgent(void)
{
	if (sink)
		sink->urgent();
}

void panic(const char *fmt, ...)
{
	irq_disable();
	log_urgent();
	va_list ap;
	va_start(ap, fmt);
	vlog("yakvm: PANIC: ", fmt, ap);
	va_end(ap);
	for (;;)
		cpu_halt();
}

/* -fstack-protector with the guard in a global (no TLS in yakvm). */
uintptr_t __stack_chk_guard = 0x595a4b564d5f5350ull;

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack smashing detected");
}
