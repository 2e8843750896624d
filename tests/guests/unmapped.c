/*
 * tests/guests/unmapped.c - reads and writes guest-physical memory far
 * beyond its RAM, where nothing is. As on a PC, reads give all ones and
 * writes are dropped, at every size and for a read-modify-write; with
 * unmapped=stop on its module line yakvm stops the VM at the first read
 * instead, with the address in the message.
 */
#include "rt.h"

#define HOLE 0x7e000000u

static unsigned failures;

static void expect(const char *what, uint32_t got, uint32_t want)
{
	if (got != want) {
		printf("unmapped: FAIL %s: 0x%x, expected 0x%x\n", what, got, want);
		failures++;
	}
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	printf("unmapped: reading 0x%x\n", HOLE);
	volatile uint32_t *p = (volatile uint32_t *)HOLE;
	uint32_t v = *p;
	printf("unmapped: read 0x%x from 0x%x\n", v, HOLE);
	expect("32-bit read", v, 0xffffffffu);
	expect("8-bit read", *(volatile uint8_t *)(HOLE + 1), 0xff);
	expect("16-bit read", *(volatile uint16_t *)(HOLE + 2), 0xffff);
	*p = 0x12345678u;
	expect("read after a 32-bit write", *p, 0xffffffffu);
	*(volatile uint8_t *)(HOLE + 5) = 0;
	expect("read after an 8-bit write", *(volatile uint8_t *)(HOLE + 5), 0xff);
	/* a read-modify-write: reads all ones, its write goes nowhere */
	__asm__ volatile("andl $0, %0" : "+m"(*(volatile uint32_t *)(HOLE + 8)));
	expect("read after AND 0", *(volatile uint32_t *)(HOLE + 8), 0xffffffffu);
	printf("unmapped: %s: reads give all ones, writes are dropped (%u failures)\n",
	       failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
