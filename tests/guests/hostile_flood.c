/*
 * tests/guests/hostile_flood.c - a console flood (issue 17, item 5): every
 * vCPU of the VM writes numbered lines to COM1 as fast as it can, one
 * `rep outsb` per line (one exit), until a 'q' is typed to the VM. The lines
 * are whole because a guest spinlock is held around each. Then each vCPU's
 * count is printed, and the VM ends with the number of lines written in all
 * as its exit status: a count that does not go through the console, so
 * that lines printed + lines yakvm reports dropped can be checked against it.
 */
#include "rt.h"
#include "hw.h"
#include "ap.h"

#define MAX_CPUS 8
#define ICR_INIT     0x0500u
#define ICR_STARTUP  0x0600u
#define ICR_PENDING  (1u << 12)
#define ICR_ASSERT   (1u << 14)

static volatile uint32_t lock, stop, alive[MAX_CPUS], done[MAX_CPUS];
static volatile uint32_t written[MAX_CPUS];

static void take(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void give(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static void send_line(const char *s, uint32_t n)
{
	__asm__ volatile("cld; rep outsb" : "+S"(s), "+c"(n) : "d"(0x3f8) : "memory");
}

static void flood(uint32_t id)
{
	char line[64];
	alive[id] = 1;
	while (!stop) {
		take();
		int n = snprintf(line, sizeof(line), "flood: vcpu %u line %u\n", id,
				 written[id] + 1);
		send_line(line, (uint32_t)n);
		written[id]++;
		/* The boot vCPU looks for the 'q' between its lines. */
		if (id == 0 && (inb(0x3fd) & 0x01) && inb(0x3f8) == 'q')
			stop = 1;
		give();
	}
	done[id] = 1;
}

static void ap_main(uint32_t id)
{
	if (id < MAX_CPUS)
		flood(id);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void send_ipi(uint32_t dest, uint32_t lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		__builtin_ia32_pause();
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	uint32_t ncpus = (r[1] >> 16) & 0xff;
	if (ncpus < 1 || ncpus > MAX_CPUS)
		ncpus = 1;
	rt_ap_prepare(ap_main);
	lapic_write(0xf0, 0x1ff);	/* SVR: software-enabled */
	for (uint32_t ap = 1; ap < ncpus; ap++) {
		send_ipi(ap, ICR_INIT | ICR_ASSERT);
		send_ipi(ap, ICR_STARTUP | ICR_ASSERT | RT_AP_SIPI_VECTOR);
		while (!alive[ap])
			__builtin_ia32_pause();
	}
	/* Under the lock: the APs flood already, and a line printed beside
	 * theirs would interleave with them byte by byte, as on a real UART. */
	take();
	printf("flood: %u vCPUs flooding until told to stop\n", ncpus);
	give();
	flood(0);
	uint32_t total = 0;
	for (uint32_t id = 0; id < ncpus; id++) {
		while (!done[id])
			__builtin_ia32_pause();
		total += written[id];
	}
	for (uint32_t id = 0; id < ncpus; id++)
		printf("flood: vcpu %u wrote %u lines\n", id, written[id]);
	return (int)total;
}
