/*
 * tests/guests/smp.c - an SMP guest, brought up the way a real OS does it.
 *
 * The boot vCPU reads the vCPU count from CPUID.1:EBX[23:16], copies a
 * real-mode trampoline to 0x8000 (guest/rt/ap.c) and starts each
 * application processor with INIT, a 10 ms wait and two STARTUP IPIs (vector
 * 0x08: CS=0x0800, IP=0), as the MP specification says. The trampoline
 * enters protected mode on the runtime's GDT and IDT, takes a stack by its
 * initial APIC ID and calls ap_main(apic_id).
 *
 * Then every vCPU reports its APIC ID (LAPIC ID register and CPUID, which
 * must agree), does a fixed amount of work, and the vCPUs send each other
 * IPIs that are counted exactly: fixed physical BSP -> each AP, each AP ->
 * BSP (all APs at once, one vector per AP), the all-excluding-self,
 * all-including-self and self shorthands, and flat-model logical
 * destinations. Each sender waits until the previous IPI was taken before it
 * sends the next one (two IPIs of one vector pending at once merge in the
 * IRR, on real hardware too).
 *
 * With "fair=MS" on the command line a fairness measurement follows: every vCPU counts loop iterations over the
 * same MS milliseconds of TSC time, and each count must be within a factor
 * of 3 of the mean.
 *
 * Output: "smp: ok ..." / "smp: FAIL ..." lines, "smp: N failed" at the end;
 * the exit status is the number of failures. Every wait is bounded: a
 * missing AP or IPI gives a FAIL line, never a hang.
 */
#include "rt.h"
#include "hw.h"
#include "ap.h"

#define MAX_CPUS RT_AP_MAX
#define SIPI_PAGE RT_AP_SIPI_VECTOR
#define IPI_BASE 0x60		/* vectors 0x60-0x7f are counted per vCPU */


#define ICR_FIXED     0x0000u
#define ICR_INIT      0x0500u
#define ICR_STARTUP   0x0600u
#define ICR_LOGICAL   (1u << 11)
#define ICR_PENDING   (1u << 12)
#define ICR_ASSERT    (1u << 14)
#define SH_SELF       (1u << 18)
#define SH_ALL        (2u << 18)
#define SH_ALL_BUT_ME (3u << 18)

/* The vectors of each test. */
#define V_TO_AP    0x60	/* BSP -> one AP, physical */
#define V_ALLX     0x62	/* all excluding self */
#define V_LOG_ODD  0x63	/* logical, to the odd vCPUs */
#define V_LOG_SELF 0x64	/* logical, from the last AP to itself and the BSP */
#define V_ALL      0x65	/* all including self */
#define V_SELF     0x66	/* self */
#define V_BACK     0x70	/* AP n -> BSP uses 0x70 + n */

void ap_main(uint32_t id);

/* --- shared state --------------------------------------------------------- */

static unsigned ncpus;
static uint64_t tpm;			/* TSC ticks per ms */
static volatile int failures;
static volatile uint32_t print_lock;
static volatile uint32_t alive[MAX_CPUS];
static volatile uint32_t cnt[MAX_CPUS][32];	/* [receiver][vector - 0x60] */
static volatile uint32_t work_sum[MAX_CPUS];
static volatile uint32_t work_done[MAX_CPUS];
static volatile uint32_t fair_count[MAX_CPUS];
static uint32_t work_iters = 2000000, nipis = 20, fair_ms;

/* Commands from the BSP to the APs. */
enum { CMD_NONE, CMD_WORK, CMD_BACK, CMD_ALLX, CMD_LOG_SELF, CMD_FAIR };
static volatile uint32_t cmd, cmd_target, cmd_seq, ack[MAX_CPUS];
static volatile uint32_t cmd_ok[MAX_CPUS];
static volatile uint64_t fair_start, fair_end;

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		while (print_lock)
			__builtin_ia32_pause();
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

/* printf for several vCPUs at once: the line is formatted first, then
 * written under the lock (interrupt handlers never print). */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lock();
	puts(buf);
	unlock();
}

static void fail(void)
{
	__atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
}

static uint32_t my_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Spins until *p == want (or >= want with at_least), at most ms. */
static bool wait_eq(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
	uint64_t end = rdtsc() + tpm * ms;
	while (*p != want) {
		if (rdtsc() > end)
			return false;
		__builtin_ia32_pause();
	}
	return true;
}

/* Milliseconds since TSC value t0 (no 64-bit division in the runtime). */
static uint32_t ms_since(uint64_t t0)
{
	return (uint32_t)((rdtsc() - t0) >> 8) / (uint32_t)((tpm >> 8) | 1);
}

static void send_ipi(uint32_t dest, uint32_t lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	uint64_t end = rdtsc() + tpm * 100;
	while ((lapic_read(LAPIC_ICR_LO) & ICR_PENDING) && rdtsc() < end)
		__builtin_ia32_pause();
}

static void ipi_handler(struct rt_frame *f)
{
	uint32_t id = my_id();
	if (id < MAX_CPUS)
		cnt[id][f->vector - IPI_BASE]++;
	lapic_write(LAPIC_EOI, 0);
}

/* The LAPIC of this vCPU: software-enabled, flat logical model, LDR bit
 * 24 + id (ids 0-7). */
static void lapic_setup(uint32_t id)
{
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_DFR, 0xffffffff);
	lapic_write(LAPIC_LDR, id < 8 ? 1u << (24 + id) : 0);
	lapic_write(LAPIC_TPR, 0);
}

/* What this vCPU says it is: the LAPIC ID register and CPUID.1:EBX. */
static void identify(uint32_t id)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	uint32_t lapic = my_id(), cid = r[1] >> 24, count = (r[1] >> 16) & 0xff;
	bool ok = lapic == id && cid == id && count == ncpus;
	say("smp: %s cpu %u: apic id %u (lapic %u, cpuid %u), cpuid count %u\n",
	    ok ? "ok" : "FAIL", id, id, lapic, cid, count);
	if (!ok)
		fail();
}

static uint32_t work(void)
{
	uint32_t x = 12345, sum = 0;
	for (uint32_t i = 0; i < work_iters; i++) {
		x = x * 1664525u + 1013904223u;
		sum += x >> 16;
	}
	return sum;
}

static void do_work(uint32_t id)
{
	uint64_t t0 = rdtsc();
	uint32_t sum = work();
	uint32_t ms = ms_since(t0);
	work_sum[id] = sum;
	say("smp: cpu %u: work done: %u iterations in %u ms, sum 0x%x\n",
	    id, work_iters, ms, sum);
	work_done[id] = 1;
}

/* Sends `nipis` IPIs (ICR low `lo`, destination `dest`) that `mask` must
 * all receive, one at a time. Returns false if one was not taken. */
static bool send_counted(uint32_t dest, uint32_t lo, uint32_t mask)
{
	unsigned vector = lo & 0xff;
	uint32_t base[MAX_CPUS];
	for (unsigned r = 0; r < ncpus; r++)
		base[r] = cnt[r][vector - IPI_BASE];
	for (uint32_t i = 0; i < nipis; i++) {
		send_ipi(dest, lo);
		for (unsigned r = 0; r < ncpus; r++)
			if ((mask >> r) & 1 &&
			    !wait_eq(&cnt[r][vector - IPI_BASE], base[r] + i + 1, 2000)) {
				say("smp: FAIL cpu %u: IPI 0x%x number %u to cpu %u not taken "
				    "(count %u, want %u)\n", my_id(), lo, i + 1, r,
				    cnt[r][vector - IPI_BASE], base[r] + i + 1);
				return false;
			}
	}
	return true;
}

static uint32_t all_mask(void)
{
	return ncpus >= 32 ? ~0u : (1u << ncpus) - 1;
}

static uint32_t logical_mask(void)
{
	return all_mask() & 0xff;	/* the flat model has 8 bits */
}

static void ap_command(uint32_t id, uint32_t c)
{
	bool ok = true;
	switch (c) {
	case CMD_WORK:
		do_work(id);
		break;
	case CMD_BACK:
		ok = send_counted(0, ICR_FIXED | ICR_ASSERT | (V_BACK + id), 1);
		break;
	case CMD_ALLX:
		ok = send_counted(0, ICR_FIXED | ICR_ASSERT | SH_ALL_BUT_ME | V_ALLX,
				  all_mask() & ~(1u << id));
		break;
	case CMD_LOG_SELF: {
		uint32_t mask = (1u << id) | 1;
		ok = send_counted(mask, ICR_FIXED | ICR_ASSERT | ICR_LOGICAL | V_LOG_SELF, mask);
		break;
	}
	case CMD_FAIR: {
		uint64_t start = fair_start, end = fair_end;
		while (rdtsc() < start)
			;
		uint32_t n = 0;
		do
			n++;
		while (rdtsc() < end);
		fair_count[id] = n;
		break;
	}
	}
	cmd_ok[id] = ok;
}

void __attribute__((used)) ap_main(uint32_t id)
{
	lapic_setup(id);
	identify(id);
	__atomic_store_n(&alive[id], 1, __ATOMIC_RELEASE);
	sti();
	uint32_t seen = 0;
	for (;;) {
		while (cmd_seq == seen)
			__builtin_ia32_pause();
		seen = cmd_seq;
		uint32_t c = cmd;
		if (cmd_target == 0xff || cmd_target == id)
			ap_command(id, c);
		__atomic_store_n(&ack[id], seen, __ATOMIC_RELEASE);
	}
}

/* Runs a command on one AP (target) or all of them (0xff); waits for it. */
static bool run_cmd(uint32_t c, uint32_t target, uint32_t ms)
{
	cmd = c;
	cmd_target = target;
	uint32_t seq = __atomic_add_fetch(&cmd_seq, 1, __ATOMIC_SEQ_CST);
	bool ok = true;
	for (unsigned r = 1; r < ncpus; r++) {
		if (!alive[r])
			continue;
		if (!wait_eq(&ack[r], seq, ms)) {
			say("smp: FAIL cpu %u did not finish command %u in %u ms\n", r, c, ms);
			ok = false;
		} else if ((target == 0xff || target == r) && !cmd_ok[r]) {
			ok = false;
		}
	}
	return ok;
}

static void check(bool ok, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("smp: %s %s\n", ok ? "ok" : "FAIL", buf);
	if (!ok)
		fail();
}

/* --- the boot vCPU ------------------------------------------------------- */

static unsigned start_aps(void)
{
	rt_ap_prepare(ap_main);

	unsigned up = 1;
	for (unsigned ap = 1; ap < ncpus; ap++) {
		uint64_t t0 = rdtsc();
		send_ipi(ap, ICR_INIT | ICR_ASSERT);
		tsc_delay_ms(tpm, 10);
		send_ipi(ap, ICR_STARTUP | ICR_ASSERT | SIPI_PAGE);
		tsc_delay_ms(tpm, 1);
		send_ipi(ap, ICR_STARTUP | ICR_ASSERT | SIPI_PAGE);
		bool ok = wait_eq(&alive[ap], 1, 3000);
		uint32_t ms = ms_since(t0);
		check(ok, "AP %u started by INIT-SIPI-SIPI (checked in after %u ms)", ap, ms);
		up += ok;
	}
	/* The second SIPI reached a running AP: it must have been ignored. */
	tsc_delay_ms(tpm, 20);
	for (unsigned ap = 1; ap < ncpus; ap++)
		if (alive[ap])
			check(rt_ap_boots[ap] == 1, "AP %u ran the trampoline once (%u times)",
			      ap, rt_ap_boots[ap]);
	check(up == ncpus, "all %u vCPUs up (%u checked in)", ncpus, up);
	return up;
}

static void test_work(void)
{
	if (!run_cmd(CMD_WORK, 0xff, 20000))
		fail();
	do_work(0);
	uint32_t done = 0;
	for (unsigned r = 0; r < ncpus; r++)
		if (work_done[r] && work_sum[r] == work_sum[0])
			done++;
	check(done == ncpus, "all %u vCPUs finished their work with the same sum (%u did)",
	      ncpus, done);
}

/* After the sends, nothing more may arrive: the counts are exact. */
static void settle(void)
{
	tsc_delay_ms(tpm, 20);
}

static void test_ipis(void)
{
	uint32_t lo;

	/* BSP -> each AP, fixed, physical destination. */
	for (unsigned ap = 1; ap < ncpus; ap++)
		send_counted(ap, ICR_FIXED | ICR_ASSERT | V_TO_AP, 1u << ap);
	settle();
	for (unsigned ap = 1; ap < ncpus; ap++)
		check(cnt[ap][V_TO_AP - IPI_BASE] == nipis,
		      "fixed IPIs cpu 0 -> cpu %u: %u of %u", ap,
		      cnt[ap][V_TO_AP - IPI_BASE], nipis);
	check(cnt[0][V_TO_AP - IPI_BASE] == 0, "the sender got none of its own fixed IPIs (%u)",
	      cnt[0][V_TO_AP - IPI_BASE]);

	/* Every AP -> BSP at the same time, one vector per AP. */
	run_cmd(CMD_BACK, 0xff, 20000);
	settle();
	for (unsigned ap = 1; ap < ncpus; ap++)
		check(cnt[0][V_BACK + ap - IPI_BASE] == nipis,
		      "fixed IPIs cpu %u -> cpu 0: %u of %u", ap,
		      cnt[0][V_BACK + ap - IPI_BASE], nipis);

	/* All excluding self, from every vCPU in turn. */
	send_counted(0, ICR_FIXED | ICR_ASSERT | SH_ALL_BUT_ME | V_ALLX, all_mask() & ~1u);
	for (unsigned s = 1; s < ncpus; s++)
		run_cmd(CMD_ALLX, s, 20000);
	settle();
	bool ok = true;
	for (unsigned r = 0; r < ncpus; r++)
		ok &= cnt[r][V_ALLX - IPI_BASE] == nipis * (ncpus - 1);
	check(ok, "all-excluding-self IPIs from each of %u vCPUs: every vCPU got %u "
	      "(cpu 0: %u, cpu %u: %u)", ncpus, nipis * (ncpus - 1),
	      cnt[0][V_ALLX - IPI_BASE], ncpus - 1, cnt[ncpus - 1][V_ALLX - IPI_BASE]);

	/* All including self, and self. */
	send_counted(0, ICR_FIXED | ICR_ASSERT | SH_ALL | V_ALL, all_mask());
	settle();
	ok = true;
	for (unsigned r = 0; r < ncpus; r++)
		ok &= cnt[r][V_ALL - IPI_BASE] == nipis;
	check(ok, "all-including-self IPIs: every vCPU got %u (cpu 0: %u, cpu %u: %u)",
	      nipis, cnt[0][V_ALL - IPI_BASE], ncpus - 1, cnt[ncpus - 1][V_ALL - IPI_BASE]);
	send_counted(0, ICR_FIXED | ICR_ASSERT | SH_SELF | V_SELF, 1);
	settle();
	ok = cnt[0][V_SELF - IPI_BASE] == nipis;
	for (unsigned r = 1; r < ncpus; r++)
		ok &= cnt[r][V_SELF - IPI_BASE] == 0;
	check(ok, "self IPIs: cpu 0 got %u of %u, no other vCPU any", cnt[0][V_SELF - IPI_BASE],
	      nipis);

	/* Logical destination, flat model: the odd vCPUs (of the first 8). */
	uint32_t odd = logical_mask() & 0xaa;
	lo = ICR_FIXED | ICR_ASSERT | ICR_LOGICAL | V_LOG_ODD;
	send_counted(odd, lo, odd);
	settle();
	ok = true;
	for (unsigned r = 0; r < ncpus; r++)
		ok &= cnt[r][V_LOG_ODD - IPI_BASE] == ((odd >> r) & 1 ? nipis : 0);
	check(ok, "logical IPIs to mask 0x%x: each odd vCPU got %u, the others none "
	      "(cpu 0: %u, cpu 1: %u)", odd, nipis, cnt[0][V_LOG_ODD - IPI_BASE],
	      cnt[1][V_LOG_ODD - IPI_BASE]);

	/* Logical, from the last AP (of the first 8) to itself and the BSP. */
	unsigned last = ncpus > 8 ? 7 : ncpus - 1;
	run_cmd(CMD_LOG_SELF, last, 20000);
	settle();
	uint32_t mask = (1u << last) | 1;
	ok = true;
	for (unsigned r = 0; r < ncpus; r++)
		ok &= cnt[r][V_LOG_SELF - IPI_BASE] == ((mask >> r) & 1 ? nipis : 0);
	check(ok, "logical IPIs from cpu %u to mask 0x%x (itself and cpu 0): %u and %u of %u",
	      last, mask, cnt[last][V_LOG_SELF - IPI_BASE], cnt[0][V_LOG_SELF - IPI_BASE], nipis);
}

static void test_fair(void)
{
	fair_start = rdtsc() + tpm * 100;
	fair_end = fair_start + tpm * fair_ms;
	cmd = CMD_FAIR;
	cmd_target = 0xff;
	uint32_t seq = __atomic_add_fetch(&cmd_seq, 1, __ATOMIC_SEQ_CST);
	ap_command(0, CMD_FAIR);
	for (unsigned r = 1; r < ncpus; r++)
		if (!wait_eq(&ack[r], seq, 10000))
			say("smp: FAIL cpu %u did not finish the fairness run\n", r);
	uint32_t total = 0, min = ~0u, max = 0;
	for (unsigned r = 0; r < ncpus; r++) {
		uint32_t n = fair_count[r];
		say("smp: fair: cpu %u: %u iterations in %u ms\n", r, n, fair_ms);
		total += n;
		min = n < min ? n : min;
		max = n > max ? n : max;
	}
	uint32_t mean = total / ncpus;
	check(min > 0 && min * 3 >= mean && max <= mean * 3,
	      "fairness: %u vCPUs, min %u max %u mean %u iterations (within a factor of 3 "
	      "of the mean)", ncpus, min, max, mean);
}

static uint32_t arg(const char *cmdline, const char *key, uint32_t def)
{
	size_t k = strlen(key);
	for (const char *c = cmdline; *c; c++)
		if ((c == cmdline || c[-1] == ' ') && memcmp(c, key, k) == 0) {
			uint32_t v = 0;
			for (c += k; *c >= '0' && *c <= '9'; c++)
				v = v * 10 + (uint32_t)(*c - '0');
			return v;
		}
	return def;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *cl = (info->flags & 4) ? (const char *)info->cmdline : "";
	work_iters = arg(cl, "work=", work_iters);
	nipis = arg(cl, "ipis=", nipis);
	fair_ms = arg(cl, "fair=", 0);

	uint32_t r[4];
	cpuid(1, 0, r);
	ncpus = (r[1] >> 16) & 0xff;
	if (ncpus < 1)
		ncpus = 1;
	if (ncpus > MAX_CPUS)
		ncpus = MAX_CPUS;
	tpm = tsc_per_ms();
	say("smp: %u vCPUs (CPUID.1:EBX[23:16]), %u TSC ticks per ms\n", ncpus, (uint32_t)tpm);

	for (unsigned v = IPI_BASE; v < IPI_BASE + 32; v++)
		rt_set_irq_handler(v, ipi_handler);
	lapic_setup(0);
	identify(0);
	alive[0] = 1;
	sti();

	if (ncpus > 1 && start_aps() == ncpus) {
		test_work();
		test_ipis();
		if (fair_ms)
			test_fair();
	} else if (ncpus == 1) {
		check(false, "only one vCPU: nothing to test");
	}
	cli();
	say("smp: %d failed\n", failures);
	return failures;
}
