/*
 * tests/guests/mmio_compare.h - what mmio16.c, mmio32.c and mmio64.c share:
 * the window's fill pattern, reading it back, and the check of the test
 * device's record of the accesses (devices/testdev.h) against what a case
 * expects. Each of them includes it once, with TD and WIN defined.
 */
#ifndef MMIO_COMPARE_H
#define MMIO_COMPARE_H

static uint8_t pat(unsigned i)
{
	return (uint8_t)(i * 0x3b + 0x5a);
}

static void fill_window(uint32_t base)
{
	volatile uint32_t *w = (volatile uint32_t *)base;
	for (unsigned i = 0; i < WIN; i += 4)
		w[i / 4] = pat(i) | pat(i + 1) << 8 | pat(i + 2) << 16 | (uint32_t)pat(i + 3) << 24;
}

static void snap_window(uint32_t base, uint8_t *win)
{
	volatile uint32_t *w = (volatile uint32_t *)base;
	for (unsigned i = 0; i < WIN; i += 4) {
		uint32_t v = w[i / 4];
		memcpy(win + i, &v, 4);
	}
}

static uint32_t td_reg(unsigned off)
{
	return *(volatile uint32_t *)(TD + off);
}

/* What a case expects of the device; -1: not checked (cnt 0: no access). */
struct access_expect {
	int cnt, off, size, wr;
};

/* The window after the RAM copy (wa) and after the device copy (wb), then
 * the device's status st[] (last offset, size, write, access count, last
 * value low and high). Writes what differs to msg; 0 if nothing. */
static int compare_window_and_device(char *msg, size_t cap, const uint8_t *wa,
				     const uint8_t *wb, const uint32_t *st,
				     struct access_expect e)
{
	for (unsigned i = 0; i < WIN; i++)
		if (wa[i] != wb[i])
			return snprintf(msg, cap, "window byte 0x%x ram=0x%x mmio=0x%x",
					i, wa[i], wb[i]);
	if (e.cnt >= 0 && st[3] != (uint32_t)e.cnt)
		return snprintf(msg, cap, "device saw %u accesses, expected %d", st[3], e.cnt);
	if (e.cnt != 0 && ((e.off >= 0 && st[0] != (uint32_t)e.off) ||
			   (e.size >= 0 && st[1] != (uint32_t)e.size) ||
			   (e.wr >= 0 && st[2] != (uint32_t)e.wr)))
		return snprintf(msg, cap, "last access off 0x%x size %u %s, expected 0x%x size %d %s",
				st[0], st[1], st[2] ? "write" : "read", e.off, e.size,
				e.wr ? "write" : "read");
	if (e.cnt != 0 && st[2] == 1 && st[0] + st[1] <= WIN) {
		uint64_t v = 0;
		for (unsigned i = 0; i < st[1]; i++)
			v |= (uint64_t)wb[st[0] + i] << (8 * i);
		if ((uint32_t)v != st[4] || (uint32_t)(v >> 32) != st[5])
			return snprintf(msg, cap, "last written value 0x%x%08x, memory has 0x%x%08x",
					st[5], st[4], (uint32_t)(v >> 32), (uint32_t)v);
	}
	return 0;
}

#endif
