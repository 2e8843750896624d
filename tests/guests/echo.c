/*
 * tests/guests/echo.c - a console guest: it prints a burst of long lines made
 * of one letter (its first argument), so interleaving would show, then echoes
 * every line typed on its serial port ("echo: got ...") until it reads
 * "quit". It polls the UART's line status register.
 */
#include "rt.h"

static char read_char(void)
{
	while (!(inb(0x3fd) & 0x01))
		__asm__ volatile("pause");
	return (char)inb(0x3f8);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *args = (info->flags & 4) ? (const char *)info->cmdline : "";
	char letter = args[0] ? args[0] : 'x';
	char line[121];
	memset(line, letter, 120);
	line[120] = 0;
	for (int i = 0; i < 20; i++)
		printf("burst %c %s\n", letter, line);
	printf("echo: ready\n");
	char buf[80];
	unsigned n = 0;
	for (;;) {
		char c = read_char();
		if (c == '\r' || c == '\n') {
			buf[n] = 0;
			if (n == 4 && memcmp(buf, "quit", 4) == 0) {
				printf("echo: bye\n");
				return 0;
			}
			if (n)
				printf("echo: got %s\n", buf);
			n = 0;
		} else if (n < sizeof(buf) - 1) {
			buf[n++] = c;
		}
	}
}
