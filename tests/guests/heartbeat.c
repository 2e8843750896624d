/*
 * tests/guests/heartbeat.c - a neighbour that keeps printing numbered
 * heartbeats while other VMs misbehave, then ends with status 0.
 * The count comes from its command line ("beats=N", default 20).
 */
#include "rt.h"

int guest_main(uint32_t magic, struct mb1_info *info)
{
	int beats = 20;
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	for (; *c; c++)
		if (memcmp(c, "beats=", 6) == 0) {
			beats = 0;
			for (c += 6; *c >= '0' && *c <= '9'; c++)
				beats = beats * 10 + (*c - '0');
			break;
		}
	for (int i = 1; i <= beats; i++) {
		printf("heartbeat %d\n", i);
		rt_delay(1000000);
	}
	printf("heartbeat: done\n");
	return 0;
}
