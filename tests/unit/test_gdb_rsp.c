/*
 * tests/unit/test_gdb_rsp.c - the GDB remote protocol framing of
 * core/gdb/gdb_rsp.c: packets, checksums, Ctrl-C, escapes, hex.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/gdb/gdb_rsp.h"

static enum rsp_event feed(struct rsp_rx *rx, const char *s)
{
	enum rsp_event last = RSP_NONE;
	for (; *s; s++) {
		enum rsp_event e = rsp_rx_byte(rx, (uint8_t)*s);
		if (e != RSP_NONE)
			last = e;
	}
	return last;
}

static void test_packet(void **state)
{
	static struct rsp_rx rx;
	/* "g" sums to 0x67; "+" before it is an ack and ignored */
	assert_int_equal(feed(&rx, "+$g#67"), RSP_PACKET);
	assert_string_equal(rx.buf, "g");
	assert_int_equal(feed(&rx, "$qSupported:swbreak+#"), RSP_NONE);
	assert_int_equal(feed(&rx, "00"), RSP_BAD);
	assert_int_equal(feed(&rx, "$m100,4#5e"), RSP_PACKET);
	assert_string_equal(rx.buf, "m100,4");
	/* uppercase checksum digits are accepted */
	assert_int_equal(feed(&rx, "$?#3F"), RSP_PACKET);
	assert_string_equal(rx.buf, "?");
}

static void test_interrupt(void **state)
{
	static struct rsp_rx rx;
	assert_int_equal(rsp_rx_byte(&rx, 0x03), RSP_INTERRUPT);
	/* inside a packet 0x03 is data */
	assert_int_equal(feed(&rx, "$\x03#03"), RSP_PACKET);
	assert_int_equal(rx.buf[0], 3);
}

static void test_overflow(void **state)
{
	static struct rsp_rx rx;
	static char big[RSP_PACKET_MAX + 8];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	feed(&rx, "$");
	feed(&rx, big);
	uint8_t sum = (uint8_t)('a' * (sizeof(big) - 1));
	char tail[4] = { '#', "0123456789abcdef"[sum >> 4], "0123456789abcdef"[sum & 15], 0 };
	assert_int_equal(feed(&rx, tail), RSP_BAD);
	/* a restart inside a packet drops what came before */
	assert_int_equal(feed(&rx, "$xx$g#67"), RSP_PACKET);
	assert_string_equal(rx.buf, "g");
}

static void test_frame(void **state)
{
	char out[32];
	size_t n = rsp_frame(out, sizeof(out), "OK", 2);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "$OK#9a", 6);
	n = rsp_frame(out, sizeof(out), "a#b", 3);
	/* '#' goes as '}' 0x03: 'a' + '}' + 0x03 + 'b' = 0x61+0x7d+0x03+0x62 = 0x143 */
	assert_int_equal(n, 8);
	assert_memory_equal(out, "$a}\x03" "b#43", 8);
	assert_int_equal(rsp_frame(out, 6, "OKK", 3), 0);
	/* what rsp_frame makes, rsp_rx_byte takes */
	static struct rsp_rx rx;
	n = rsp_frame(out, sizeof(out), "T05thread:01;", 13);
	out[n] = '\0';
	assert_int_equal(feed(&rx, out), RSP_PACKET);
	assert_string_equal(rx.buf, "T05thread:01;");
}

static void test_hex(void **state)
{
	char s[16];
	uint8_t b[4] = { 0xde, 0xad, 0x00, 0x7f };
	rsp_hex_encode(s, b, 4);
	assert_string_equal(s, "dead007f");
	uint8_t back[4];
	assert_true(rsp_hex_decode("DEAD007f", back, 4));
	assert_memory_equal(back, b, 4);
	assert_false(rsp_hex_decode("de,d", back, 2));
	const char *p = "1f0,4:";
	uint64_t v;
	assert_true(rsp_parse_hex(&p, &v));
	assert_int_equal(v, 0x1f0);
	assert_int_equal(*p, ',');
	p = ",4";
	assert_false(rsp_parse_hex(&p, &v));
	p = "ffffffffffffffff";
	assert_true(rsp_parse_hex(&p, &v));
	assert_int_equal(v, UINT64_MAX);
	p = "10000000000000000";
	assert_false(rsp_parse_hex(&p, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
