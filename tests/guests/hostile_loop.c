/*
 * tests/guests/hostile_loop.c - an endless loop on one instruction that a
 * guest may use to disturb the VMs beside it (issue 17): "wbinvd" (WBINVD,
 * which would flush the caches other VMs' CPUs share; yakvm intercepts and
 * skips it) or "pic" (OUT/IN on the PIC's ports, each an exit to yakvm's
 * PIC model). It never ends: the monitor's `destroy` does.
 */
#include "rt.h"
#include "hw.h"

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	bool pic = false;
	for (; *c; c++)
		if (memcmp(c, "pic", 3) == 0)
			pic = true;
	if (pic) {
		pic_init();
		printf("loop: PIC port storm begins\n");
		for (;;) {
			outb(0x21, 0xff);	/* mask everything */
			(void)inb(0x21);
			outb(0x20, 0x0b);	/* OCW3: read the ISR */
			(void)inb(0x20);
		}
	}
	printf("loop: WBINVD loop begins\n");
	for (;;)
		__asm__ volatile("wbinvd" ::: "memory");
}
