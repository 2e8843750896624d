/*
 * tests/guests/reset.c - a guest that resets its VM through the keyboard
 * controller (command 0xfe on port 0x64), as PCs and Linux do. The first boot
 * leaves a mark in CMOS memory, which survives a reset as on a PC; the second
 * boot finds it and ends the VM with status 0.
 */
#include "rt.h"
#include "hw.h"

#define MARK_INDEX 0x50
#define MARK 0xa5

int guest_main(uint32_t magic, struct mb1_info *info)
{
	if (cmos_read(MARK_INDEX) != MARK) {
		cmos_write(MARK_INDEX, MARK);
		printf("reset: first boot, resetting through the i8042 (0xfe)\n");
		outb(0x64, 0xfe);
		for (;;)
			__asm__ volatile("pause");
	}
	cmos_write(MARK_INDEX, 0);
	printf("reset: second boot, after the reset\n");
	return 0;
}
