/*
 * tests/guests/hostile_loop.c - an endless loop on one instruction that a
 * guest may use to disturb the VMs beside it (issue 17): "wbinvd" (WBINVD,
 * which would flush the caches other VMs' CPUs share; yakvm intercepts and
 * skips it) or "pic" (OUT/IN on the PIC's ports, each an exit to yakvm's
 * PIC model), or "timers" (its PIT and LAPIC timer at about 10 kHz, then
 * STI; HLT for ever: a stopped VM's timers must stop too). It never ends:
 * the monitor's `destroy` does.
 */
#include "rt.h"
#include "hw.h"

static void eoi_pit(struct rt_frame *f) { pic_eoi(0); }
static void eoi_lapic(struct rt_frame *f) { lapic_write(0xb0, 0); }

static void timers(void)
{
	pic_init();
	rt_set_irq_handler(PIC_VECTOR_BASE, eoi_pit);
	rt_set_irq_handler(0x41, eoi_lapic);
	pit_set_rate(10000);
	pic_mask(0xfffe);
	lapic_write(0xf0, 0x1ff);		/* software enable */
	lapic_write(0x3e0, 0xb);		/* divide by 1 */
	lapic_write(0x320, 0x20000 | 0x41);	/* periodic */
	lapic_write(0x380, 100000);		/* 100 us at yakvm's 1 GHz */
	printf("loop: 10 kHz PIT and LAPIC timers running\n");
	for (;;)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	bool pic = false;
	for (; *c; c++) {
		if (memcmp(c, "pic", 3) == 0)
			pic = true;
		if (memcmp(c, "timers", 6) == 0)
			timers();
	}
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
