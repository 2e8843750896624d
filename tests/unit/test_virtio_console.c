/*
 * tests/unit/test_virtio_console.c - devices/virtio/virtio_console.c
 * (virtio 1.1, 5.3) over split queues in a fake guest RAM, with a fake
 * transport (virtio_used, virtio_needs_reset) and a fake console line
 * queue (console_vm_put_line records the lines). The test plays the
 * driver: transmit chains become lines; typed input is refused until the
 * port is open, then lands in receive buffers, waits for buffers when
 * there are none, and a broken receive queue closes the port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_console.h"
#include "tests/fakes/flat_ram.h"

/* ---- fakes: the transport, the console, the lock ------------------------- */

static unsigned used_calls[2], reset_calls;
void virtio_used(struct virtio_dev *vd, unsigned q) { used_calls[q]++; }
void virtio_needs_reset(struct virtio_dev *vd, const char *why)
{
	reset_calls++;
	vd->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}
void virtio_config_changed(struct virtio_dev *vd) {}
uint64_t device_lock(struct device *d) { return 0; }
void device_unlock(struct device *d, uint64_t f) {}

#define MAX_LINES 16
static char lines[MAX_LINES][CONSOLE_LINE_MAX + 1];
static unsigned nlines;
static struct console_line *line_target;
void console_vm_put_line(struct console_line *line, const char *text, size_t len)
{
	assert_ptr_equal(line, line_target);
	assert_true(len <= CONSOLE_LINE_MAX);
	assert_true(nlines < MAX_LINES);
	memcpy(lines[nlines], text, len);
	lines[nlines++][len] = 0;
}

/* Guest RAM: [0, 64 KiB) (tests/fakes/flat_ram.h). */
static uint8_t ram[0x10000];
static struct flat_ram guest = { ram, sizeof(ram) };

/* ---- the driver's side: two queues of 4 ------------------------------------ */

#define QSIZE 4
static const uint64_t qbase[2] = { 0x1000, 0x2000 };   /* desc; avail +0x100; used +0x200 */
#define BUF 0x8000ull
static struct virtio_dev vd;
static struct vcon vc;
static struct console_line cl;          /* never touched: the fake records */
static uint16_t drv_idx[2], next_desc[2];
static uint64_t next_buf;

static void w16(uint64_t a, uint16_t v) { memcpy(ram + a, &v, 2); }
static void w32(uint64_t a, uint32_t v) { memcpy(ram + a, &v, 4); }
static void w64(uint64_t a, uint64_t v) { memcpy(ram + a, &v, 8); }
static uint16_t r16(uint64_t a) { uint16_t v; memcpy(&v, ram + a, 2); return v; }
static uint32_t r32(uint64_t a) { uint32_t v; memcpy(&v, ram + a, 4); return v; }

static int setup(void **state)
{
	memset(ram, 0, sizeof(ram));
	memset(&vd, 0, sizeof(vd));
	memset(&vc, 0, sizeof(vc));
	vd.type = &virtio_console_type;
	vd.type_state = &vc;
	line_target = &cl;
	vd.type->init(&vd, &cl);
	vd.driver_features = 1ull << VIRTIO_F_VERSION_1;
	struct virtq_mem mem = flat_ram_mem(&guest);
	for (unsigned q = 0; q < 2; q++) {
		struct virtq *vq = &vd.vq[q];
		virtq_reset(vq);
		vq->size = QSIZE;
		vq->desc = qbase[q];
		vq->avail = qbase[q] + 0x100;
		vq->used = qbase[q] + 0x200;
		assert_true(virtq_enable(vq, &mem, vd.driver_features));
		drv_idx[q] = next_desc[q] = 0;
		used_calls[q] = 0;
	}
	vd.status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	nlines = reset_calls = 0;
	next_buf = BUF;
	return 0;
}

/* Offers one buffer of `len` bytes (its gpa returned) on queue q as a
 * chain of one descriptor; `data` fills it (transmit), NULL for receive. */
static uint64_t offer(unsigned q, const char *data, uint32_t len, bool writable)
{
	uint64_t gpa = next_buf;
	next_buf += 0x400;
	if (data)
		memcpy(ram + gpa, data, len);
	uint16_t d = next_desc[q]++ % QSIZE;
	uint64_t da = qbase[q] + 16ull * d;
	w64(da, gpa);
	w32(da + 8, len);
	w16(da + 12, writable ? VIRTQ_DESC_F_WRITE : 0);
	uint64_t avail = qbase[q] + 0x100;
	w16(avail + 4 + 2ull * (drv_idx[q] % QSIZE), d);
	w16(avail + 2, ++drv_idx[q]);
	return gpa;
}

static uint16_t used_idx(unsigned q) { return r16(qbase[q] + 0x200 + 2); }
static uint32_t used_len(unsigned q, unsigned i) { return r32(qbase[q] + 0x200 + 4 + 8ull * (i % QSIZE) + 4); }
static void transmit(const char *s) { offer(VCON_TX, s, (uint32_t)strlen(s), false); }

/* ---- the tests ----------------------------------------------------------- */

static void test_type(void **state)
{
	assert_int_equal(virtio_console_type.device_id, 3);        /* 5 "Device Types" */
	assert_int_equal(virtio_console_type.nqueues, 2);          /* 5.3.2, no MULTIPORT */
	assert_int_equal(virtio_console_type.features, 0);
	assert_int_equal(virtio_console_type.config_size, 12);     /* 5.3.4 */
	assert_true(virtio_console_type.state_size <= VIRTIO_TYPE_STATE_MAX);
	for (unsigned off = 0; off < 12; off += 4)
		assert_int_equal(vd.type->config_read(&vd, off, 4), 0);
}

static void test_output_lines(void **state)
{
	transmit("hello\r\nwor");
	transmit("ld\n");
	vd.type->notify(&vd, VCON_TX);
	assert_int_equal(used_idx(VCON_TX), 2);
	assert_int_equal(used_len(VCON_TX, 0), 0);          /* nothing written back */
	assert_int_equal(used_calls[VCON_TX], 1);
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0], "hello");
	assert_string_equal(lines[1], "world");
}

static void test_long_line_is_cut(void **state)
{
	char s[CONSOLE_LINE_MAX + 11];
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = 0;
	transmit(s);
	vd.type->notify(&vd, VCON_TX);
	assert_int_equal(nlines, 1);
	assert_int_equal(strlen(lines[0]), CONSOLE_LINE_MAX);
	/* The rest waits for its newline; a reset prints it. */
	vd.type->reset(&vd);
	assert_int_equal(nlines, 2);
	assert_int_equal(strlen(lines[1]), 10);
}

static void test_input_refused_until_open(void **state)
{
	vd.status &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
	offer(VCON_RX, NULL, 64, true);
	assert_false(vcon_input(&vd, "a", 1));              /* no DRIVER_OK */
	vd.status |= VIRTIO_STATUS_DRIVER_OK;
	assert_int_equal(used_idx(VCON_RX), 0);
	/* Buffers offered before DRIVER_OK (their notification never came):
	 * the port opens on the first input. */
	assert_true(vcon_input(&vd, "ab", 2));
	assert_int_equal(used_idx(VCON_RX), 1);
	assert_int_equal(used_len(VCON_RX, 0), 2);
	assert_memory_equal(ram + BUF, "ab", 2);
	assert_int_equal(used_calls[VCON_RX], 1);
}

static void test_no_buffers_not_open(void **state)
{
	assert_false(vcon_input(&vd, "a", 1));              /* no receive buffer ever */
	vd.vq[VCON_RX].enabled = false;
	offer(VCON_RX, NULL, 64, true);
	assert_false(vcon_input(&vd, "a", 1));              /* queue not enabled */
}

static void test_input_waits_for_buffers(void **state)
{
	uint64_t b1 = offer(VCON_RX, NULL, 4, true);
	vd.type->notify(&vd, VCON_RX);                     /* open, nothing to send */
	assert_int_equal(used_idx(VCON_RX), 0);
	assert_true(vcon_input(&vd, "123456", 6));
	assert_int_equal(used_idx(VCON_RX), 1);
	assert_int_equal(used_len(VCON_RX, 0), 4);
	assert_memory_equal(ram + b1, "1234", 4);
	/* No buffer left: still open, the rest waits. */
	assert_true(vcon_input(&vd, "7", 1));
	assert_int_equal(used_idx(VCON_RX), 1);
	uint64_t b2 = offer(VCON_RX, NULL, 64, true);
	vd.type->notify(&vd, VCON_RX);
	assert_int_equal(used_idx(VCON_RX), 2);
	assert_int_equal(used_len(VCON_RX, 1), 3);
	assert_memory_equal(ram + b2, "567", 3);
}

static void test_input_overflow_dropped(void **state)
{
	offer(VCON_RX, NULL, 4, true);
	vd.type->notify(&vd, VCON_RX);
	char big[VCON_INPUT_BUF + 100];
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	assert_true(vcon_input(&vd, big, sizeof(big)));     /* 4 delivered, 256 wait */
	assert_int_equal(vc.in_count, VCON_INPUT_BUF);
	uint64_t b = offer(VCON_RX, NULL, 1000, true);
	vd.type->notify(&vd, VCON_RX);
	assert_int_equal(used_len(VCON_RX, 1), VCON_INPUT_BUF);
	assert_memory_equal(ram + b, big + 4, VCON_INPUT_BUF);
	assert_int_equal(vc.in_count, 0);
}

static void test_readable_receive_buffer(void **state)
{
	offer(VCON_RX, "zz", 2, false);                    /* no writable byte */
	uint64_t b = offer(VCON_RX, NULL, 8, true);
	vd.type->notify(&vd, VCON_RX);
	assert_true(vcon_input(&vd, "hi", 2));
	assert_int_equal(used_idx(VCON_RX), 2);
	assert_int_equal(used_len(VCON_RX, 0), 0);
	assert_int_equal(used_len(VCON_RX, 1), 2);
	assert_memory_equal(ram + b, "hi", 2);
	assert_int_equal(reset_calls, 0);
}

static void test_broken_receive_queue(void **state)
{
	offer(VCON_RX, NULL, 8, true);
	vd.type->notify(&vd, VCON_RX);
	/* A head index past the table. */
	w16(qbase[VCON_RX] + 0x100 + 4, 9);
	assert_true(vcon_input(&vd, "x", 1));
	assert_int_equal(reset_calls, 1);
	assert_int_equal(used_idx(VCON_RX), 0);
	/* The device needs reset: input goes to the UART again. */
	assert_false(vcon_input(&vd, "y", 1));
}

static void test_broken_transmit_queue(void **state)
{
	transmit("ok\n");
	uint64_t da = qbase[VCON_TX] + 16ull * next_desc[VCON_TX];
	offer(VCON_TX, "loop", 4, false);
	w16(da + 12, VIRTQ_DESC_F_NEXT);                    /* a descriptor pointing at itself */
	w16(da + 14, (uint16_t)(next_desc[VCON_TX] - 1));
	vd.type->notify(&vd, VCON_TX);
	assert_int_equal(nlines, 1);
	assert_int_equal(used_idx(VCON_TX), 1);
	assert_int_equal(reset_calls, 1);
}

static void test_reset_closes(void **state)
{
	offer(VCON_RX, NULL, 1, true);
	vd.type->notify(&vd, VCON_RX);
	assert_true(vcon_input(&vd, "abc", 3));             /* 1 delivered, 2 wait */
	assert_int_equal(vc.in_count, 2);
	vd.type->reset(&vd);
	assert_false(vc.opened);
	assert_int_equal(vc.in_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_type, setup),
		cmocka_unit_test_setup(test_output_lines, setup),
		cmocka_unit_test_setup(test_long_line_is_cut, setup),
		cmocka_unit_test_setup(test_input_refused_until_open, setup),
		cmocka_unit_test_setup(test_no_buffers_not_open, setup),
		cmocka_unit_test_setup(test_input_waits_for_buffers, setup),
		cmocka_unit_test_setup(test_input_overflow_dropped, setup),
		cmocka_unit_test_setup(test_readable_receive_buffer, setup),
		cmocka_unit_test_setup(test_broken_receive_queue, setup),
		cmocka_unit_test_setup(test_broken_transmit_queue, setup),
		cmocka_unit_test_setup(test_reset_closes, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
