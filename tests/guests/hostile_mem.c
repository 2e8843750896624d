/*
 * tests/guests/hostile_mem.c - touches guest-physical memory that is not the
 * VM's (issue 9, hostile guests). The command line picks one access:
 * "read=ADDR", "write=ADDR" or "exec=ADDR" (hex). yakvm must stop this VM at
 * the first fetch there, and at the first read or write with unmapped=stop
 * on the module line, with the address in a one-line error; the guest never
 * gets past it. One VM per address (the first access ends the VM).
 * "probe=ADDR" reads and writes ADDR and the next page without the option:
 * reads give all ones, writes are dropped, and the guest goes on.
 */
#include "rt.h"

static uint32_t hex(const char *s)
{
	uint32_t v = 0;
	if (s[0] == '0' && s[1] == 'x')
		s += 2;
	for (;; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
		else break;
		v = v << 4 | d;
	}
	return v;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	for (; *c; c++) {
		if (memcmp(c, "probe=", 6) == 0) {
			uint32_t a = hex(c + 6);
			volatile uint32_t *p = (volatile uint32_t *)a;
			volatile uint32_t *next = (volatile uint32_t *)(a + 0x1000);
			uint32_t r1 = p[0], r2 = p[1];
			p[2] = 0x5a5a5a5a;
			uint32_t r3 = p[2];
			next[0] = 0;
			uint32_t r4 = next[0];
			printf("mem: probe 0x%x: read 0x%x 0x%x, after a write 0x%x, "
			       "next page after a write 0x%x\n", a, r1, r2, r3, r4);
			return (r1 & r2 & r3 & r4) == 0xffffffffu ? 0 : 1;
		}
		if (memcmp(c, "read=", 5) == 0) {
			uint32_t a = hex(c + 5);
			printf("mem: reading 0x%x\n", a);
			uint32_t v = *(volatile uint32_t *)a;
			printf("mem: STILL RUNNING after reading 0x%x (0x%x)\n", a, v);
			return 1;
		}
		if (memcmp(c, "write=", 6) == 0) {
			uint32_t a = hex(c + 6);
			printf("mem: writing 0x%x\n", a);
			*(volatile uint32_t *)a = 0x5a5a5a5a;
			printf("mem: STILL RUNNING after writing 0x%x\n", a);
			return 1;
		}
		if (memcmp(c, "exec=", 5) == 0) {
			uint32_t a = hex(c + 5);
			printf("mem: jumping to 0x%x\n", a);
			((void (*)(void))a)();
			printf("mem: STILL RUNNING after jumping to 0x%x\n", a);
			return 1;
		}
	}
	printf("mem: no read=, write= or exec= on the command line\n");
	return 2;
}
