/*
 * tests/guests/unmapped.c - reads guest-physical memory far beyond its RAM.
 * yakvm must stop this VM (and only it) with the address in the message.
 */
#include "rt.h"

int guest_main(uint32_t magic, struct mb1_info *info)
{
	printf("unmapped: reading 0x7e000000\n");
	volatile uint32_t *p = (volatile uint32_t *)0x7e000000;
	uint32_t v = *p;
	printf("unmapped: STILL RUNNING after the read (0x%x)\n", v);
	return 1;
}
