/* core/console.c - the console multiplexer (see console.h). */
#include "core/console.h"
#include "arch/x86/fbcon.h"
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
		fbcon_putc(s[i]);
	}
	spin_unlock(&console_lock, f);
}

/* One byte to the serial port and the screen (fbcon); console lock held. */
static void out(char c)
{
	serial_putc(c);
	fbcon_putc(c);
}

static void emit_line(struct console_line *line, const char *vm_name)
{
	uint64_t f = spin_lock(&console_lock);
	out('[');
	for (const char *p = vm_name; *p; p++)
		out(*p);
	out(']');
	out(' ');
	for (size_t i = 0; i < line->len; i++)
		out(line->buf[i]);
	out('\r');
	out('\n');
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
