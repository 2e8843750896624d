/*
 * tests/fuzz/device_fuzz.h - the common driver of the device-model
 * harnesses (tests/fuzz/fuzz_<device>.c). The input is a sequence of
 * 8-byte records, each one guest (or platform) action on the model through
 * its device_model interface, as devices/bus.c and core/run/mmio.c make them:
 *
 *   byte 0    bits 0-2: 0, 1, 7 read; 2, 3 write; 4 advance time;
 *             5 the model's own extra action (an IRQ line, host input...);
 *             6 reset when bits 3-7 are all set, else a read.
 *             bits 3-4: time shift for kind 4
 *   bytes 1-2 port or MMIO offset (reduced to the model's ranges)
 *   byte 3    size: PIO 1, 2, 4; MMIO 1-8, not crossing the page
 *   bytes 4-7 value (masked to the size), or time in ns for kind 4
 *
 * After every record the harness's check() asserts the model's invariants
 * on its private state (each harness #includes the model's .c), and the
 * device lock must be balanced. An input covers at most FUZZ_DEV_MAX_NS of
 * guest time, so that periodic timers (100 us at the fastest) stay cheap. Fake time, IRQ lines and timers come from
 * tests/unit/fake_platform.c.
 */
#ifndef YAKVM_TESTS_FUZZ_DEVICE_FUZZ_H
#define YAKVM_TESTS_FUZZ_DEVICE_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device.h"
#include "core/vm/vm.h"
#include "tests/unit/fake_platform.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define FUZZ_DEV_MAX_RECORDS 512
#define FUZZ_DEV_MAX_NS (10ull * 1000000000)

struct fuzz_dev {
	const struct device_decl *decl;
	void (*check)(struct device *d);
	void (*extra)(struct device *d, uint16_t where, uint32_t val);  /* optional */
	/* Optional: told of each port or MMIO write before the model is. */
	void (*on_write)(struct device *d, uint64_t where, unsigned size, uint64_t val);
	/* Optional: told of each read and its result. */
	void (*on_read)(struct device *d, uint64_t where, unsigned size, uint64_t val);
	/* Optional: told after a reset record. */
	void (*on_reset)(struct device *d);
	/* Optional: sets up what the model needs (after the fake platform and
	 * fuzz_vm are cleared, before init), and is told of each record's
	 * `where` before it runs (e.g. to choose the accessing vCPU). */
	void (*setup)(void);
	void (*before)(uint16_t where);
};

static struct vm fuzz_vm;
static struct device fuzz_device;
static _Alignas(64) uint8_t fuzz_state[1 << 16];
static int fuzz_lock_depth;

/* devices/bus.c's lock, faked: must nest correctly and end released. */
uint64_t device_lock(struct device *d)
{
	CHECK(fuzz_lock_depth == 0);
	fuzz_lock_depth++;
	return 0;
}

void device_unlock(struct device *d, uint64_t flags)
{
	CHECK(fuzz_lock_depth == 1);
	fuzz_lock_depth--;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* A port of the model's ranges. */
static uint16_t pick_port(const struct device_decl *dd, uint16_t where)
{
	unsigned total = 0;
	for (int i = 0; i < DEVICE_MAX_PIO; i++)
		total += dd->pio[i].len;
	where %= total;
	for (int i = 0; i < DEVICE_MAX_PIO; i++) {
		if (where < dd->pio[i].len)
			return (uint16_t)(dd->pio[i].base + where);
		where -= dd->pio[i].len;
	}
	return dd->pio[0].base;
}

static void fuzz_dev_run(const struct fuzz_dev *h, const uint8_t *data, size_t size)
{
	const struct device_decl *dd = h->decl;
	const struct device_model *m = dd->model;

	fake_platform_reset();
	memset(&fuzz_vm, 0, sizeof(fuzz_vm));
	CHECK(m->state_size <= sizeof(fuzz_state));
	memset(fuzz_state, 0, m->state_size);
	fuzz_device = (struct device){ .decl = dd, .vm = &fuzz_vm, .state = fuzz_state };
	fuzz_lock_depth = 0;
	if (h->setup)
		h->setup();
	if (m->init)
		m->init(&fuzz_device);
	if (m->reset)
		m->reset(&fuzz_device);
	h->check(&fuzz_device);

	bool has_pio = dd->pio[0].len != 0, has_mmio = dd->mmio_len != 0;
	for (size_t n = 0; n + 8 <= size && n / 8 < FUZZ_DEV_MAX_RECORDS; n += 8) {
		const uint8_t *r = data + n;
		unsigned kind = r[0] & 7, shift = r[0] >> 3;
		uint16_t where = (uint16_t)(r[1] | r[2] << 8);
		uint32_t val;
		memcpy(&val, r + 4, 4);
		bool mmio = has_mmio && (!has_pio || (r[3] & 0x80));

		if (kind == 6 && shift != 31)
			kind = 0;
		if (h->before)
			h->before(where);
		if (kind == 4) {
			uint64_t step = (uint64_t)val << (shift % 4);
			if (fake_now_ns >= FUZZ_DEV_MAX_NS)
				step = 0;
			else if (step > FUZZ_DEV_MAX_NS - fake_now_ns)
				step = FUZZ_DEV_MAX_NS - fake_now_ns;
			fake_advance(step);
		} else if (kind == 5) {
			if (h->extra)
				h->extra(&fuzz_device, where, val);
		} else if (kind == 6) {
			if (m->reset)
				m->reset(&fuzz_device);
			if (h->on_reset)
				h->on_reset(&fuzz_device);
		} else if (mmio) {
			unsigned sz = 1 + (r[3] & 7);
			uint64_t off = where % dd->mmio_len;
			if (off % 0x1000 + sz > 0x1000)
				off -= sz;
			uint64_t gpa = dd->mmio_base + off;
			uint64_t v64 = ((uint64_t)val << 32 | (val ^ 0x5a5a5a5au)) & size_mask(sz);
			if (kind == 2 || kind == 3) {
				if (h->on_write)
					h->on_write(&fuzz_device, gpa, sz, v64);
				if (m->mmio_write)
					m->mmio_write(&fuzz_device, gpa, sz, v64);
			} else if (m->mmio_read) {
				uint64_t got = m->mmio_read(&fuzz_device, gpa, sz);
				if (h->on_read)
					h->on_read(&fuzz_device, gpa, sz, got);
			}
		} else if (has_pio) {
			static const unsigned sizes[] = { 1, 2, 4, 1 };
			unsigned sz = sizes[r[3] & 3];
			uint16_t port = pick_port(dd, where);
			val &= (uint32_t)size_mask(sz);
			if (kind == 2 || kind == 3) {
				if (h->on_write)
					h->on_write(&fuzz_device, port, sz, val);
				if (m->pio_write)
					m->pio_write(&fuzz_device, port, sz, val);
			} else if (m->pio_read) {
				uint32_t got = m->pio_read(&fuzz_device, port, sz);
				if (h->on_read)
					h->on_read(&fuzz_device, port, sz, got);
			}
		}
		CHECK(fuzz_lock_depth == 0);
		h->check(&fuzz_device);
	}
}

#endif
