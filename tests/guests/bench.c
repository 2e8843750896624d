/*
 * tests/guests/bench.c - the guest of `make bench` (scripts/bench.py,
 * docs/performance.md). What it does is chosen by a word on its command line:
 *
 *   exits   Exit path lengths. Under QEMU's `-icount shift=7,sleep=off`
 *           the TSC advances exactly 128 per instruction (guest and host
 *           together), so TSC/128 counts instructions. For each exiting
 *           instruction, a loop of N round trips is timed with RDTSC (not
 *           intercepted) and the same loop with the exiting instruction
 *           replaced by a non-exiting one (NOP, or a read of plain RAM for
 *           MMIO) is subtracted. Prints "bench: exit NAME X.Y instr/roundtrip".
 *   mem     Walks a 64 MiB buffer at 16 MiB (the VM needs mem >= 96M):
 *           sequentially (one 4-byte read per 64-byte line) and at random
 *           (xorshift32 word indices), 2^20 reads each, and prints the TSC
 *           cycles in units of 1024 ("bench: mem seq N kcycles"). Runs
 *           under yakvm and booted bare by QEMU (-kernel bench.elf).
 *   scale   CPUID in a loop for MS milliseconds of TSC time ("scale=MS",
 *           default 1000), then "bench: scale N cpuid in MS ms".
 *
 * Every mode first prints "bench: first-tsc N instr" (this vCPU's TSC at
 * guest_main, /128: under icount the instructions since QEMU's reset).
 * The guest is 32-bit: no 64-bit division anywhere (N is a power of two,
 * /128 is >>7).
 */
#include "rt.h"
#include "hw.h"

#define LOG2_N  11
#define N       (1u << LOG2_N)

#define LAPIC_SVR       0xf0
#define TIMER_VECTOR    0x40
#define TIMER_COUNT     2000	/* one-shot, divide by 1: about 2 us */

static volatile uint32_t plain_ram;

/* One timed loop: SETUP then OP, N times, the counter in %edi (which no
 * OP touches). Returns the TSC cycles it took. */
#define TIMED_LOOP(name, setup, op)					\
static uint64_t name(void)						\
{									\
	uint64_t t0 = rdtsc();						\
	__asm__ volatile("mov %0, %%edi\n"				\
			 "1:\n\t" setup "\n\t" op "\n\t"		\
			 "dec %%edi\n\t"				\
			 "jnz 1b\n"					\
			 :: "i"(N)					\
			 : "eax", "ebx", "ecx", "edx", "edi", "memory");\
	return rdtsc() - t0;						\
}

TIMED_LOOP(loop_cpuid,      "xor %%eax, %%eax; xor %%ecx, %%ecx", "cpuid")
TIMED_LOOP(loop_cpuid_base, "xor %%eax, %%eax; xor %%ecx, %%ecx", "nop")
TIMED_LOOP(loop_vmmcall,      "xor %%eax, %%eax", "vmmcall")
TIMED_LOOP(loop_vmmcall_base, "xor %%eax, %%eax", "nop")
TIMED_LOOP(loop_out,      "mov $0x2a0, %%edx; xor %%eax, %%eax", "outb %%al, %%dx")
TIMED_LOOP(loop_out_base, "mov $0x2a0, %%edx; xor %%eax, %%eax", "nop")
TIMED_LOOP(loop_in,      "mov $0x3fd, %%edx", "inb %%dx, %%al")
TIMED_LOOP(loop_in_base, "mov $0x3fd, %%edx", "nop")
TIMED_LOOP(loop_mmio_rd,      "", "mov 0xfee00030, %%eax")
TIMED_LOOP(loop_mmio_rd_base, "", "mov plain_ram, %%eax")
TIMED_LOOP(loop_mmio_wr,      "", "movl $0, 0xfee000b0")
TIMED_LOOP(loop_mmio_wr_base, "", "movl $0, plain_ram")
TIMED_LOOP(loop_rdmsr,      "mov $0x277, %%ecx", "rdmsr")
TIMED_LOOP(loop_rdmsr_base, "mov $0x277, %%ecx", "nop")

/* TSC cycles per N iterations -> tenths of an instruction per iteration. */
static uint32_t tenths(uint64_t op, uint64_t base)
{
	uint64_t d = op > base ? op - base : 0;
	return (uint32_t)((d * 10) >> (7 + LOG2_N));
}

static void report(const char *name, uint64_t op, uint64_t base)
{
	uint32_t t = tenths(op, base);
	printf("bench: exit %s %u.%u instr/roundtrip\n", name, t / 10, t % 10);
}

/* --- HLT woken by the LAPIC timer --------------------------------------- */

static volatile uint32_t timer_irqs;

static void timer_handler(struct rt_frame *f)
{
	(void)f;
	timer_irqs++;
	lapic_write(LAPIC_EOI, 0);
}

/* N times: arm the one-shot timer with IF=0, then `sti; hlt` (the STI
 * shadow covers the HLT, so the interrupt wakes it) - or, with spin, arm it
 * with IF=1 and wait for the interrupt while running. (Armed with IF=0, the
 * spin would also time how soon yakvm sees the STI: at once with V_IRQ, at
 * its next poll under QEMU's TCG, core/run/intr.c.) */
static uint64_t loop_timer(bool halt)
{
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < N; i++) {
		uint32_t seen = timer_irqs;
		if (halt) {
			cli();
			lapic_write(LAPIC_TMICT, TIMER_COUNT);
			__asm__ volatile("sti; hlt" ::: "memory");
		} else {
			sti();
			lapic_write(LAPIC_TMICT, TIMER_COUNT);
		}
		while (timer_irqs == seen)
			__asm__ volatile("pause" ::: "memory");
	}
	cli();
	return rdtsc() - t0;
}

static int mode_exits(void)
{
	report("cpuid", loop_cpuid(), loop_cpuid_base());
	report("vmmcall", loop_vmmcall(), loop_vmmcall_base());
	report("out-unowned", loop_out(), loop_out_base());
	report("in-uart-lsr", loop_in(), loop_in_base());
	report("mmio-read-lapic", loop_mmio_rd(), loop_mmio_rd_base());
	report("mmio-write-eoi", loop_mmio_wr(), loop_mmio_wr_base());
	report("rdmsr-pat", loop_rdmsr(), loop_rdmsr_base());

	pic_init();
	rt_set_irq_handler(TIMER_VECTOR, timer_handler);
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_TDCR, 0xb);			/* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR);	/* one-shot, unmasked */
	uint64_t halted = loop_timer(true);
	uint32_t after_hlt = timer_irqs;
	uint64_t spun = loop_timer(false);
	/* The HLT exit and the sleep, on top of an interrupt that arrives anyway. */
	report("hlt-wake", halted, spun);
	/* The whole iteration: arm (MMIO), HLT, timer, injection, EOI (MMIO). */
	report("hlt-timer-iteration", halted, 0);
	report("spin-timer-iteration", spun, 0);
	lapic_write(LAPIC_LVT_TIMER, 0x10000);		/* masked */
	/* One interrupt per arm is expected; more is worth a look (see
	 * docs/performance.md). */
	printf("bench: timer interrupts %u for %u arms (%u in the HLT loop)\n",
	       timer_irqs, 2 * N, after_hlt);
	return 0;
}

/* --- guest memory --------------------------------------------------------- */

#define BUF_BASE 0x01000000u
#define BUF_SIZE (64u << 20)
#define ACCESSES (1u << 20)

static int mode_mem(struct mb1_info *info)
{
	uint32_t top = (info->flags & 1) ? 0x100000u + info->mem_upper * 1024u : 0;
	if (top < BUF_BASE + BUF_SIZE) {
		printf("bench: mem needs %u MiB of RAM, has %u\n",
		       (BUF_BASE + BUF_SIZE) >> 20, top >> 20);
		return 1;
	}
	volatile uint32_t *buf = (volatile uint32_t *)BUF_BASE;
	/* Touch every page once, so neither walk pays for the first touch. */
	for (uint32_t i = 0; i < BUF_SIZE / 4; i += 1024)
		buf[i] = i;
	uint32_t sum = 0;
	uint64_t t0 = rdtsc();
	for (uint32_t n = 0, i = 0; n < ACCESSES; n++, i += 16)
		sum += buf[i & (BUF_SIZE / 4 - 1)];
	uint64_t seq = rdtsc() - t0;
	uint32_t x = 2463534242u;
	t0 = rdtsc();
	for (uint32_t n = 0; n < ACCESSES; n++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sum += buf[x & (BUF_SIZE / 4 - 1)];
	}
	uint64_t rnd = rdtsc() - t0;
	printf("bench: mem seq %u kcycles\n", (uint32_t)(seq >> 10));
	printf("bench: mem random %u kcycles\n", (uint32_t)(rnd >> 10));
	printf("bench: mem checksum %x\n", sum);
	return 0;
}

/* --- scaling ----------------------------------------------------------- */

static int mode_scale(uint32_t ms)
{
	uint64_t per_ms = tsc_per_ms();
	uint64_t end = rdtsc() + per_ms * ms;
	uint32_t count = 0, r[4];
	while (rdtsc() < end) {
		for (int i = 0; i < 64; i++)
			cpuid(0, 0, r);
		count += 64;
	}
	printf("bench: scale %u cpuid in %u ms\n", count, ms);
	return 0;
}

static const char *find(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (memcmp(s, w, n) == 0)
			return s + n;
	return NULL;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint64_t first = rdtsc();
	(void)magic;
	printf("bench: first-tsc %u instr\n", (uint32_t)(first >> 7));
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	const char *arg;
	int status;
	if (find(c, "exits"))
		status = mode_exits();
	else if (find(c, "mem"))
		status = mode_mem(info);
	else if ((arg = find(c, "scale"))) {
		uint32_t ms = 0;
		if (*arg == '=')
			for (arg++; *arg >= '0' && *arg <= '9'; arg++)
				ms = ms * 10 + (uint32_t)(*arg - '0');
		status = mode_scale(ms ? ms : 1000);
	} else {
		puts("bench: no mode (exits, mem, scale=MS)\n");
		status = 1;
	}
	printf("bench: done %d\n", status);
	return status;
}
