/*
 * tests/guests/hostile_resetloop.c - resets its VM again and again (issue 9,
 * hostile guests), through each of the PC's reset paths in turn: the i8042
 * (0xfe to port 0x64), port 0x92 bit 0, and the ACPI reset register (0x01 to
 * 0xb00c). The boot count lives in CMOS byte 0x51, which survives a reset as
 * on a PC; after its 20th reset (the 21st boot) the guest ends the VM with
 * status 0, or, with "forever" on its command line, goes on until destroyed.
 */
#include "rt.h"
#include "hw.h"

#define COUNT_INDEX 0x51
#define RESETS 20

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	bool forever = false;
	for (; *c; c++)
		if (memcmp(c, "forever", 7) == 0)
			forever = true;
	uint8_t boot = (uint8_t)(cmos_read(COUNT_INDEX) + 1);
	cmos_write(COUNT_INDEX, forever && boot == 100 ? 1 : boot);
	if (boot > RESETS && !forever) {
		printf("resetloop: boot %u, after %u resets: done\n", boot, boot - 1);
		cmos_write(COUNT_INDEX, 0);
		return 0;
	}
	static const char *const how[] = { "i8042 0xfe", "port 0x92", "ACPI 0xb00c" };
	printf("resetloop: boot %u, resetting through %s\n", boot, how[boot % 3]);
	switch (boot % 3) {
	case 0: outb(0x64, 0xfe); break;
	case 1: outb(0x92, inb(0x92) | 1); break;
	case 2: outb(0xb00c, 0x01); break;
	}
	for (;;)
		__asm__ volatile("pause");
}
