/* core/console.c - the console multiplexer (see console.h). */
#include "core/console.h"
#include "arch/x86/serial.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static struct spinlock console_lock;

void console_init(unsigned short port)
{
	serial_init(port);
}

void console_write(const char *s, size_t len)
{
	uint64_t f = spin_lock(&console_lock);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	spin_unlock(&console_lock, f);
}

static void emit_line(struct console_line *line, const char *vm_name)
{
	uint64_t f = spin_lock(&console_lock);
	serial_putc('[');
	for (const char *p = vm_name; *p; p++)
		serial_putc(*p);
	serial_putc(']');
	serial_putc(' ');
	for (size_t i = 0; i < line->len; i++)
		serial_putc(line->buf[i]);
	serial_putc('\r');
	serial_putc('\n');
	spin_unlock(&console_lock, f);
	line->len = 0;
}

void console_vm_putc(struct console_line *line, const char *vm_name, char c)
{
	if (c == '\n') {
		emit_line(line, vm_name);
		return;
	}
	if (c == '\r')
		return;
	/* Keep the host console readable: control bytes become '.'. */
	if ((unsigned char)c < 0x20 && c != '\t')
		c = '.';
	line->buf[line->len++] = c;
	if (line->len == CONSOLE_LINE_MAX)
		emit_line(line, vm_name);
}

void console_vm_flush(struct console_line *line, const char *vm_name)
{
	if (line->len)
		emit_line(line, vm_name);
}
