/*
 * core/console/console.c - the console multiplexer (see console.h).
 *
 * One CPU at a time holds the port (`port_owner`, taken with a try, never
 * waited for by a VM). A VM's vCPU that ends a line queues it and, if the
 * port is free, prints at most DRAIN_BATCH queued lines of any VM, oldest
 * first (by the shared sequence number), then lets the port go; lines left
 * behind come out with the next line or the console poll (core/console/input.c).
 * Interrupts stay on, and no other CPU spins meanwhile except one with a
 * yakvm message, which waits for the port so that it is never lost and
 * comes after every line queued before it.
 */
#include "core/console/console.h"
#include "lib/log.h"
#include "arch/x86/fbcon.h"
#include "arch/x86/serial.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

#define MAX_QUEUES 16
#define DRAIN_BATCH 16

static struct console_line *queues[MAX_QUEUES];
static unsigned nqueues;
static uint64_t next_seq = 1;
static volatile uint32_t port_owner;   /* 0, or the holding CPU's id + 1 */
static volatile bool urgent;           /* a panic: the port is anyone's */

static uint32_t me(void)
{
	return (pcpus[0] ? this_cpu()->id : 0) + 1;
}

static bool try_port(void)
{
	uint32_t zero = 0;
	return __atomic_compare_exchange_n(&port_owner, &zero, me(), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void release_port(void)
{
	__atomic_store_n(&port_owner, 0, __ATOMIC_RELEASE);
}

static const struct log_sink console_log_sink = {
	.write = console_write,
	.urgent = console_set_urgent,
};

void console_init(unsigned short port)
{
	serial_init(port);
	log_set_sink(&console_log_sink);
}

/* One byte to the serial port and the screen (fbcon); port held. */
static void out(char c)
{
	serial_putc(c);
	fbcon_putc(c);
}

static void out_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		out(s[i]);
	}
}

/* Prints the oldest queued line if its number is below `before`; port
 * held. False when there is none. */
static bool print_oldest(uint64_t before)
{
	struct console_line *best = NULL;
	uint64_t best_seq = before;
	for (unsigned i = 0; i < __atomic_load_n(&nqueues, __ATOMIC_ACQUIRE); i++) {
		uint64_t seq;
		struct console_line *q = queues[i];
		uint64_t f = spin_lock(&q->lock);
		if (console_ring_peek(&q->ring, &seq) && seq < best_seq) {
			best = q;
			best_seq = seq;
		}
		spin_unlock(&q->lock, f);
	}
	if (!best)
		return false;
	char text[CONSOLE_LINE_MAX];
	uint64_t f = spin_lock(&best->lock);
	size_t len = console_ring_pop(&best->ring, text);
	spin_unlock(&best->lock, f);
	out('[');
	for (const char *p = best->name; *p; p++)
		out(*p);
	out(']');
	out(' ');
	for (size_t i = 0; i < len; i++)
		out(text[i]);
	out('\r');
	out('\n');
	return true;
}

void console_drain(void)
{
	if (!try_port())
		return;
	for (unsigned n = 0; n < DRAIN_BATCH && print_oldest(UINT64_MAX); n++)
		;
	release_port();
}

void console_set_urgent(void)
{
	urgent = true;
}

void console_write(const char *s, size_t len)
{
	uint64_t seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_SEQ_CST);
	if (urgent || port_owner == me()) {
		/* A panic, or an exception while this CPU printed. */
		out_text(s, len);
		return;
	}
	while (!try_port())
		cpu_relax();
	while (print_oldest(seq))
		;	/* every VM line queued before this message */
	out_text(s, len);
	release_port();
}

void console_vm_register(struct console_line *line, const char *vm_name)
{
	line->name = vm_name;
	unsigned n = nqueues;
	if (n < MAX_QUEUES) {
		queues[n] = line;
		__atomic_store_n(&nqueues, n + 1, __ATOMIC_RELEASE);
	}
}

/* Queues the line being written; the VM's lock held. */
static void commit(struct console_line *line)
{
	uint64_t seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_SEQ_CST);
	console_ring_push(&line->ring, seq, line->buf, line->len);
	line->len = 0;
}

/* Keep the host console readable: control bytes become '.'. */
static char readable(char c)
{
	return (unsigned char)c < 0x20 && c != '\t' && c != '\n' ? '.' : c;
}

/* A line was queued: printed after the exit, out of the device's lock
 * and with interrupts on (arch/x86/svm/run.c); at once if there is no
 * vCPU loop. */
static void line_queued(void)
{
	if (pcpus[0] && this_cpu()->current)
		this_cpu()->console_due = true;
	else
		console_drain();
}

void console_vm_putc(struct console_line *line, const char *vm_name, char c)
{
	if (c == '\r')
		return;
	c = readable(c);
	uint64_t f = spin_lock(&line->lock);
	bool full = false;
	if (c == '\n') {
		commit(line);
		full = true;
	} else {
		line->buf[line->len++] = c;
		if (line->len == CONSOLE_LINE_MAX) {
			commit(line);
			full = true;
		}
	}
	spin_unlock(&line->lock, f);
	if (full)
		line_queued();
}

void console_vm_put_line(struct console_line *line, const char *text, size_t len)
{
	char buf[CONSOLE_LINE_MAX];
	if (len > CONSOLE_LINE_MAX)
		len = CONSOLE_LINE_MAX;
	for (size_t i = 0; i < len; i++)
		buf[i] = text[i] == '\n' ? '.' : readable(text[i]);
	uint64_t f = spin_lock(&line->lock);
	uint64_t seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_SEQ_CST);
	console_ring_push(&line->ring, seq, buf, len);
	spin_unlock(&line->lock, f);
	line_queued();
}

bool console_vm_room(struct console_line *line)
{
	uint64_t f = spin_lock(&line->lock);
	bool room = line->ring.head - line->ring.tail < CONSOLE_RING_LINES;
	spin_unlock(&line->lock, f);
	return room;
}

void console_vm_flush(struct console_line *line, const char *vm_name)
{
	uint64_t f = spin_lock(&line->lock);
	bool any = line->len != 0;
	if (any)
		commit(line);
	spin_unlock(&line->lock, f);
	if (any)
		console_drain();
}
