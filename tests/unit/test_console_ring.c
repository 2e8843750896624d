/*
 * tests/unit/test_console_ring.c - a VM's console queue (core/console/console_ring.c):
 * lines come out in order with their numbers, a full queue drops and counts
 * (printed + dropped = written), and the indices wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/console/console_ring.h"

static struct console_ring ring;

static void test_order(void **state)
{
	memset(&ring, 0, sizeof(ring));
	uint64_t seq;
	char buf[CONSOLE_LINE_MAX];
	assert_false(console_ring_peek(&ring, &seq));
	assert_true(console_ring_push(&ring, 7, "one", 3));
	assert_true(console_ring_push(&ring, 9, "two", 3));
	assert_true(console_ring_peek(&ring, &seq));
	assert_int_equal(seq, 7);
	assert_int_equal(console_ring_pop(&ring, buf), 3);
	assert_memory_equal(buf, "one", 3);
	assert_true(console_ring_peek(&ring, &seq));
	assert_int_equal(seq, 9);
	assert_int_equal(console_ring_pop(&ring, buf), 3);
	assert_memory_equal(buf, "two", 3);
	assert_int_equal(console_ring_pop(&ring, buf), 0);
}

static void test_full_drops_and_counts(void **state)
{
	memset(&ring, 0, sizeof(ring));
	char buf[CONSOLE_LINE_MAX];
	unsigned printed = 0;
	/* 1000 lines offered, one taken out after every third: the queue
	 * fills, and what does not fit is dropped, never queued twice. */
	for (unsigned i = 0; i < 1000; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "line %u", i);
		console_ring_push(&ring, i, line, (size_t)n);
		if (i % 3 == 2 && console_ring_pop(&ring, buf))
			printed++;
	}
	assert_true(ring.dropped > 0);
	while (console_ring_pop(&ring, buf))
		printed++;
	assert_int_equal(ring.written, 1000);
	assert_int_equal(printed + ring.dropped, ring.written);
}

static void test_full_keeps_oldest(void **state)
{
	memset(&ring, 0, sizeof(ring));
	char buf[CONSOLE_LINE_MAX];
	for (unsigned i = 0; i < CONSOLE_RING_LINES; i++)
		assert_true(console_ring_push(&ring, i, "x", 1));
	assert_false(console_ring_push(&ring, 99, "late", 4));
	assert_int_equal(ring.dropped, 1);
	uint64_t seq;
	assert_true(console_ring_peek(&ring, &seq));
	assert_int_equal(seq, 0);
	console_ring_pop(&ring, buf);
	assert_true(console_ring_push(&ring, 100, "again", 5));
	for (unsigned i = 1; i < CONSOLE_RING_LINES; i++) {
		assert_true(console_ring_peek(&ring, &seq));
		assert_int_equal(seq, i);
		console_ring_pop(&ring, buf);
	}
	assert_true(console_ring_peek(&ring, &seq));
	assert_int_equal(seq, 100);
	assert_int_equal(console_ring_pop(&ring, buf), 5);
	assert_memory_equal(buf, "again", 5);
}

static void test_long_line_is_cut(void **state)
{
	memset(&ring, 0, sizeof(ring));
	char big[CONSOLE_LINE_MAX + 50], buf[CONSOLE_LINE_MAX];
	memset(big, 'a', sizeof(big));
	assert_true(console_ring_push(&ring, 1, big, sizeof(big)));
	assert_int_equal(console_ring_pop(&ring, buf), CONSOLE_LINE_MAX);
}

static void test_wraps(void **state)
{
	memset(&ring, 0, sizeof(ring));
	ring.head = ring.tail = UINT32_MAX - 2;	/* the indices wrap round */
	char buf[CONSOLE_LINE_MAX];
	for (unsigned i = 0; i < 5; i++)
		assert_true(console_ring_push(&ring, i, "w", 1));
	for (unsigned i = 0; i < 5; i++) {
		uint64_t seq;
		assert_true(console_ring_peek(&ring, &seq));
		assert_int_equal(seq, i);
		assert_int_equal(console_ring_pop(&ring, buf), 1);
	}
	assert_int_equal(ring.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_full_drops_and_counts),
		cmocka_unit_test(test_full_keeps_oldest),
		cmocka_unit_test(test_long_line_is_cut),
		cmocka_unit_test(test_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
