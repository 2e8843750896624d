/* lib/number.c - reading numbers and I/O ports from text (see number.h). */
#include "lib/number.h"

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t parse_uint(const char *s, size_t len, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t value = 0;
	size_t i = 0;
	for (; i < len; i++) {
		int d = hex_digit(s[i]);
		if (d < 0 || (unsigned)d >= base)
			break;
		if ((unsigned)d > max || value > (max - (unsigned)d) / base)
			return 0;
		value = value * base + (unsigned)d;
	}
	if (i)
		*out = value;
	return i;
}

bool parse_io_port(const char *s, size_t len, uint16_t *port)
{
	static const uint16_t com_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	if (len == 4 && s[0] == 'c' && s[1] == 'o' && s[2] == 'm' && s[3] >= '1' && s[3] <= '4') {
		*port = com_ports[s[3] - '1'];
		return true;
	}
	uint64_t value;
	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
	    parse_uint(s + 2, len - 2, 16, 0xffff, &value) != len - 2 || value == 0)
		return false;
	*port = (uint16_t)value;
	return true;
}
