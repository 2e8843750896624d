/*
 * core/console/console.h - the host console multiplexer. yakvm's messages and every
 * VM's serial output share one physical port. VM output is collected into
 * whole lines, queued in the VM's own bounded queue (core/console/console_ring.h)
 * and printed with the VM's name as a prefix, so lines from different VMs
 * never interleave mid-line. A VM never waits for the port: whoever holds
 * the port prints the queued lines, oldest first, a few at a time, and a
 * line that finds its VM's queue full is dropped and counted.
 */
#ifndef YAKVM_CORE_CONSOLE_H
#define YAKVM_CORE_CONSOLE_H

#include <stddef.h>
#include "core/console/console_ring.h"
#include "lib/spinlock.h"

struct console_line {
	char buf[CONSOLE_LINE_MAX]; /* the line being written */
	size_t len;
	const char *name;           /* the VM's, once registered */
	struct spinlock lock;       /* the queue and the line */
	struct console_ring ring;
};

void console_init(unsigned short port);
/* Writes a whole string atomically with respect to other writers, after
 * every VM line queued before it. */
void console_write(const char *s, size_t len);
/* A panic or an exception report follows: from now on every write goes
 * straight to the port, whoever holds it. */
void console_set_urgent(void);
/* Makes a VM's queue known to the printer (at most MAX_VMS). */
void console_vm_register(struct console_line *line, const char *vm_name);
/* One byte of a VM's output: buffered until '\n' or a full line. */
void console_vm_putc(struct console_line *line, const char *vm_name, char c);
/* A whole line of another of the VM's consoles (virtio-console), without
 * its newline: queued as one line, after the UART's line being written is
 * left alone (the two never mix within a line). */
void console_vm_put_line(struct console_line *line, const char *text, size_t len);
/* Whether the VM's queue has room for another line. The UART's transmitter
 * is busy while it has none (devices/uart16550.c), as a real one is busy
 * while its line is slower than the writer: flow control, not loss. */
bool console_vm_room(struct console_line *line);
/* Queues a partial line (a VM that stops mid-line). */
void console_vm_flush(struct console_line *line, const char *vm_name);
/* Prints some queued lines if the port is free; called regularly, so that
 * lines queued while another CPU held the port come out. */
void console_drain(void);

#endif
