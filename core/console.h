/*
 * core/console.h - the host console multiplexer. yakvm's messages and every
 * VM's serial output share one physical port; VM output is collected into
 * whole lines and printed with the VM's name as a prefix, so lines from
 * different VMs never interleave mid-line.
 */
#ifndef YAKVM_CORE_CONSOLE_H
#define YAKVM_CORE_CONSOLE_H

#include <stddef.h>

#define CONSOLE_LINE_MAX 256

struct console_line {
	char buf[CONSOLE_LINE_MAX];
	size_t len;
};

void console_init(unsigned short port);
/* Writes a whole string atomically with respect to other writers. */
void console_write(const char *s, size_t len);
/* One byte of a VM's output: buffered until '\n' or a full line. */
void console_vm_putc(struct console_line *line, const char *vm_name, char c);
/* Flushes a partial line (a VM that stops mid-line). */
void console_vm_flush(struct console_line *line, const char *vm_name);

#endif
