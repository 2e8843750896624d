/*
 * tests/guests/heartbeat.c - a neighbour that keeps printing numbered
 * heartbeats while other VMs misbehave, then ends with status 0.
 * The command line gives the count ("beats=N", default 20) and, with
 * "sleep=MS", a pause between beats spent halted (PIT at 100 Hz, HLT), so
 * that its CPU is idle in yakvm nearly all the time; without it, the pause
 * is a busy loop. With "until=key" it beats, however many beats that takes,
 * until a byte arrives on its serial port ("beats=0" too; the harness types it once what
 * the heartbeat must outlast has happened): a neighbour that runs "while"
 * something happens is told when to stop, never given a count that a fast
 * host finishes early.
 */
#include "rt.h"
#include "hw.h"

static void tick(struct rt_frame *f)
{
	pic_eoi(0);
}

static void sleep_ms(int ms)
{
	uint32_t until = rt_irq_count[PIC_VECTOR_BASE] + (uint32_t)(ms + 9) / 10;
	while ((int32_t)(rt_irq_count[PIC_VECTOR_BASE] - until) < 0)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	int beats = rt_option(c, "beats=", 20);
	int sleep = rt_option(c, "sleep=", 0);
	/* beats=0 is until=key too */
	bool until_key = str_contains(c, "until=key") || beats == 0;
	if (sleep) {
		pic_init();
		rt_set_irq_handler(PIC_VECTOR_BASE, tick);
		pit_set_rate(100);
		pic_mask(0xfffe);
	}
	int i;
	for (i = 1; until_key ? !(inb(0x3fd) & 0x01) : i <= beats; i++) {
		printf("heartbeat %d\n", i);
		if (sleep)
			sleep_ms(sleep);
		else
			rt_delay(1000000);
	}
	if (until_key)
		printf("heartbeat: told to stop after %d beats\n", i - 1);
	printf("heartbeat: done\n");
	return 0;
}
