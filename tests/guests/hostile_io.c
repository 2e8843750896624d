/*
 * tests/guests/hostile_io.c - port I/O on every one of the 65,536 ports
 * (issue 9, hostile guests): IN and OUT of sizes 1, 2 and 4 with the
 * pattern 0x5a5a5a5a ('Z'), then OUT of random values (xorshift, fixed seed)
 * to ports 0-0xfff, where the PC devices live. Skipped for OUT (any byte of
 * the access): the ports that legitimately end or reset this VM - debug exit
 * 0xf4-0xf7, the i8042 command port 0x64, port 0x92, ACPI PM1_CNT
 * 0xb004-0xb005 and the ACPI reset register 0xb00c - and this VM's own
 * console 0x3f8-0x3ff, so it can still report. Every access goes through
 * yakvm's I/O permission map; none may reach the host's devices (its COM1,
 * QEMU's isa-debug-exit at 0xf4, its reset ports). Prints "io: sweep done".
 */
#include "rt.h"

#define PATTERN 0x5a5a5a5au

static uint32_t rng = 0x12345678;

static uint32_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static bool skip_out(uint32_t port, unsigned size)
{
	for (uint32_t p = port; p < port + size; p++) {
		uint32_t q = p & 0xffff;
		if ((q >= 0xf4 && q <= 0xf7) || q == 0x64 || q == 0x92 ||
		    q == 0xb004 || q == 0xb005 || q == 0xb00c ||
		    (q >= 0x3f8 && q <= 0x3ff))
			return true;
	}
	return false;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	if (size == 1)
		outb(port, (uint8_t)v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

static uint32_t in(uint16_t port, unsigned size)
{
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	unsigned ins = 0, outs = 0, skipped = 0;
	uint32_t sum = 0;
	printf("io: sweep starting\n");
	for (unsigned size = 1; size <= 4; size *= 2) {
		for (uint32_t port = 0; port < 0x10000; port++) {
			sum += in((uint16_t)port, size);
			ins++;
			if (skip_out(port, size)) {
				skipped++;
				continue;
			}
			out((uint16_t)port, size, PATTERN);
			outs++;
		}
		printf("io: size %u: every port read, written where allowed\n", size);
	}
	for (unsigned size = 1; size <= 4; size *= 2)
		for (uint32_t port = 0; port < 0x1000; port++) {
			if (skip_out(port, size))
				continue;
			out((uint16_t)port, size, xorshift());
			outs++;
		}
	printf("io: %u INs, %u OUTs, %u OUTs skipped (checksum 0x%x)\n", ins, outs, skipped, sum);
	printf("io: sweep done\n");
	return 0;
}
