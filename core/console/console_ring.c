/* core/console/console_ring.c - a VM's queue of console lines (see console_ring.h). */
#include "core/console/console_ring.h"
#include "lib/string.h"

bool console_ring_push(struct console_ring *r, uint64_t seq, const char *s, size_t len)
{
	r->written++;
	if (r->head - r->tail == CONSOLE_RING_LINES) {
		r->dropped++;
		return false;
	}
	if (len > CONSOLE_LINE_MAX)
		len = CONSOLE_LINE_MAX;
	unsigned i = r->head % CONSOLE_RING_LINES;
	r->slot[i].seq = seq;
	r->slot[i].len = (uint16_t)len;
	memcpy(r->slot[i].text, s, len);
	r->head++;
	return true;
}

bool console_ring_peek(const struct console_ring *r, uint64_t *seq)
{
	if (r->head == r->tail)
		return false;
	*seq = r->slot[r->tail % CONSOLE_RING_LINES].seq;
	return true;
}

size_t console_ring_pop(struct console_ring *r, char *buf)
{
	if (r->head == r->tail)
		return 0;
	unsigned i = r->tail % CONSOLE_RING_LINES;
	size_t len = r->slot[i].len;
	memcpy(buf, r->slot[i].text, len);
	r->tail++;
	return len;
}
