/* core/gdb/gdb_rsp.c - GDB remote protocol framing (see gdb_rsp.h). */
#include "core/gdb/gdb_rsp.h"
#include "lib/number.h"

enum rsp_event rsp_rx_byte(struct rsp_rx *rx, uint8_t c)
{
	int d;
	switch (rx->state) {
	case RX_IDLE:
		if (c == 0x03)
			return RSP_INTERRUPT;
		if (c == '$') {
			rx->state = RX_DATA;
			rx->len = 0;
			rx->sum = 0;
			rx->overflow = false;
		}
		return RSP_NONE;
	case RX_DATA:
		if (c == '#') {
			rx->state = RX_SUM_HI;
			return RSP_NONE;
		}
		if (c == '$') {		/* a new start: the old one was cut */
			rx->len = 0;
			rx->sum = 0;
			rx->overflow = false;
			return RSP_NONE;
		}
		rx->sum += c;
		if (rx->len < RSP_PACKET_MAX)
			rx->buf[rx->len++] = (char)c;
		else
			rx->overflow = true;
		return RSP_NONE;
	case RX_SUM_HI:
		d = hex_digit((char)c);
		rx->want = (uint8_t)((d < 0 ? 0 : d) << 4);
		rx->state = d < 0 ? RX_IDLE : RX_SUM_LO;
		return d < 0 ? RSP_BAD : RSP_NONE;
	case RX_SUM_LO:
		rx->state = RX_IDLE;
		d = hex_digit((char)c);
		if (d < 0 || (uint8_t)(rx->want | d) != rx->sum || rx->overflow)
			return RSP_BAD;
		rx->buf[rx->len] = '\0';
		return RSP_PACKET;
	}
	rx->state = RX_IDLE;
	return RSP_NONE;
}

static const char hexchars[] = "0123456789abcdef";

size_t rsp_frame(char *out, size_t cap, const char *payload, size_t len)
{
	size_t o = 0;
	uint8_t sum = 0;
	if (cap < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = payload[i];
		bool esc = c == '#' || c == '$' || c == '}' || c == '*';
		if (o + (esc ? 2 : 1) + 3 > cap)
			return 0;
		if (esc) {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = c;
		sum += (uint8_t)c;
	}
	out[o++] = '#';
	out[o++] = hexchars[sum >> 4];
	out[o++] = hexchars[sum & 15];
	return o;
}

void rsp_hex_encode(char *out, const void *bytes, size_t n)
{
	const uint8_t *b = bytes;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexchars[b[i] >> 4];
		out[2 * i + 1] = hexchars[b[i] & 15];
	}
	out[2 * n] = '\0';
}

bool rsp_hex_decode(const char *in, void *bytes, size_t n)
{
	uint8_t *b = bytes;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(in[2 * i]);
		int lo = hi < 0 ? -1 : hex_digit(in[2 * i + 1]);
		if (lo < 0)
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool rsp_parse_hex(const char **p, uint64_t *v)
{
	/* Up to the NUL at the latest: it is no digit. */
	uint64_t x;
	size_t n = parse_uint(*p, SIZE_MAX, 16, UINT64_MAX, &x);
	if (!n || n > 16)
		return false;
	*v = x;
	*p += n;
	return true;
}
