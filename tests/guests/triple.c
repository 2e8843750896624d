/*
 * tests/guests/triple.c - triple-faults on purpose: an empty IDT, then an
 * exception. yakvm must stop this VM and stay alive.
 */
#include "rt.h"

int guest_main(uint32_t magic, struct mb1_info *info)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };
	printf("triple: loading an empty IDT and faulting\n");
	__asm__ volatile("lidt %0; ud2" ::"m"(empty));
	printf("triple: STILL RUNNING\n");
	return 1;
}
